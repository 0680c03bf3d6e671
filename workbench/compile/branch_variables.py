"""Names a tensor ``if`` or loop binds to a ``tf.Variable``, which a trace cannot hand back.

Eagerly, ``if flag: result = v0`` binds the variable itself: ``v0.assign(10.0)`` later shows in
``result``, and ``result.assign(...)`` works. Traced, AutoGraph's ``tf.cond`` (and
``tf.while_loop``) return tensors: the branch reads the variable and the cell is handed that
read, a value no later assignment reaches. Such a branch's output is a ``ReadVariableOp`` (seen
through identities); the statement is a plain binding (``result = v0``, ``w = model.weights[0]``),
not a call such as ``v0.read_value()`` whose value is a tensor eagerly too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

import tensorflow as tf

_IF = frozenset({"If", "StatelessIf"})
_WHILE = frozenset({"While", "StatelessWhile"})
_DEPTH = 32  # nested branches followed; deeper ones are not looked into


# called while a cell traces: AutoGraph would convert it (reading this file's source) otherwise
@tf.autograph.experimental.do_not_convert  # type: ignore[untyped-decorator]
def read_in_branch(tensor: Any, in_branch: bool = False, depth: int = 0) -> bool:
    """Whether ``tensor`` is the output of a ``tf.cond`` or ``tf.while_loop`` whose branch (or
    body) returns a variable's read as it is."""
    while tensor.op.type == "Identity":
        tensor = tensor.op.inputs[0]
    op = tensor.op
    if op.type == "ReadVariableOp":
        return in_branch
    if op.type in _IF:
        graphs = [getattr(op, "_true_graph", None), getattr(op, "_false_graph", None)]
    elif op.type in _WHILE:
        graphs = [getattr(op, "_body_graph", None)]
    else:
        return False
    index = tensor.value_index
    return depth < _DEPTH and any(
        graph is not None
        and index < len(graph.outputs)
        and read_in_branch(graph.outputs[index], True, depth + 1)
        for graph in graphs
    )


def plainly_bound(nodes: Iterable[ast.stmt]) -> set[str]:
    """Names the statements bind to a name, an attribute or an item (``x = v``, ``x = m.w[0]``,
    ``x, y = v, m.w``)."""
    names: set[str] = set()
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    names.update(_bound(target, child.value))
            elif isinstance(child, ast.AnnAssign) and child.value is not None:
                names.update(_bound(child.target, child.value))
    return names


def _bound(target: ast.expr, value: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        plain = isinstance(value, (ast.Name, ast.Attribute, ast.Subscript))
        return [target.id] if plain else []
    pairs = (ast.Tuple, ast.List)
    if (
        isinstance(target, pairs)
        and isinstance(value, pairs)
        and len(target.elts) == len(value.elts)
    ):
        return [name for t, v in zip(target.elts, value.elts, strict=True) for name in _bound(t, v)]
    return []
