"""The tensor computation inside a statement that runs eagerly, lifted out so that it compiles.

``print(a @ b)`` runs eagerly (a trace would print a symbolic tensor, once), but ``a @ b`` need
not: it becomes ``_wb_lifted_3 = a @ b`` just before the print, which compiles with the traced
statements around it, and the print shows the real value. The same holds for the arguments of
``display``, for the value under ``.numpy()``, ``float()``, ``str.format`` or an f-string in
any statement, and for the initial value of a ``tf.Variable``.

What is lifted has no effect Python could see and tests no identity, and it runs right before its
statement, in the order the statement evaluates it, so what is printed, and where an error
stops the cell, stay the eager cell's. The names are removed when the cell ends.
"""

from __future__ import annotations

import ast
import copy

from workbench.compile.statements import python_reason

PREFIX = "_wb_lifted_"

SHOWING = frozenset({"print", "display"})

# Python conversions whose argument may compile: the conversion itself runs eagerly
CONVERSIONS = frozenset({"float", "int", "bool", "str", "repr", "round", "list", "tuple"})
READS = frozenset({"numpy", "item", "tolist", "to_list"})
# What a trace would answer differently: identity, membership and type tests, short-circuits,
# and anything that makes a scope or binds a name
_REFUSED = (
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.NamedExpr,
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.IfExp,
    ast.BoolOp,
    ast.Starred,
    ast.JoinedStr,
)
_COMPUTES = (ast.Call, ast.BinOp, ast.UnaryOp, ast.Subscript, ast.Compare)
_TYPE_TESTS = frozenset({"isinstance", "issubclass", "type", "id", "hash", "callable", "hasattr"})


def lift(nodes: tuple[ast.stmt, ...]) -> tuple[tuple[ast.stmt, ...], tuple[str, ...]]:
    """The cell's statements with tensor computation lifted out of eager ones, and the names
    the lifted statements assign (to remove when the cell ends)."""
    out: list[ast.stmt] = []
    names: list[str] = []
    for node in nodes:
        found = _candidates(node)
        if not found:
            out.append(node)
            continue
        rewritten = copy.deepcopy(node)
        found = _candidates(rewritten)
        mine = [f"{PREFIX}{len(names) + i}" for i in range(len(found))]
        names.extend(mine)
        values = [copy.deepcopy(expr) for expr in found]
        _Replace({id(e): n for e, n in zip(found, mine, strict=True)}).visit(rewritten)
        target: ast.expr
        if len(mine) == 1:
            target, value = ast.Name(mine[0], ast.Store()), values[0]
        else:
            target = ast.Tuple([ast.Name(n, ast.Store()) for n in mine], ast.Store())
            value = ast.Tuple(values, ast.Load())
        assign = ast.Assign(targets=[target], value=value)
        # the lifted values are reported, and fail, on the line they come from
        ast.copy_location(assign, found[0])
        assign.end_lineno = max(e.end_lineno or e.lineno for e in found)
        out.append(ast.fix_missing_locations(assign))
        out.append(rewritten)
    return tuple(out), tuple(names)


def _candidates(node: ast.stmt) -> list[ast.expr]:
    """The sub-expressions of ``node`` to compute before it, in evaluation order; none unless
    everything else the statement evaluates is a harmless wrapper (so nothing it does can move
    before or after a lifted value)."""
    if not isinstance(node, ast.Expr | ast.Assign):
        return []
    value = node.value
    if isinstance(value, ast.Call) and _is_variable(value.func):
        initial = value.args[:1] or [k.value for k in value.keywords if k.arg == "initial_value"]
        found = [e for e in initial if _liftable(e)]
    elif _liftable(value):
        return []  # the statement compiles as it is (or runs eagerly for what it reads)
    else:
        found = _within(value)
    if not found:
        return []
    lifted = {id(e) for e in found}
    for child in _walk_outside(value, lifted):
        if isinstance(child, ast.Call) and not _harmless(child):
            return []
    return found


def _within(expr: ast.expr) -> list[ast.expr]:
    if _liftable(expr):
        return [expr]
    parts: list[ast.expr] = []
    if isinstance(expr, ast.Call):
        function = expr.func
        if isinstance(function, ast.Name) and function.id in SHOWING | CONVERSIONS:
            parts = list(expr.args)
        elif isinstance(function, ast.Attribute) and function.attr in READS:
            parts = [function.value, *expr.args]
        elif isinstance(function, ast.Attribute) and function.attr == "format":
            parts = list(expr.args)
    elif isinstance(expr, ast.Tuple | ast.List):
        parts = list(expr.elts)
    elif isinstance(expr, ast.JoinedStr):
        parts = [v.value for v in expr.values if isinstance(v, ast.FormattedValue)]
    elif isinstance(expr, ast.BinOp):
        parts = [expr.left, expr.right]
    elif isinstance(expr, ast.UnaryOp):
        parts = [expr.operand]
    return [found for part in parts for found in _within(part)]


def _harmless(call: ast.Call) -> bool:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id in SHOWING | CONVERSIONS | _TYPE_TESTS | {"len", "abs", "sorted"}
    if isinstance(function, ast.Attribute):
        return function.attr in READS | {"format"} or _is_variable(function)
    return False


def _is_variable(function: ast.expr) -> bool:
    return isinstance(function, ast.Attribute) and function.attr == "Variable"


def _walk_outside(expr: ast.expr, lifted: set[int]) -> list[ast.AST]:
    found: list[ast.AST] = []
    todo: list[ast.AST] = [expr]
    while todo:
        current = todo.pop()
        if id(current) in lifted:
            continue
        found.append(current)
        todo.extend(ast.iter_child_nodes(current))
    return found


def _liftable(expr: ast.expr) -> bool:
    if not isinstance(expr, _COMPUTES):
        return False  # a name, a constant or an attribute: nothing to compute
    for child in ast.walk(expr):
        if isinstance(child, _REFUSED):
            return False
        if isinstance(child, ast.Compare) and any(
            isinstance(op, ast.Is | ast.IsNot | ast.In | ast.NotIn) for op in child.ops
        ):
            return False
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Name)
            and child.func.id in _TYPE_TESTS
        ):
            return False
    probe = ast.Assign(targets=[ast.Name(PREFIX, ast.Store())], value=expr)
    return python_reason(ast.fix_missing_locations(ast.copy_location(probe, expr))) is None


class _Replace(ast.NodeTransformer):
    def __init__(self, names: dict[int, str]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> ast.AST:
        name = self.names.get(id(node))
        if name is not None:
            return ast.copy_location(ast.Name(name, ast.Load()), node)
        visited: ast.AST = super().visit(node)
        return visited


def is_lifted(node: ast.stmt) -> bool:
    """Whether ``node`` is a statement :func:`lift` made."""
    if not isinstance(node, ast.Assign):
        return False
    target = node.targets[0]
    first = target.elts[0] if isinstance(target, ast.Tuple) and target.elts else target
    return isinstance(first, ast.Name) and first.id.startswith(PREFIX)
