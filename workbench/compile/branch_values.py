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

A loop with a tensor condition (``while x > 1.0``, ``for i in tf.range(n)``) also carries the
Python values it updates as tensors: ``steps = 0`` before it and ``steps += 1`` in it leave an
``int`` eagerly and a tensor traced. Such a loop value starts from constants and its body computes
it from itself and constants alone (:data:`CARRIED`); a name bound by a call anywhere in the
statements (``i = tf.constant(0)``) is a tensor eagerly too, and is left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

import tensorflow as tf

VARIABLE = "a tf.Variable"
PYTHON = "a Python value"
CARRIED = "a Python value a loop carries"
_KINDS = {"ReadVariableOp": VARIABLE, "Const": PYTHON}
_IF = frozenset({"If", "StatelessIf"})
# what Python's operators on numbers, bools and strings become in a graph: other ops (a random
# draw, a variable's read, a reduction) make a tensor eagerly as well
_ARITHMETIC = frozenset(
    {
        "Identity", "AddV2", "Add", "Sub", "Mul", "RealDiv", "Div", "TruncateDiv", "FloorDiv",
        "FloorMod", "Pow", "Neg", "Abs", "Cast", "Maximum", "Minimum", "Less", "LessEqual",
        "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr", "LogicalNot",
        "StringJoin", "SelectV2",
    }
)  # fmt: skip
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
    loop = _loop(op)
    if op.type in _IF:
        graphs = [getattr(op, "_true_graph", None), getattr(op, "_false_graph", None)]
    elif loop is not None:
        graphs = [loop[0]]
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
    return CARRIED if loop is not None and _carried(*loop, index) else None


def _loop(op: Any) -> tuple[Any, list[Any]] | None:
    """A ``While`` op's body graph (only while_v2's ops have one) and the initial values of what
    it carries, in the same order as the body's inputs and outputs.

    A loop over a tf.data.Dataset (``ReduceDataset``) never reaches a trace: the statements
    reading a dataset run eagerly (``readings.py``)."""
    body = getattr(op, "_body_graph", None)
    return None if body is None else (body, list(op.inputs))


def _carried(body: Any, initial: list[Any], index: int) -> bool:
    """Whether the loop's value ``index`` is one of those that start from constants and that the
    body computes from such values and constants only (``a, b = b, a + b``): Python values
    eagerly, if they started as such."""
    starts = {i for i, value in enumerate(initial) if _sources(value) == set()}
    updates = {i: _sources(body.outputs[i]) for i in starts}
    python = {i: found for i, found in updates.items() if found is not None}
    while True:
        allowed = {body.inputs[i].name for i in python}
        kept = {i: found for i, found in python.items() if found <= allowed}
        if len(kept) == len(python):
            return index in python
        python = kept


def _sources(tensor: Any) -> set[str] | None:
    """The placeholders of ``tensor``'s graph it is computed from through arithmetic and tensor
    ``if``s (constants aside), or None when another op computes it. Unbounded: a branch graph
    never holds itself, so the walk ends where the nested ``if``s the user wrote do."""
    found: set[str] = set()
    stack, seen = [tensor], set()
    while stack:
        tensor = stack.pop()
        if tensor.name in seen:
            continue
        seen.add(tensor.name)
        op = tensor.op
        if op.type == "Placeholder":
            found.add(tensor.name)
        elif op.type in _IF:
            for graph in (getattr(op, "_true_graph", None), getattr(op, "_false_graph", None)):
                if graph is None:
                    return None
                inner = _sources(graph.outputs[tensor.value_index])
                if inner is None:
                    return None
                # a branch's inputs are the op's, after its condition
                positions = {t.name: i for i, t in enumerate(graph.inputs)}
                stack.extend(op.inputs[1 + positions[name]] for name in inner)
        elif op.type in _ARITHMETIC:
            stack.extend(op.inputs)
        elif op.type != "Const":
            return None
    return found


def bound_names(nodes: Iterable[ast.stmt]) -> dict[str, set[str]]:
    """The names the statements bind to what can be a variable (a name, an attribute or an
    item: ``x = v``, ``x = m.w[0]``) or a Python value (an expression without calls: ``x =
    "text"``, ``x = epoch``, ``x = 2 * n``), by :data:`VARIABLE` and :data:`PYTHON`; and under
    :data:`CARRIED`, those a loop can carry as Python values: bound without calls (``n += 2``
    too) or by ``for n in range(...)``, never by a call, and never from a name bound by one
    (``c = c + i`` after ``i = tf.constant(0)`` is a tensor eagerly)."""
    found: dict[str, set[str]] = {VARIABLE: set(), PYTHON: set()}
    reads: dict[str, set[str]] = {}  # a name bound without calls -> the names it is bound from
    called: set[str] = set()
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Assign):
                pairs = [(target, child.value) for target in child.targets]
            elif isinstance(child, (ast.AnnAssign, ast.AugAssign)) and child.value is not None:
                pairs = [(child.target, child.value)]
            elif isinstance(child, ast.For) and _is_range(child.iter):
                for name in _stored(child.target):
                    reads.setdefault(name, set())
                continue
            else:
                continue
            # ``n += 1`` computes: it never binds a read or a constant as it is
            as_is = not isinstance(child, ast.AugAssign)
            for target, value in pairs:
                bound = _bound(target, value)
                for name, plain, source in bound:
                    reads.setdefault(name, set()).update(_loaded(source))
                    found[PYTHON].update([name] if as_is else [])
                    found[VARIABLE].update([name] if as_is and plain else [])
                called.update(set(_stored(target)) - {name for name, _, _ in bound})
    tensors = set(called)
    while True:
        more = {name for name, sources in reads.items() if sources & tensors} - tensors
        if not more:
            break
        tensors |= more
    found[CARRIED] = set(reads) - tensors
    return found


def _loaded(node: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _is_range(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
    )


def _stored(target: ast.expr) -> list[str]:
    return [
        n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]


def _bound(target: ast.expr, value: ast.expr) -> list[tuple[str, bool, ast.expr]]:
    """(name, bound to a name, attribute or item, the expression) for each name bound to an
    expression without calls."""
    pairs = (ast.Tuple, ast.List)
    if (
        isinstance(target, pairs)
        and isinstance(value, pairs)
        and len(target.elts) == len(value.elts)
    ):
        return [
            bound for t, v in zip(target.elts, value.elts, strict=True) for bound in _bound(t, v)
        ]
    if isinstance(value, ast.IfExp):  # its test's calls make none of the values it picks
        return _bound(target, value.body) + _bound(target, value.orelse)
    if any(isinstance(node, ast.Call) for node in ast.walk(value)):
        return []
    plain = isinstance(value, (ast.Name, ast.Attribute, ast.Subscript))
    return [(name, plain, value) for name in _stored(target)]
