"""Which computation ``lift`` takes out of a statement that runs eagerly: the tensor work under a
print, a ``.numpy()``, a conversion or an f-string, never what a trace would answer differently
(identity, membership, short-circuits) and never when something else the statement runs could
see it move."""

from __future__ import annotations

import ast

import pytest

from workbench.compile.lift import PREFIX, is_lifted, lift


def lifted(source: str) -> list[str]:
    nodes, names = lift(tuple(ast.parse(source).body))
    assert len(names) == len({*names})
    return [ast.unparse(node) for node in nodes]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("print(a @ b, '\\n')", [f"{PREFIX}0 = a @ b", f"print({PREFIX}0, '\\n')"]),
        (
            "print('max', float(tf.reduce_max(x)), tf.reduce_sum(x).numpy())",
            [
                f"{PREFIX}0, {PREFIX}1 = (tf.reduce_max(x), tf.reduce_sum(x))",
                f"print('max', float({PREFIX}0), {PREFIX}1.numpy())",
            ],
        ),
        ("n = int(t[3]) + 1", [f"{PREFIX}0 = t[3]", f"n = int({PREFIX}0) + 1"]),
        ("print(f'{float(s):.3f}')", ["print(f'{float(s):.3f}')"]),  # nothing computed
        (
            "print(f'{float(tf.reduce_sum(s)):.3f}')",
            [f"{PREFIX}0 = tf.reduce_sum(s)", f"print(f'{{float({PREFIX}0):.3f}}')"],
        ),
        (
            "v = tf.Variable(tf.zeros([2]) + 1.0, name='v')",
            [f"{PREFIX}0 = tf.zeros([2]) + 1.0", f"v = tf.Variable({PREFIX}0, name='v')"],
        ),
        ("y = a @ b", ["y = a @ b"]),  # compiles as it is
        ("tf.reduce_sum(a)", ["tf.reduce_sum(a)"]),
    ],
)
def test_tensor_work_is_lifted_out_of_eager_statements(source: str, expected: list[str]) -> None:
    assert lifted(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "print(a is b)",  # identity: a trace's symbolic tensors are other objects
        "print(x in seen)",
        "print(isinstance(x + 1, tf.Tensor))",
        "print(a and b + 1)",  # short-circuit
        "print([t * 2 for t in ts])",  # a scope of its own
        "print((y := a + b))",
        "print(next(it) + float(t[0]))",  # next() would run after t[0] instead of before
        "print(tf.random.normal([2]))",  # random numbers as eagerly
        "print(rt.numpy())",  # nothing to compute
        "print(x.shape, layer.kernel)",
        "print(*parts)",
    ],
)
def test_what_a_trace_would_answer_differently_stays(source: str) -> None:
    assert lifted(source) == [ast.unparse(ast.parse(source).body[0])]


def test_lifted_statements_stand_on_the_line_they_come_from() -> None:
    nodes, names = lift(tuple(ast.parse("a = 1\n\nprint(\n  a + 1,\n  a * 2)\n").body))
    assert names == (f"{PREFIX}0", f"{PREFIX}1")
    assign = nodes[1]
    assert is_lifted(assign)
    assert not is_lifted(nodes[0])
    assert not is_lifted(nodes[2])
    assert (assign.lineno, assign.end_lineno) == (4, 5)
