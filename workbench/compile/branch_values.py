"""Names a tensor ``if`` or loop binds to a ``tf.Variable`` or a Python value, which a trace
can only hand back as tensors.

Eagerly, ``if flag: result = v0`` binds the variable itself (``v0.assign(10.0)`` later shows in
``result``, and ``result.assign(...)`` works) and ``if flag: msg = "positive"`` a ``str``.
Traced, AutoGraph's ``tf.cond`` (and ``tf.while_loop``) return tensors: the variable's read, a
value no later assignment reaches, and ``tf.Tensor(b'positive')``. Such a branch's output is a
``ReadVariableOp`` or a ``Const`` (seen through identities), and the statement binds an
expression without calls (``result = v0``, ``w = params[1]``, ``msg = "positive"``,
``best_epoch = epoch``); a call (``v0.read_value()``, ``tf.constant(1.0)``) makes a tensor
eagerly too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

import tensorflow as tf

VARIABLE = "a tf.Variable"
PYTHON = "a Python value"
_KINDS = {"ReadVariableOp": VARIABLE, "Const": PYTHON}
_IF = frozenset({"If", "StatelessIf"})
_WHILE = frozenset({"While", "StatelessWhile"})
_DEPTH = 32  # nested branches followed; deeper ones are not looked into


# called while a cell traces: AutoGraph would convert it (reading this file's source) otherwise
@tf.autograph.experimental.do_not_convert  # type: ignore[untyped-decorator]
def branch_value(tensor: Any, in_branch: bool = False, depth: int = 0) -> str | None:
    """What ``tensor`` is eagerly when a ``tf.cond`` or ``tf.while_loop`` hands it back from a
    branch (or body) returning a variable's read or a constant as it is: :data:`VARIABLE`,
    :data:`PYTHON`, or None (a tensor eagerly too)."""
    while tensor.op.type == "Identity":
        tensor = tensor.op.inputs[0]
    op = tensor.op
    if op.type in _KINDS:
        return _KINDS[op.type] if in_branch else None
    if op.type in _IF:
        graphs = [getattr(op, "_true_graph", None), getattr(op, "_false_graph", None)]
    elif op.type in _WHILE:
        graphs = [getattr(op, "_body_graph", None)]
    else:
        return None
    index = tensor.value_index
    if depth >= _DEPTH:
        return None
    for graph in graphs:
        if graph is not None and index < len(graph.outputs):
            kind: str | None = branch_value(graph.outputs[index], True, depth + 1)
            if kind is not None:
                return kind
    return None


def bound_names(nodes: Iterable[ast.stmt]) -> dict[str, set[str]]:
    """The names the statements bind to what can be a variable (a name, an attribute or an
    item: ``x = v``, ``x = m.w[0]``) or a Python value (an expression without calls: ``x =
    "text"``, ``x = epoch``, ``x = 2 * n``), by :data:`VARIABLE` and :data:`PYTHON`."""
    found: dict[str, set[str]] = {VARIABLE: set(), PYTHON: set()}
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Assign):
                pairs = [(target, child.value) for target in child.targets]
            elif isinstance(child, ast.AnnAssign) and child.value is not None:
                pairs = [(child.target, child.value)]
            else:
                continue
            for target, value in pairs:
                for name, plain in _bound(target, value):
                    found[PYTHON].add(name)
                    if plain:
                        found[VARIABLE].add(name)
    return found


def _bound(target: ast.expr, value: ast.expr) -> list[tuple[str, bool]]:
    """(name, bound to a name, attribute or item) for each name bound to an expression without
    calls."""
    pairs = (ast.Tuple, ast.List)
    if (
        isinstance(target, pairs)
        and isinstance(value, pairs)
        and len(target.elts) == len(value.elts)
    ):
        return [
            bound for t, v in zip(target.elts, value.elts, strict=True) for bound in _bound(t, v)
        ]
    if any(isinstance(node, ast.Call) for node in ast.walk(value)):
        return []
    plain = isinstance(value, (ast.Name, ast.Attribute, ast.Subscript))
    stored = [
        n for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]
    return [(n.id, plain) for n in stored]
