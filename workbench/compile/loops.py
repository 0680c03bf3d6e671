"""Python loops whose body is a training step: the loop runs as Python, its body as statements
of their own on every pass.

A ``for`` over a ``tf.data.Dataset``, an ``enumerate`` of one or a Python list runs eagerly as a
whole (a trace cannot iterate it as Python does, or its body prints), and so did the training
step inside it: the custom training loop of TensorFlow's guides ran every op eagerly. Opened, the
loop iterates in Python and each pass runs its body statement by statement like a cell, so the
step's lines compile once and run compiled on every pass (what the guides write by hand: a
``tf.function`` train step called from a Python loop), while prints and bookkeeping in the body
run as Python. Only a loop whose body records on a ``GradientTape`` is opened: for a body of a
few ops, a compiled call per pass costs more than the ops.

A ``with tf.GradientTape() as tape:`` whose tape serves what follows (persistent, or its gradient
taken in a later cell) ran eagerly as a whole too: a tape made inside a trace lives only there.
Opened (:func:`keeps_tape`), the ``with`` runs as Python, the tape real, and the lines it holds
compile one statement each: every call is recorded on the tape with its gradient, and each
value a statement names is an output of one call and an input of the next, so a gradient with
respect to it (``tape.gradient(z, y)`` for an intermediate ``y``) is the eager one.
"""

from __future__ import annotations

import ast

from workbench.compile.analysis import _walk_cell_scope

ITEM = "__wb_loop_item"  # the pass's item, assigned to the loop's target as Python does


def opens(node: ast.stmt) -> bool:
    """Whether ``node`` is a ``for`` to run as a Python loop around a body run per pass."""
    return (
        isinstance(node, ast.For)
        and not node.orelse
        and any(_records(child) for statement in node.body for child in _walk_cell_scope(statement))
        and not any(_leaves(statement) for statement in node.body)
    )


def keeps_tape(node: ast.stmt, after: tuple[ast.stmt, ...]) -> bool:
    """Whether ``node`` is a ``with`` of gradient tapes alone whose tapes serve what follows it:
    persistent ones, or ones whose gradient none of the statements ``after`` it takes (a tape
    used up in the cell compiles with its lines, ``tapes``)."""
    if not isinstance(node, ast.With) or any(_leaves(statement) for statement in node.body):
        return False
    names = []
    for item in node.items:
        if not _tape_call(item.context_expr) or not isinstance(item.optional_vars, ast.Name):
            return False
        names.append(item.optional_vars.id)
    if any(_persistent(item.context_expr) for item in node.items):
        return True
    return not any(
        isinstance(child, ast.Call)
        and isinstance(child.func, ast.Attribute)
        and child.func.attr in _GRADIENTS
        and isinstance(child.func.value, ast.Name)
        and child.func.value.id in names
        for statement in after
        for child in ast.walk(statement)
    )


_GRADIENTS = frozenset({"gradient", "jacobian", "batch_jacobian"})


def target_code(node: ast.For) -> ast.Module:
    """``<target> = __wb_loop_item``: the loop's assignment of each item."""
    return assign_code(node.target, node)


def assign_code(target: ast.expr, at: ast.stmt) -> ast.Module:
    """``<target> = __wb_loop_item``, located at ``at``."""
    assign = ast.Assign(targets=[target], value=ast.Name(ITEM, ast.Load()))
    ast.copy_location(assign, at)
    return ast.fix_missing_locations(ast.Module(body=[assign], type_ignores=[]))


def _records(node: ast.AST) -> bool:
    """A ``with tf.GradientTape(...)`` (or ``GradientTape()`` imported on its own)."""
    return isinstance(node, ast.With) and any(_tape_call(i.context_expr) for i in node.items)


def _tape_call(call: ast.expr) -> bool:
    if not isinstance(call, ast.Call):
        return False
    function = call.func
    name = function.attr if isinstance(function, ast.Attribute) else None
    name = function.id if isinstance(function, ast.Name) else name
    return name == "GradientTape"


def _persistent(call: ast.expr) -> bool:
    """``persistent=True`` given (not a name: what it holds is not known here, so not opened
    unless no later statement takes a gradient)."""
    assert isinstance(call, ast.Call)
    return any(
        k.arg == "persistent" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    )


def _leaves(node: ast.AST, nested: bool = False) -> bool:
    """A ``break`` or ``continue`` of the opened loop (one of an inner loop is the inner
    loop's), or a ``return``/``yield``/``await``: they act on the loop, not on a statement."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
        return False
    if isinstance(node, ast.Break | ast.Continue):
        return not nested
    if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom | ast.Await):
        return True
    inner = nested or isinstance(node, ast.For | ast.While | ast.AsyncFor)
    return any(_leaves(child, inner) for child in ast.iter_child_nodes(node))
