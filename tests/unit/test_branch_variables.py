"""Which outputs of a trace a tensor ``if`` or loop read a variable into, and which names a
statement binds plainly (``branch_variables``): what makes such a part run eagerly (the shell's
side is tests/magics/test_compile_branch_variables.py)."""

from __future__ import annotations

import ast
from typing import Any

import tensorflow as tf

from workbench.compile.branch_variables import plainly_bound, read_in_branch


def test_which_outputs_a_branch_read_a_variable_into() -> None:
    v0, v1 = tf.Variable(1.0), tf.Variable(2.0)
    seen: dict[str, bool] = {}

    @tf.function  # type: ignore[untyped-decorator]
    def cell(flag: Any, inner: Any, n: Any) -> None:
        if flag:
            if inner:  # noqa: SIM108 - nested: the outer branch hands on the inner's read
                nested = v0
            else:
                nested = v1
            computed = v0 * 2.0
        else:
            nested = v1
            computed = v1 * 1.0
        looped = v0
        for _ in tf.range(n):
            looped = v1
        seen.update(
            nested=read_in_branch(nested),
            computed=read_in_branch(computed),
            looped=read_in_branch(looped),
            read_at_top=read_in_branch(tf.identity(v0)),
            value_at_top=read_in_branch(v0.value()),
        )

    cell(tf.constant(True), tf.constant(False), tf.constant(2))
    assert seen == {
        "nested": True,
        "computed": False,
        "looped": True,
        "read_at_top": False,
        "value_at_top": False,
    }


def test_which_names_are_bound_plainly() -> None:
    source = (
        "a = v0\nb = m.weights[0]\nc = m.kernel\nd: Any = v1\nif f:\n    e = v1\n"
        "f = v0.read_value()\ng = v0 * 2\nh, (k, p) = v0, [v1, v0 + 1]\nm.attr = v0\nn = [v0]\n"
        "q = r = m.w\ns, t = pair\n"
    )
    assert plainly_bound(ast.parse(source).body) == {"a", "b", "c", "d", "e", "h", "k", "q", "r"}
