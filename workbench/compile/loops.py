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


def target_code(node: ast.For) -> ast.Module:
    """``<target> = __wb_loop_item``: the loop's assignment of each item."""
    assign = ast.Assign(targets=[node.target], value=ast.Name(ITEM, ast.Load()))
    ast.copy_location(assign, node)
    return ast.fix_missing_locations(ast.Module(body=[assign], type_ignores=[]))


def _records(node: ast.AST) -> bool:
    """A ``with tf.GradientTape(...)`` (or ``GradientTape()`` imported on its own)."""
    if not isinstance(node, ast.With):
        return False
    for item in node.items:
        call = item.context_expr
        if isinstance(call, ast.Call):
            function = call.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name == "GradientTape":
                return True
    return False


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
