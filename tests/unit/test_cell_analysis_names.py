"""What ``analyze`` reads from a cell's syntax, field by field, for the cells people write: the
hoisted definitions, the names read before assignment (in order), the names assigned (and which
unconditionally), whether the cell shows a value, the Keras calls, and the traced signature."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.compile.analysis import KerasCall, Signature, analyze


def plan_of(source: str) -> dict[str, Any]:
    plan = analyze(source)
    return {
        "hoisted": [type(node).__name__ for node in plan.hoisted],
        "statements": len(plan.statements),
        "defs": plan.defs,
        "reads": plan.reads,
        "stores": plan.stores,
        "top": sorted(plan.top_stores),
        "shows": plan.last_is_expression,
    }


CELLS = {
    "definitions and one expression": (
        "import numpy as np\nfrom math import pi\ndef f(x):\n    return x * hidden\n"
        "async def g():\n    pass\nclass C:\n    attr = inside\ny = f(a) + b\ny\n",
        {
            "hoisted": ["Import", "ImportFrom", "FunctionDef", "AsyncFunctionDef", "ClassDef"],
            "statements": 2,
            "defs": ("f", "g"),
            "reads": ("f", "a", "b"),
            "stores": ("y",),
            "top": ["y"],
            "shows": True,
        },
    ),
    "a training loop": (
        "for i in range(n):\n    loss = step(i)\n    total += loss\nprint(total)\n",
        {
            "hoisted": [],
            "statements": 2,
            "defs": (),
            "reads": ("range", "n", "step", "total", "print"),
            "stores": ("i", "loss", "total"),
            "top": [],
            "shows": True,
        },
    ),
    "a gradient tape step": (
        "with tf.GradientTape() as tape:\n    loss = model(x)\n"
        "grads = tape.gradient(loss, model.trainable_variables);\n",
        {
            "hoisted": [],
            "statements": 2,
            "defs": (),
            "reads": ("tf", "model", "x"),
            "stores": ("tape", "loss", "grads"),
            "top": ["grads", "loss", "tape"],
            "shows": False,
        },
    ),
    "try, except as, else, finally": (
        "try:\n    y = f(x)\nexcept ValueError as err:\n    y = g(err)\nelse:\n    z = zz\n"
        "finally:\n    w = y + late\n",
        {
            "hoisted": [],
            "statements": 1,
            "defs": (),
            "reads": ("f", "x", "ValueError", "g", "zz", "late"),
            "stores": ("y", "err", "z", "w"),
            "top": [],
            "shows": False,
        },
    ),
    "comprehension and lambda variables are their own": (
        "ys = [v * k for v in xs]\nh = lambda q: q + c\n",
        {
            "hoisted": [],
            "statements": 2,
            "defs": (),
            "reads": ("k", "xs", "c"),
            "stores": ("ys", "h"),
            "top": ["h", "ys"],
            "shows": False,
        },
    ),
    "a subscript or attribute assignment rebinds nothing": (
        "a[i] = b\ncounter.n += 1\n",
        {
            "hoisted": [],
            "statements": 2,
            "defs": (),
            "reads": ("b", "a", "i", "counter"),
            "stores": (),
            "top": [],
            "shows": False,
        },
    ),
    "annotated, augmented and tuple assignments": (
        "z: int = w + 1\nm += step\np, (q, r) = pair\n",
        {
            "hoisted": [],
            "statements": 3,
            "defs": (),
            "reads": ("w", "m", "step", "pair"),
            "stores": ("z", "m", "p", "q", "r"),
            "top": ["m", "p", "q", "r", "z"],
            "shows": False,
        },
    ),
    "while, if and for-else": (
        "while s < n:\n    s = s + 1\nif s:\n    t = 1\nelse:\n    t = u\n"
        "for k in ks:\n    pass\nelse:\n    found = k or default\n",
        {
            "hoisted": [],
            "statements": 3,
            "defs": (),
            "reads": ("s", "n", "u", "ks", "default"),
            "stores": ("s", "t", "k", "found"),
            "top": [],
            "shows": False,
        },
    ),
    "del and a bare expression statement": (
        "del cache\nprint(n := x)\nprint(n)  # shows None; comments do not count\n",
        {
            "hoisted": [],
            "statements": 3,
            "defs": (),
            "reads": ("print", "x"),
            "stores": ("cache", "n"),
            "top": ["n"],  # `:=` in a statement evaluated unconditionally binds for the cell
            "shows": True,
        },
    ),
    "a match statement": (
        "match command:\n    case 1:\n        total += x\n",
        {
            "hoisted": [],
            "statements": 1,
            "defs": (),
            "reads": ("command", "total", "x"),
            "stores": ("total",),
            "top": [],
            "shows": False,
        },
    ),
    "only definitions": (
        "def f():\n    pass\n",
        {
            "hoisted": ["FunctionDef"],
            "statements": 0,
            "defs": ("f",),
            "reads": (),
            "stores": (),
            "top": [],
            "shows": False,
        },
    ),
}


@pytest.mark.parametrize("name", list(CELLS))
def test_a_cells_names_are_read_from_its_syntax(name: str) -> None:
    source, expected = CELLS[name]
    assert plan_of(source) == expected


def test_the_names_to_type_are_the_read_only_and_the_conditionally_assigned() -> None:
    plan = analyze("for i in range(n):\n    loss = step(i)\n    total += loss\nprint(total)\n")
    assert plan.typed == ("range", "n", "step", "print", "i", "loss", "total")
    assert analyze("y = f(a) + b\n").typed == ("f", "a", "b")


def test_the_signature_follows_which_names_hold_tensors() -> None:
    loop = analyze("for i in range(n):\n    loss = step(i)\n    total += loss\nprint(total)\n")
    # total is read and reassigned: a parameter whatever it holds; the loop variables stay local
    assert loop.signature({}) == Signature(("total",), ("total",), ("i", "loss"))
    # a name assigned only in the loop that already holds a tensor is carried by the loop
    assert loop.signature({"loss": True, "n": True}) == Signature(
        ("n", "total", "loss"), ("loss", "total"), ("i",)
    )
    step = analyze("y = w * x + b\nz = y\n")
    assert step.signature({"x": True, "w": False}) == Signature(("x",), ("y", "z"), ())
    assert step.signature({"x": True, "w": True, "b": True}) == Signature(
        ("w", "x", "b"), ("y", "z"), ()
    )


def test_keras_calls_are_found_with_their_receiver_and_statement() -> None:
    plan = analyze(
        "a.b.evaluate(x); c = d.predict(x)\nget().fit(x)\nif go:\n    m.train_on_batch(x, y)\n"
        "def later():\n    model.fit(x)\n"
    )
    assert plan.keras_calls == (
        KerasCall("a.b", "evaluate", 0),
        KerasCall("d", "predict", 1),
        KerasCall(None, "fit", 2),
        KerasCall("m", "train_on_batch", 3),
    )
    assert analyze("m.fit(x)\nm.summary()\nm.compile()\n").keras_calls == (
        KerasCall("m", "fit", 0),
    )
    assert analyze("model.fit(x, y, epochs=2);").last_is_expression is False
    assert analyze("model.fit(x)  # a comment;\n").last_is_expression is True


def test_a_keras_call_inside_a_function_defined_in_a_branch_is_not_the_cells() -> None:
    plan = analyze("if go:\n    def train():\n        model.fit(x)\n    y = train()\n")
    assert plan.keras_calls == ()
    # the def in a block binds its name where it runs; what follows it is read too
    assert plan.stores == ("train", "y")
    after = analyze("if go:\n    def f():\n        pass\n    m.fit(x)\nget().model.fit(x)\n")
    assert after.keras_calls == (KerasCall("m", "fit", 0), KerasCall(None, "fit", 1))


def test_invalid_python_is_a_syntax_error_and_a_cell_is_parsed_once() -> None:
    with pytest.raises(SyntaxError):
        analyze("x = (")
    source = "y = 1\n"
    assert analyze(source) is analyze(source)


def test_a_walrus_in_an_assignment_or_an_if_test_assigns_its_name() -> None:
    plan = analyze(
        "y = (n := 10) * 2\nif (m := x) > 0:\n    z = m\nw = [k for k in ks if (q := k)]\n"
    )
    assert plan.stores == ("n", "y", "m", "z", "q", "w")
    assert {"n", "y", "m", "w"} <= plan.top_stores
    assert "q" not in plan.top_stores  # bound only if the comprehension ran a filter
    assert plan.reads == ("x", "ks")


def test_a_def_or_import_inside_a_block_is_an_assigned_name() -> None:
    plan = analyze(
        "for i in range(2):\n    def f(t):\n        return t\n    import math as m\n"
        "with ctx:\n    class K:\n        pass\nr = f(1)\n"
    )
    assert plan.stores == ("i", "f", "m", "K", "r")
    assert plan.reads == ("range", "ctx")  # f, read after its def, is the cell's own
