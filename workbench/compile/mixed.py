"""A compiled cell as eager Python around compiled parts, statement by statement, in order.

Each top-level statement is either traced or run eagerly. Eagerly: what is Python by nature
(``statements.python_reason``: printing, ``.numpy()``, making variables, models and datasets,
magics, definitions), what reads a value a trace cannot use (a tape recorded in another cell, an
iterator, a NumPy or matplotlib module, an object of the user's own class), and what computes
with no TensorFlow at all (``epochs = 3`` stays a Python int). The statements in between run as
one traced function each, with the real values of everything that ran before them. A loop
around a training step and a ``with`` of tapes kept for later run as Python, the statements
they hold as a cell does (``loops``).

A compiled part whose first trace fails, prints, or changes a Python list or dict in place runs
eagerly instead (the lists and dicts put back first; ``parts.first_trace``), and says so once;
under XLA a part whose graph holds strings or Python callbacks runs as a plain ``tf.function``
(XLA would abort the process on strings). A compiled part that fails while it runs, having
written no variable, runs again eagerly, so the error the user sees is the eager cell's.
"""

from __future__ import annotations

import ast
import contextlib
import types
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tensorflow as tf

from workbench.compile.analysis import CellPlan, _walk_cell_scope, statement_names
from workbench.compile.codegen import cell_line
from workbench.compile.errors import explain, is_xla_refusal
from workbench.compile.layout import Layout, layout
from workbench.compile.lift import is_lifted, lift
from workbench.compile.loops import ITEM, assign_code, keeps_tape, opens, target_code
from workbench.compile.modes import Mode
from workbench.compile.namespace import Namespace
from workbench.compile.nan_rules import NanUnderXla
from workbench.compile.parts import (
    branch_values,
    first_trace,
    made_at,
    part_plan,
    part_report,
    plan_has_local,
    refusal,
    trace_notes,
    wrote_variables,
)
from workbench.compile.readings import (
    PYTHON,
    made_anew,
    reads_pending_globals,
    value_reason,
)
from workbench.compile.report import CellReport
from workbench.compile.statements import DEFINITIONS, python_reason
from workbench.compile.traces import call_cell, cell_function

QUIET = frozenset({DEFINITIONS, PYTHON})


@dataclass
class _Run:
    namespace: Namespace
    mode: Mode
    layout: Layout
    report: CellReport
    eager: list[str] = field(default_factory=list)  # "line 7 print"
    value: Any = None
    # in a loop's body (``_loop``): the names the loop assigns, which may change every pass
    per_pass: frozenset[str] = frozenset()
    # the cell's first run in this namespace and mode: what reads objects its own eager lines
    # made compiles too (a first run traces anyway; a re-run would trace again, so it runs
    # eagerly then)
    first_run: bool = False
    # in a tape's ``with`` (``_tape_block``): each statement a compiled part of its own
    split: bool = False


# cells run before: (namespace, mode, source), oldest first
_ran: dict[tuple[int, Mode, str], None] = {}
_RAN_KEPT = 4096


def run_mixed(
    plan: CellPlan, namespace: Namespace, mode: Mode, first_line: int, report: CellReport
) -> Any:
    """Run the cell statement by statement into ``report``; returns the cell's value.

    A cell whose statements are all traced is one function, named "cell", whose re-runs take
    ``traces.warm_cell``'s short path.
    """
    cell = layout(plan.source, first_line, plan.last_is_expression)
    key = (id(namespace), mode, plan.source)
    first_run = key not in _ran
    _ran[key] = None
    if len(_ran) > _RAN_KEPT:
        del _ran[next(iter(_ran))]
    try:
        run = _Run(namespace, mode, cell, report, first_run=first_run)
        return _run_mixed(plan, run, first_line)
    finally:
        _forget(namespace, cell.lifted)


def _run_mixed(plan: CellPlan, run: _Run, first_line: int) -> Any:
    pending, pending_names = _statements(run)
    nodes = run.layout.nodes
    if len(pending) == len(nodes) and nodes:
        _compiled(run, tuple(pending), whole=(plan, first_line - 1))
        return run.value
    _flush(run, pending, pending_names)
    if run.eager:
        run.report.eager.extend(run.eager)
    return run.value


def _statements(run: _Run) -> tuple[list[int], set[str]]:
    """Run the statements, eager ones as they come and traceable ones in parts; returns the
    last part, not yet run (the caller runs it, as the whole cell when it is every statement)."""
    namespace = run.namespace
    pending: list[int] = []
    pending_names: set[str] = set()
    made: dict[str, int] = {}  # names eager statements of this run assigned -> their line
    nodes = run.layout.nodes
    for index, node in enumerate(nodes):
        if keeps_tape(node, nodes[index + 1 :]):
            _flush(run, pending, pending_names)
            run.eager.append(
                f"line {node.lineno} with GradientTape (runs as Python; the lines it holds"
                " compile one by one, recorded on the tape)"
            )
            _tape_block(run, index)
            made.update(dict.fromkeys(statement_names(node)[1], node.lineno))
            continue
        reason = (
            (_branches_on_tape(node) if run.split else None)
            or python_reason(node)
            or value_reason(node, namespace, pending_names)
            or (None if run.first_run else made_anew(node, namespace, made))
            or _changes_every_pass(node, run)
        )
        if reason == PYTHON and pending and not statement_names(node)[0]:
            reason = None  # `lr = 0.1` between compiled lines: a constant the trace hands back
        if reason is None and reads_pending_globals(node, namespace, pending_names):
            _flush(run, pending, pending_names)
        if reason is None:
            pending.append(index)
            pending_names.update(statement_names(node)[1])
            if run.split:
                _flush(run, pending, pending_names)
            continue
        _flush(run, pending, pending_names)
        if opens(node):
            run.eager.append(f"line {node.lineno} for (each pass runs its body as a cell does)")
            _loop(run, index)
        else:
            _eager(run, (index,))
            if reason not in QUIET:
                run.eager.append(f"{_lines(node, node)} {reason}")
        made.update(dict.fromkeys(statement_names(node)[1], node.lineno))
    return pending, pending_names


def _loop(run: _Run, index: int) -> None:
    """A ``for`` whose body is a training step (``loops``): Python iterates, and each pass runs
    the body as statements of their own. The report holds the last pass's parts."""
    node = run.layout.nodes[index]
    assert isinstance(node, ast.For)
    body = _body(run.layout, index)
    names = run.per_pass | frozenset(statement_names(node)[1])
    inner = _Run(run.namespace, run.mode, body, run.report, per_pass=names)
    assign = compile(target_code(node), run.layout.filename, "exec")
    iterable = eval(compile(ast.Expression(node.iter), run.layout.filename, "eval"), run.namespace)
    functions, notes = len(run.report.functions), len(run.report.notes)
    try:
        for item in iterable:
            del run.report.functions[functions:], run.report.notes[notes:]
            run.namespace[ITEM] = item
            exec(assign, run.namespace)
            pending, pending_names = _statements(inner)
            _flush(inner, pending, pending_names)
    finally:
        run.namespace.pop(ITEM, None)
        _forget(run.namespace, body.lifted)
    run.eager.extend(dict.fromkeys(inner.eager))


def _tape_block(run: _Run, index: int) -> None:
    """A ``with`` of tapes that serve what follows (``loops.keeps_tape``): entered as Python,
    the tapes real; the statements it holds run as a cell does, each compiled on its own."""
    node = run.layout.nodes[index]
    assert isinstance(node, ast.With)
    body = _body(run.layout, index)
    inner = _Run(
        run.namespace,
        run.mode,
        body,
        run.report,
        per_pass=run.per_pass,
        first_run=run.first_run,
        split=True,
    )
    filename = run.layout.filename
    with contextlib.ExitStack() as stack:
        for item in node.items:
            expression = compile(ast.Expression(item.context_expr), filename, "eval")
            run.namespace[ITEM] = stack.enter_context(eval(expression, run.namespace))
            try:
                assert item.optional_vars is not None
                exec(
                    compile(assign_code(item.optional_vars, node), filename, "exec"), run.namespace
                )
            finally:
                run.namespace.pop(ITEM, None)
        try:
            pending, pending_names = _statements(inner)
            _flush(inner, pending, pending_names)
        finally:
            _forget(run.namespace, body.lifted)
    run.eager.extend(dict.fromkeys(inner.eager))


def _branches_on_tape(node: ast.stmt) -> str | None:
    """Why a statement on a tape runs eagerly: traced, a branch on a tensor is a ``tf.cond``
    that records both branches, so a variable only the branch not taken reads gets a zero
    gradient where eagerly it gets None (and a branch naming a variable hands back a tensor)."""
    for child in _walk_cell_scope(node):
        if isinstance(child, ast.If | ast.While | ast.IfExp | ast.For):
            return "branches or loops on the tape (as eagerly: only the branch taken is recorded)"
    return None


def _changes_every_pass(node: ast.stmt, run: _Run) -> str | None:
    """Why a statement of a loop's body runs eagerly: it reads a Python number the loop assigns
    (``step`` of ``enumerate``), which a trace takes as a constant, tracing again every pass."""
    for name in statement_names(node)[0] if run.per_pass else ():
        value = run.namespace.get(name)
        if name in run.per_pass and isinstance(value, int | float) and not tf.is_tensor(value):
            return f"`{name}` is a Python number that changes every pass"
    return None


@lru_cache(maxsize=64)
def _body(cell: Layout, index: int) -> Layout:
    """The body of a loop or ``with`` as a layout of its own: its source names the statement,
    so that its parts have their own traces."""
    node = cell.nodes[index]
    assert isinstance(node, ast.For | ast.With)
    nodes, lifted = lift(tuple(node.body))
    kind = "loop" if isinstance(node, ast.For) else "with"
    source = f"{cell.source}\n# the body of the {kind} on line {node.lineno}\n"
    return Layout(source, cell.filename, nodes, False, lifted)


def run_eagerly(plan: CellPlan, namespace: Namespace, first_line: int) -> Any:
    """The whole cell as the eager cell runs it (after a compiled run failed with no effect)."""
    cell = layout(plan.source, first_line, plan.last_is_expression)
    run = _Run(namespace, "eager", cell, CellReport(mode="eager"))
    try:
        _eager(run, tuple(range(len(cell.nodes))))
    finally:
        _forget(namespace, cell.lifted)
    return run.value


def _forget(namespace: Namespace, names: tuple[str, ...]) -> None:
    for name in names:
        namespace.pop(name, None)


def _lines(first: ast.stmt, last: ast.stmt) -> str:
    end = last.end_lineno or last.lineno
    return f"line {first.lineno}" if end == first.lineno else f"lines {first.lineno}-{end}"


def _flush(run: _Run, pending: list[int], pending_names: set[str]) -> None:
    if pending:
        indices = tuple(pending)
        pending.clear()
        pending_names.clear()
        _compiled(run, indices)


def _eager(run: _Run, indices: tuple[int, ...]) -> None:
    """The statements as the eager cell runs them; the last one's value if the cell shows it."""
    nodes = run.layout.nodes
    for index in indices:
        node = nodes[index]
        if index == len(nodes) - 1 and run.layout.shows:
            assert isinstance(node, ast.Expr)
            code = compile(ast.Expression(body=node.value), run.layout.filename, "eval")
            run.value = eval(code, run.namespace)
        else:
            exec(_code(node, run.layout.filename), run.namespace)


@lru_cache(maxsize=1024)
def _code(node: ast.stmt, filename: str) -> types.CodeType:
    return compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")


def _compiled(
    run: _Run, indices: tuple[int, ...], whole: tuple[CellPlan, int] | None = None
) -> None:
    """Consecutive traceable statements as one traced function, or eagerly if they cannot be.

    ``whole``: every statement of the cell, as the cell's own plan and the offset from its lines
    to the user's (what ``warm_cell`` serves next time).
    """
    nodes = run.layout.nodes
    first, last = nodes[indices[0]], nodes[indices[-1]]
    is_last = indices[-1] == len(nodes) - 1
    plan, offset = whole or (part_plan(run.layout, indices, is_last and run.layout.shows), 0)
    where = _lines(first, last)
    name = "cell" if whole else f"compiled {where}"
    mode = run.mode
    noted = len(run.report.notes)
    traced_now = 0.0
    for keep_local in (True, False):
        # first with the names a loop assigns (a Python loop defines them, as eagerly), then,
        # if the trace failed (a tensor loop cannot define them), without
        part = cell_function(plan, run.namespace, mode, run.report.notes, keep_local=keep_local)
        if part.fallback is None and part.function.experimental_get_tracing_count() == 0:
            traced_now += first_trace(run.namespace, run.layout, part, where, offset, indices)
        if part.fallback is None or not plan_has_local(plan):
            break
        # under XLA, a tensor loop that hands back its own names needs AutoGraph's string
        # bookkeeping, which XLA cannot take: XLA-compiled without them beats tf.function
        unnamed = part.refused is not None and part.refused.line is None
        if part.fallback[0] != "eager" and not (mode == "xla" and unnamed):
            break
        if branch_values(part, run.layout, indices):  # kept local, the names would vanish
            break
        del run.report.notes[noted:]
    if part.fallback is not None and part.fallback[0] == "function":
        run.report.notes.append(part.fallback[1])
        mode = "function"
        part = cell_function(plan, run.namespace, mode, run.report.notes, keep_local=keep_local)
        if part.fallback is None and part.function.experimental_get_tracing_count() == 0:
            traced_now += first_trace(run.namespace, run.layout, part, where, offset, indices)
    if part.fallback is not None and is_lifted(last):
        # a value lifted out of an eager statement (``lift``) that a trace cannot compute: the
        # statements before it compile on their own, and it is computed as eagerly, unsaid
        del run.report.notes[noted:]
        if len(indices) > 1:
            _compiled(run, indices[:-1])
        _eager(run, indices[-1:])
        return
    if part.fallback is not None:  # "eager": the statements run as Python
        del run.report.notes[noted:]  # what the trace said is moot
        if part.fallback[1]:
            run.report.notes.append(part.fallback[1])
        try:
            _eager(run, indices)
        except BaseException:
            part.fallback = None  # it fails eagerly too: the user's own error, not a trace's
            raise
        return
    part.made_at = {name: made_at(run.layout, indices, name) for name in part.not_exported}
    try:
        value, seconds = call_cell(part, run.namespace)
    except Exception as exc:
        if mode == "xla" and (is_xla_refusal(exc) or isinstance(exc, NanUnderXla)):
            note = f"{where} ran as tf.function: {refusal(exc)}"
            part.fallback = ("function", note)
            run.report.notes.append(note)
            mode = "function"
            part = cell_function(plan, run.namespace, mode, run.report.notes, keep_local=keep_local)
            value, seconds = call_cell(part, run.namespace)
        elif wrote_variables(part, run.namespace):
            lines = run.layout.source.splitlines()
            files = {part.filename: cell_line(0) + offset}
            raise explain(exc, mode, files, lines, 1, ran="part" if not whole else True) from exc
        else:
            # nothing it did can be seen: the eager run raises the eager cell's own error
            _eager(run, indices)
            return
    if whole and mode == run.mode:
        # warm_cell serves the next run
        cell_function(plan, run.namespace, mode, remember=True, keep_local=keep_local)
    if traced_now and part.first_call_seconds is not None:
        part.first_call_seconds += traced_now
    if is_last and run.layout.shows:
        run.value = value
    run.report.functions.append(part_report(part, name, seconds, run.mode, mode))
    run.report.notes.extend(trace_notes(part))
