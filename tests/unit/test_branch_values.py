"""Which outputs of a trace a tensor ``if`` or loop handed back for a variable or a Python value,
and which names a statement binds without calls (``branch_values``): what makes such a part run
eagerly (the shell's side is tests/magics/test_compile_branch_values.py)."""

from __future__ import annotations

import ast
from typing import Any

import tensorflow as tf

from workbench.compile.branch_values import CARRIED, PYTHON, VARIABLE, bound_names, branch_value


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
        # f, p, x and z are bound by a call: tensors eagerly too
        CARRIED: plain | {"g", "n", "u", "w"},
    }


def test_which_names_a_loop_can_carry_as_python_values() -> None:
    source = (
        "n += 2\ntotal += loss * 2\nfor i in range(k):\n    r = i\nfor j in tf.range(k):\n"
        "    pass\nfor (p, q) in range(3):\n    pass\nm = 0\nm += float(x)\nc = tf.constant(0)\n"
        "c += 1\nd -= 1\nd = len(x)\ne = e + c\nf = e\ng = 2 * n\n"
        "h = 'pos' if tf.reduce_sum(x) > 0 else v\nk = f(1) if g else 2\n"
    )
    found = bound_names(ast.parse(source).body)
    # n += 2 computes: never a variable's read or a constant as it is
    # a conditional expression binds what it picks: its test's calls pick no value
    assert (found[VARIABLE], found[PYTHON]) == (
        {"r", "f", "h"},
        {"r", "m", "e", "f", "g", "h", "k"},
    )
    # e is computed from c, a tensor eagerly, and f from e
    assert found[CARRIED] == {"n", "total", "i", "r", "p", "q", "g", "h", "k"}


def test_what_a_tensor_loop_carries_as_a_python_value() -> None:
    v = tf.Variable(1.0)
    seen: dict[str, str | None] = {}

    @tf.function  # type: ignore[untyped-decorator]
    def cell(limit: Any, x: Any) -> None:
        n, fib, prev, steps, count, from_x, read, drawn = 0, 1, 0, 0, 0, 0.0, 0.0, 0.0
        twice, doubled, nested, mixed = 0.0, 1.0, 0, 0.0
        i = tf.constant(0)
        while n < limit:
            n += 2
            fib, prev = fib + prev, fib
            if n > 3:
                steps += 1
                if n > 4:
                    nested += 1
                else:
                    nested = nested + steps
            else:
                steps = steps * 2
            mixed = mixed + x if n > 3 else mixed + 1.0  # a branch reads x: a tensor eagerly
            twice = v + (twice + twice)  # reached twice, then a read: a tensor eagerly
            for _ in range(32):  # 2**32 paths through one graph of 32 ops: each op seen once
                doubled = doubled + doubled
            count = count + i  # i starts as a constant as well
            i += 1
            from_x += x
            read += v
            drawn += tf.random.uniform(())
        values = {"n": n, "fib": fib, "prev": prev, "steps": steps, "count": count, "i": i}
        values.update(from_x=from_x, read=read, drawn=drawn, twice=twice, doubled=doubled)
        values.update(nested=nested, mixed=mixed)
        seen.update({name: branch_value(value) for name, value in values.items()})

    cell.get_concrete_function(tf.constant(5), tf.constant(1.0))  # traced: not run (Grappler
    # takes a minute over the doubled chain)
    # i = tf.constant(0) starts as a constant as 0 does: only the statements tell them apart
    # (bound_names: i is bound by a call, and count from i)
    carried = {"n", "fib", "prev", "steps", "i", "count", "doubled", "nested"}
    assert seen == {name: CARRIED if name in carried else None for name in seen}
