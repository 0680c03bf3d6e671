"""Which outputs of a trace a tensor ``if`` or loop handed back for a variable or a Python value,
and which names a statement binds without calls (``branch_values``): what makes such a part run
eagerly (the shell's side is tests/magics/test_compile_branch_values.py)."""

from __future__ import annotations

import ast
from typing import Any

import tensorflow as tf

from workbench.compile.branch_values import PYTHON, VARIABLE, bound_names, branch_value


def test_what_a_branch_handed_back_for_a_variable_or_a_python_value() -> None:
    v0, v1 = tf.Variable(1.0), tf.Variable(2.0)
    seen: dict[str, str | None] = {}

    @tf.function  # type: ignore[untyped-decorator]
    def cell(flag: Any, inner: Any, n: Any) -> None:
        if flag:
            if inner:  # noqa: SIM108 - nested: the outer branch hands on the inner's read
                nested = v0
            else:
                nested = v1
            computed = v0 * 2.0
            text = "yes"
            made = tf.constant(1.0)
        else:
            nested = v1
            computed = v1 * 1.0
            text = "no"
            made = tf.constant(2.0)
        looped = v0
        count = 0
        for _ in tf.range(n):
            looped = v1
            count = 3
        seen.update(
            nested=branch_value(nested),
            computed=branch_value(computed),
            text=branch_value(text),
            made=branch_value(made),
            looped=branch_value(looped),
            count=branch_value(count),
            read_at_top=branch_value(tf.identity(v0)),
            value_at_top=branch_value(v0.value()),
            constant_at_top=branch_value(tf.constant(1.0)),
        )

    cell(tf.constant(True), tf.constant(False), tf.constant(2))
    assert seen == {
        "nested": VARIABLE,
        "computed": None,
        # a Python value and tf.constant are both constants in the graph: the statement tells
        # them apart (bound_without_calls)
        "text": PYTHON,
        "made": PYTHON,
        "looped": VARIABLE,
        "count": PYTHON,
        "read_at_top": None,
        "value_at_top": None,
        "constant_at_top": None,
    }
    assert (VARIABLE, PYTHON) == ("a tf.Variable", "a Python value")


def test_which_names_are_bound_to_what_can_be_a_variable_or_a_python_value() -> None:
    source = (
        "a = v0\nb = m.weights[0]\nc = m.kernel\nd: Any = v1\nif f:\n    e = v1\n"
        "f = v0.read_value()\ng = v0 * 2\nh, (k, p) = v0, [v1, f(v0)]\nm.attr = v0\nn = [v0]\n"
        "q = r = m.w\ns, t = pair\nu = 'text'\nw = -1\nx = tf.constant(1.0)\ny: int\n"
        "z = [i for i in range(3)]\n"
    )
    plain = {"a", "b", "c", "d", "e", "h", "k", "q", "r", "s", "t"}
    assert bound_names(ast.parse(source).body) == {
        VARIABLE: plain,
        PYTHON: plain | {"g", "n", "u", "w"},
    }
