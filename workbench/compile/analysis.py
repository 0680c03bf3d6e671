"""What a cell is made of, read from its syntax tree alone: no TensorFlow, no execution.

A compiled cell is split into the parts that run as plain Python (imports, ``def`` and ``class``
statements: they define things rather than compute) and the statements that become one traced
function, whose inputs are the names it reads before assigning them and whose outputs are the
names it assigns.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

HOISTED = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

# Keras methods whose compiled step the cell's mode should govern (Keras builds and caches its
# own tf.function for these; wrapping them in another one would not switch anything).
KERAS_METHODS = frozenset(
    {"fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch"}
)


@dataclass(frozen=True)
class KerasCall:
    """``<receiver>.fit(...)`` and friends; ``receiver`` is a dotted name, or None if computed."""

    receiver: str | None
    method: str
    statement: int  # index into CellPlan.statements


@dataclass(frozen=True)
class Signature:
    """The traced function's interface, once it is known which names hold tensors."""

    parameters: tuple[str, ...]
    exports: tuple[str, ...]  # assigned names returned to the namespace
    # Assigned only inside a loop or branch and not given a value before it: AutoGraph cannot
    # return a name a tensor loop or condition may leave undefined, so these stay in the cell.
    local: tuple[str, ...]


@dataclass(frozen=True)
class CellPlan:
    """A cell split into what runs as Python and what is traced, with the names that flow."""

    source: str
    hoisted: tuple[ast.stmt, ...]
    statements: tuple[ast.stmt, ...]
    defs: tuple[str, ...]  # top-level function names, in order
    reads: tuple[str, ...]  # names read before the cell assigns them, in order
    stores: tuple[str, ...]  # names the statements assign, in order
    top_stores: frozenset[str]  # ... of which assigned unconditionally (not in a loop or branch)
    # The cell ends in an expression whose value it shows: not hidden by a trailing ';'
    # (IPython's convention, which spares a traced cell returning what nobody will see).
    last_is_expression: bool
    keras_calls: tuple[KerasCall, ...] = field(default=())
    # every top-level statement of the cell, when the plan holds only some of them: a line
    # shared with a statement outside the plan must not be copied into the traced code
    siblings: tuple[ast.stmt, ...] = field(default=())

    @cached_property  # asked on every run; a frozen dataclass still has a __dict__ to cache in
    def typed(self) -> tuple[str, ...]:
        """The names whose holding a tensor (or number) or not can change :meth:`signature`.

        Names read and not reassigned (a parameter if a tensor, captured if not) and names
        assigned only inside a loop or branch (carried if already a tensor). The others are
        parameters or exports whatever they hold; the namespace is asked only about these, on
        every run.
        """
        stored = set(self.stores)
        return tuple(
            dict.fromkeys(
                [n for n in self.reads if n not in stored]
                + [n for n in self.stores if n not in self.top_stores]
            )
        )

    def signature(self, holds_tensor: dict[str, bool], keep_local: bool = False) -> Signature:
        """Parameters and exports, given which names the namespace binds to tensors or numbers.

        Parameters: names read that hold tensors or numbers (the rest, models, optimizers and
        modules, are captured as globals), and names read *and* reassigned whatever they hold
        (as globals they would be locals of the function from its first line on). A name assigned
        only inside a loop that already holds a tensor is a parameter too: the loop carries it
        (not ``_``, IPython's last value, which a ``for _ in`` loop only overwrites).

        ``keep_local``: export the names assigned only inside a loop or branch too (a Python
        loop defines them, as eagerly; a tensor loop cannot, and its trace then fails).
        """
        read, stored = set(self.reads), set(self.stores)
        # kept names need no carrying: the same trace serves once the loop has assigned them
        carried = [
            n
            for n in self.stores
            if n not in self.top_stores and holds_tensor.get(n) and n != "_" and not keep_local
        ]
        parameters = tuple(
            dict.fromkeys(
                [n for n in self.reads if n in stored or holds_tensor.get(n, False)] + carried
            )
        )
        exports = tuple(
            n for n in self.stores if n in self.top_stores or n in read or n in parameters
        )
        local = tuple(n for n in self.stores if n not in exports)
        if keep_local:
            return Signature(parameters, exports + local, ())
        return Signature(parameters, exports, local)


@lru_cache(maxsize=256)
def analyze(source: str) -> CellPlan:
    """Split and read a cell. Cached: re-running an unchanged cell does not parse it again.

    Raises:
        SyntaxError: the cell is not valid Python (after IPython's transforms).
    """
    tree = ast.parse(source)
    hoisted = tuple(node for node in tree.body if isinstance(node, HOISTED))
    statements = tuple(node for node in tree.body if not isinstance(node, HOISTED))
    defs = tuple(
        node.name for node in hoisted if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )
    reads: dict[str, None] = {}
    stores: dict[str, None] = {}
    _flow(statements, reads, stores, set())
    top = {name for node in statements for name in _top_level_stores(node)}
    keras_calls = tuple(
        KerasCall(receiver, method, index)
        for index, node in enumerate(statements)
        for receiver, method in _keras_calls(node)
    )
    return CellPlan(
        source=source,
        hoisted=hoisted,
        statements=statements,
        defs=defs,
        reads=tuple(reads),
        stores=tuple(stores),
        top_stores=frozenset(top),
        last_is_expression=bool(statements)
        and isinstance(statements[-1], ast.Expr)
        and not _ends_with_semicolon(source),
        keras_calls=keras_calls,
    )


def segment_plan(
    source: str,
    statements: tuple[ast.stmt, ...],
    last_is_expression: bool,
    siblings: tuple[ast.stmt, ...],
) -> CellPlan:
    """A plan for some consecutive top-level statements of a cell (``mixed``'s compiled parts).

    ``source`` is the whole cell's text (each statement's lines are read from it) followed by a
    comment that names the part, so that each part has its own traces and cache entries.
    """
    reads: dict[str, None] = {}
    stores: dict[str, None] = {}
    _flow(statements, reads, stores, set())
    return CellPlan(
        source=source,
        hoisted=(),
        statements=statements,
        defs=(),
        reads=tuple(reads),
        stores=tuple(stores),
        top_stores=frozenset(name for node in statements for name in _top_level_stores(node)),
        last_is_expression=last_is_expression,
        siblings=siblings,
    )


def statement_names(node: ast.stmt) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names ``node`` reads before assigning them, names it assigns)."""
    reads: dict[str, None] = {}
    stores: dict[str, None] = {}
    _flow([node], reads, stores, set())
    return tuple(reads), tuple(stores)


def _flow(
    nodes: list[ast.stmt] | tuple[ast.stmt, ...],
    reads: dict[str, None],
    stores: dict[str, None],
    assigned: set[str],
) -> None:
    """Names read before assigned, and names assigned, following statements in execution order.

    Inside a statement, what is evaluated first is visited first (``x = x + 1`` reads x; in a
    loop body, ``loss = f(); g(loss)`` does not read loss). A branch's assignments count as made
    for what follows: a name used after an ``if`` that may not have set it fails eagerly too.
    """

    def load(expr: ast.AST | None) -> None:
        if expr is not None:
            loads, names = _names(expr)
            for name in loads:
                if name not in assigned:
                    reads.setdefault(name)
            for name in names:  # `:=` in a value or a test assigns in the cell's scope
                assigned.add(name)
                stores.setdefault(name)

    def store(target: ast.AST | None) -> None:
        if target is None:
            return
        loads, names = _names(target)  # a[i] = ... loads a and i
        for name in loads:
            if name not in assigned:
                reads.setdefault(name)
        for name in names:
            assigned.add(name)
            stores.setdefault(name)

    for node in nodes:
        if isinstance(node, ast.For | ast.AsyncFor):
            load(node.iter)
            store(node.target)
            _flow(node.body, reads, stores, assigned)
            _flow(node.orelse, reads, stores, assigned)
        elif isinstance(node, ast.While | ast.If):
            load(node.test)
            _flow(node.body, reads, stores, assigned)
            _flow(node.orelse, reads, stores, assigned)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                load(item.context_expr)
                store(item.optional_vars)
            _flow(node.body, reads, stores, assigned)
        elif isinstance(node, ast.Try):
            _flow(node.body, reads, stores, assigned)
            for handler in node.handlers:
                load(handler.type)
                if handler.name:
                    assigned.add(handler.name)
                    stores.setdefault(handler.name)
                _flow(handler.body, reads, stores, assigned)
            _flow(node.orelse, reads, stores, assigned)
            _flow(node.finalbody, reads, stores, assigned)
        elif isinstance(node, ast.Assign):
            load(node.value)
            for target in node.targets:
                store(target)
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name) and node.target.id not in assigned:
                reads.setdefault(node.target.id)  # `x += 1` reads x first
            load(node.value)
            store(node.target)
        elif isinstance(node, ast.AnnAssign):
            load(node.value)
            store(node.target)
        elif isinstance(node, HOISTED):
            # at the top level these are hoisted (not passed here); inside a block a def, class
            # or import binds its name where it runs, like an assignment
            for name in _defined_names(node):
                assigned.add(name)
                stores.setdefault(name)
        else:
            loads, names = _names(node)
            for name in loads:
                if name not in assigned:
                    reads.setdefault(name)
            for name in names:  # walrus, del and the like
                assigned.add(name)
                stores.setdefault(name)


def _defined_names(node: ast.stmt) -> list[str]:
    """The names a def, class or import statement binds."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [
            alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"
        ]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    return []


def _top_level_stores(node: ast.stmt) -> list[str]:
    targets: list[ast.expr] = []
    # `:=` in what a statement evaluates unconditionally (a value, an `if` test)
    evaluated = getattr(node, "test" if isinstance(node, ast.If) else "value", None)
    if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Expr | ast.If):
        targets = _unconditional_walruses(evaluated)
    if isinstance(node, ast.Assign):
        targets += list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets += [node.target]
    elif isinstance(node, ast.With):
        # a with block runs its body once, unconditionally: its assignments are the cell's
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        inner = [name for child in node.body for name in _top_level_stores(child)]
        return [
            n.id
            for t in targets
            for n in ast.walk(t)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        ] + inner
    return [
        n.id
        for t in targets
        for n in ast.walk(t)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]


def _unconditional_walruses(expr: ast.AST | None) -> list[ast.expr]:
    """Targets of ``:=`` in ``expr`` that bind whenever it is evaluated (not inside a
    comprehension, lambda, conditional expression or ``and``/``or``)."""
    found: list[ast.expr] = []
    todo = [] if expr is None else [expr]
    while todo:
        current = todo.pop()
        if isinstance(current, ast.NamedExpr):
            found.append(current.target)
        if isinstance(current, ast.Lambda | ast.IfExp | ast.BoolOp | ast.comprehension):
            continue
        if isinstance(current, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        todo.extend(ast.iter_child_nodes(current))
    return found


def _names(node: ast.AST) -> tuple[list[str], list[str]]:
    loads: list[str] = []
    stores: list[str] = []
    scoped: set[str] = set()
    for child in _walk_cell_scope(node):
        if isinstance(child, ast.comprehension):
            scoped.update(n.id for n in ast.walk(child.target) if isinstance(n, ast.Name))
        elif isinstance(child, ast.Lambda):
            scoped.update(a.arg for a in ast.walk(child.args) if isinstance(a, ast.arg))
        elif isinstance(child, ast.Name):
            if isinstance(child.ctx, ast.Load):
                loads.append(child.id)
            else:
                stores.append(child.id)
        elif isinstance(child, ast.AugAssign) and isinstance(child.target, ast.Name):
            loads.append(child.target.id)  # `x += 1` reads x first
    loads = [name for name in loads if name not in scoped]
    stores = [name for name in stores if name not in scoped]
    return loads, stores


def _walk_cell_scope(node: ast.AST) -> list[ast.AST]:
    """ast.walk without descending into nested function or class bodies."""
    found: list[ast.AST] = []
    todo = [node]
    while todo:
        current = todo.pop()
        found.append(current)
        if current is not node and isinstance(current, HOISTED[2:]):
            continue
        todo.extend(reversed(list(ast.iter_child_nodes(current))))
    return found


def _keras_calls(node: ast.stmt) -> list[tuple[str | None, str]]:
    calls = []
    for child in _walk_cell_scope(node):
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and child.func.attr in KERAS_METHODS
        ):
            calls.append((_dotted(child.func.value), child.func.attr))
    return calls


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _ends_with_semicolon(source: str) -> bool:
    """Whether the last token, comments and line ends aside, is ``;`` (as IPython's displayhook
    decides whether to show a cell's value)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return False
    skipped = (tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    last = next((token for token in reversed(tokens) if token.type not in skipped), None)
    return last is not None and last.type == tokenize.OP and last.string == ";"
