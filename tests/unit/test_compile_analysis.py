"""How a cell's statements are read: inputs, outputs and what stays local (no TensorFlow)."""

from __future__ import annotations

import pytest

from workbench.compile.analysis import analyze
from workbench.compile.codegen import cell_line, function_source


def test_reads_follow_execution_order() -> None:
    plan = analyze(
        "x = x + 1\n"
        "for i in tf.range(n):\n"
        "    loss = f(x)\n"
        "    total += loss\n"
        "ys[0] = total\n"
        "squares = [k * k for k in range(3)]\n"
    )
    assert plan.reads == ("x", "tf", "n", "f", "total", "ys", "range")
    assert plan.stores == ("x", "i", "loss", "total", "squares")  # ys[0] = ... mutates ys
    assert plan.top_stores == {"x", "squares"}


def test_signature_passes_tensors_and_captures_objects() -> None:
    plan = analyze("for i in tf.range(3):\n    loss = model(x) * lr\nloss\n")
    signature = plan.signature({"x": True, "lr": True, "model": False, "loss": True, "tf": False})
    assert signature.parameters == ("x", "lr", "loss")  # loss: carried by the loop
    assert signature.exports == ("loss",)
    assert signature.local == ("i",)
    fresh = plan.signature({"x": True, "lr": True, "model": False, "tf": False})
    assert fresh.exports == ()  # a loop's own temporary: AutoGraph could not return it
    assert fresh.local == ("i", "loss")


def test_with_blocks_assign_unconditionally() -> None:
    plan = analyze(
        "with tf.GradientTape() as tape:\n    loss = f(x)\ngrads = tape.gradient(loss, v)\n"
    )
    assert plan.reads == ("tf", "f", "x", "v")
    assert plan.top_stores == {"tape", "loss", "grads"}


def test_defs_and_imports_are_hoisted() -> None:
    plan = analyze("import math\ndef f(a):\n    return a * w\ny = f(x)\ny\n")
    assert plan.defs == ("f",)
    assert [type(node).__name__ for node in plan.hoisted] == ["Import", "FunctionDef"]
    assert plan.reads == ("f", "x")  # w is f's business, read when f is traced
    assert plan.last_is_expression


def test_keras_calls_are_found_with_their_receiver() -> None:
    plan = analyze("h = self.model.fit(x, y)\nbuild().predict(x)\nclf.fit(a)\n")
    assert [(c.receiver, c.method, c.statement) for c in plan.keras_calls] == [
        ("self.model", "fit", 0),
        (None, "predict", 1),
        ("clf", "fit", 2),
    ]


def test_generated_function_keeps_cell_lines() -> None:
    source = "import math\nx = 1; y = 2\nz = '''a\nb'''\nz\n"
    plan = analyze(source)
    text = function_source(plan, plan.signature({}))
    lines = text.splitlines()
    # the statement on cell line 2 sits on generated line 2 + header
    assert cell_line(next(i for i, line in enumerate(lines, 1) if "x = 1" in line)) == 2
    assert "__wb_result = z" in text
    compile(text, "<test>", "exec")  # valid Python, multi-line string included


def test_syntax_errors_are_python_syntax_errors() -> None:
    with pytest.raises(SyntaxError):
        analyze("x = (\n")


@pytest.mark.parametrize(
    ("source", "has_value"),
    [
        ("x\n", True),
        ("x;\n", False),
        ("x;  # hidden\n\n", False),
        ("x; y\n", True),
        ("x = 1;\n", False),
    ],
)
def test_a_trailing_semicolon_hides_the_value(source: str, has_value: bool) -> None:
    plan = analyze(source)
    assert plan.last_is_expression is has_value
    text = function_source(plan, plan.signature({}))
    assert ("__wb_result" in text) is has_value  # the traced function returns no hidden value
