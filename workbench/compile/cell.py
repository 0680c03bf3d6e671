"""``compile_cell``: run a cell's code eagerly, as ``tf.function``s, or XLA-compiled, with the
observable behaviour of the eager cell.

A compiled cell runs statement by statement (``mixed``): its tensor computation as traced
functions (``codegen``, ``traces``), what is Python by nature (printing, ``.numpy()``, making
variables, definitions, magics) eagerly around them, in order, with the real values; Python
values stay Python values. What ran before a failing statement stays done, as eagerly. A cell
that calls Keras' ``fit`` and friends runs as Python, with each model switched to the cell's mode
(``keras_mode``); such a cell, and ``--compare``, leave the namespace as it was if they fail.

This module only decides which path a cell takes and gathers the report. Re-running an unchanged
traced cell is the common case (a training step re-run in a loop pays it every step), so it has
its own short path: no parsing, no cache keys, no copy of the namespace, just the checks that the
latest trace still fits (``traces.warm_cell``), the call and the report."""

from __future__ import annotations

import ast
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import tensorflow as tf

from workbench.compile.analysis import CellPlan, analyze
from workbench.compile.codegen import cell_file, cell_line
from workbench.compile.compare import compare_cell
from workbench.compile.errors import CompileError, explain, is_xla_refusal
from workbench.compile.keras_mode import applied, is_keras_model, settings_for
from workbench.compile.mixed import run_eagerly, run_mixed
from workbench.compile.modes import LABELS, Mode, check, tf_debug
from workbench.compile.namespace import Namespace, restored_on_failure
from workbench.compile.parts import trace_notes, wrote_variables
from workbench.compile.report import CellReport, FunctionReport
from workbench.compile.traces import (
    CellFunction,
    call_cell,
    cell_function,
    warm_cell,
)


class CellRun:
    """What ``compile_cell`` returns: the value of the cell's last expression and the report.

    ``content`` is the report's ``CellReport.content()``, always at hand. A re-run of a traced
    cell that says nothing new (the common case, which a display would not show) builds its
    report only when ``report`` is first read, from values taken when it ran.
    """

    __slots__ = ("_build", "_report", "content", "value")

    def __init__(self, value: Any, report: CellReport) -> None:
        self.value = value
        self._report: CellReport | None = report
        self._build: Callable[[], CellReport] | None = None
        self.content = report.content()

    @classmethod
    def later(
        cls, value: Any, content: tuple[object, ...], build: Callable[[], CellReport]
    ) -> CellRun:
        """A run whose report ``build()`` makes when asked, and whose content is ``content``."""
        run = cls.__new__(cls)
        run.value, run.content, run._report, run._build = value, content, None, build
        return run

    @property
    def report(self) -> CellReport:
        if self._report is None:
            assert self._build is not None  # one of the two is always set
            self._report, self._build = self._build(), None
        return self._report

    def __repr__(self) -> str:
        return f"CellRun(value={self.value!r}, report={self.report!r})"


def compile_cell(
    source: str,
    namespace: Namespace,
    mode: str = "function",
    *,
    compare: bool = False,
    steps: int = 10,
    first_line: int = 1,
) -> CellRun:
    """Run ``source`` in ``namespace`` in ``mode`` ("eager", "function" or "xla").

    Args:
        source: the cell's Python code (IPython syntax already transformed).
        namespace: the kernel's user namespace (read and written like a module's globals).
        mode: how the cell's code runs. Default: "function".
        compare: also time the cell in all three modes and check that their outputs agree
            (``compare.compare_modes``), before the run in ``mode`` that updates the namespace.
            Default: False.
        steps: timed runs per mode for ``compare``. Default: 10.
        first_line: the line number, as the user sees it, of the first line of ``source``
            (2 below a ``%%compile`` line), for error messages. Default: 1.

    Returns:
        A :class:`CellRun` with the last expression's value (None when the cell ends in ``;``,
        as IPython shows no value then) and a :class:`CellReport`.

    Raises:
        SyntaxError: the cell is not valid Python.
        CompileError: tracing, compiling or running the compiled code failed (names the line).

    Example:
        >>> run = compile_cell("y = x * 2\\ny", {"x": tf.ones([2])}, "function")  # doctest: +SKIP
        >>> run.report  # doctest: +SKIP
        %%compile function · cell · 1 trace · first call 40.1 ms · this run 40.1 ms
    """
    if steps < 1:
        raise ValueError(f"Expected steps to be a positive integer. Received: {steps!r}")
    if not compare:
        cell = warm_cell(namespace, mode, source)  # found: ``mode`` was checked when remembered
        if cell is not None:
            return _rerun(cell, source, namespace, check(mode), first_line)
    mode = check(mode)
    try:
        plan = analyze(source)
    except SyntaxError as exc:
        if exc.lineno is not None:  # the line as the user sees it (below a %%compile line)
            exc.lineno += first_line - 1
            if exc.end_lineno is not None:
                exc.end_lineno += first_line - 1
        raise
    if mode != "eager" and not plan.keras_calls and not compare:
        # Statement by statement, as the eager cell: what ran before a failure stays done
        report = CellReport(mode=mode, tf_debug=tf_debug())
        value = run_mixed(plan, namespace, mode, first_line, report)
        return CellRun(value, report)
    # an eager cell is plain Python: what ran before a failure stays, as without the magic
    keep: tuple[type[BaseException], ...] = (
        (BaseException,) if mode == "eager" and not compare else (_AsEagerly,)
    )
    try:
        with restored_on_failure(namespace, keep=keep):
            return _run(plan, namespace, mode, compare=compare, steps=steps, first_line=first_line)
    except _AsEagerly as failure:
        raise failure.error from None


class _AsEagerly(Exception):
    """A statement of a Keras cell that calls no Keras method failed: it is the user's own error,
    raised as the eager cell raises it, with what the statements before it did kept."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class _AfterPython(Exception):
    """A Keras call failed compiled after statements of its cell ran as Python: the message says
    that what they did stays done."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _python_mode(plan: CellPlan, mode: Mode) -> Mode | None:
    """The mode the cell's statements run in as Python, or None when they are traced."""
    if mode == "eager" or not plan.statements or plan.keras_calls:
        return mode  # a Keras call runs in ``mode`` through the model's own settings
    if "get_ipython" in plan.reads:
        return "eager"  # magics and shell commands: Python by nature
    return None


def _rerun(
    cell: CellFunction, source: str, namespace: Namespace, mode: Mode, first_line: int
) -> CellRun:
    """A traced cell run again on a namespace that still fits its latest trace."""
    debug = tf_debug()
    try:
        value, seconds = call_cell(cell, namespace)
    except Exception as exc:
        if isinstance(exc, tf.errors.OpError) and not wrote_variables(cell, namespace):
            # nothing it did can be seen: the eager run raises the eager cell's own error
            return CellRun(run_eagerly(analyze(source), namespace, first_line), CellReport(mode))
        files = {cell_file(source): 0, cell.filename: cell_line(0)}
        raise _failed(exc, mode, files, source, first_line) from exc
    # What the report would say, less this run's time, changes only with a trace (the notes,
    # the first call's time and the retrace reasons all come from the trace) or with tf_debug.
    facts = _facts(cell)

    def build() -> CellReport:
        report = CellReport(mode=mode, tf_debug=debug)
        _report_traced(report, facts, seconds)
        return report

    if cell.content[0] == (debug, facts[0]):
        return CellRun.later(value, cell.content[1], build)
    run = CellRun(value, build())
    cell.content = ((debug, facts[0]), run.content)
    return run


def _failed(
    exc: Exception, mode: Mode, files: dict[str, int], source: str, first_line: int
) -> CompileError:
    # An OpError is raised while the graph runs, after any op before the failing one ran;
    # anything else failed while tracing or compiling, before a variable could change.
    ran = isinstance(exc, tf.errors.OpError) and not is_xla_refusal(exc)
    return explain(exc, mode, files, source.splitlines(), first_line, ran=ran)


_Facts = tuple[int, float | None, list[str], tuple[str, ...]]


def _facts(cell: CellFunction) -> _Facts:
    """What a traced cell's report says of its trace: tracing count, the latest tracing call's
    time, why it retraced, the notes."""
    traces = cell.traces
    return (traces, cell.first_call_seconds, cell.retrace_reasons(traces), _notes(cell, traces))


def _report_traced(report: CellReport, facts: _Facts, seconds: float) -> None:
    traces, first_call_seconds, reasons, notes = facts
    report.functions.append(
        FunctionReport(
            name="cell",
            traces=traces,
            first_call_seconds=first_call_seconds,
            run_seconds=seconds,
            retrace_reasons=reasons,
        )
    )
    report.notes.extend(notes)


def _notes(cell: CellFunction, traces: int) -> tuple[str, ...]:
    if cell.notes[0] != traces:  # what the trace kept changes only with a trace
        cell.notes = (traces, _trace_notes(cell))
    return cell.notes[1]


def _trace_notes(cell: CellFunction) -> tuple[str, ...]:
    return trace_notes(cell)


def _run(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    *,
    compare: bool,
    steps: int,
    first_line: int,
) -> CellRun:
    source_file = cell_file(plan.source)
    files = {source_file: 0}
    report = CellReport(mode=mode, tf_debug=tf_debug())

    def failed(exc: Exception) -> CompileError:
        return _failed(exc, mode, files, plan.source, first_line)

    _exec(plan.hoisted, namespace, source_file)
    if compare:
        try:
            report.comparison = compare_cell(plan, namespace, mode, steps)
        except CompileError:
            raise
        except Exception as exc:
            raise failed(exc) from exc

    python_mode = _python_mode(plan, mode)
    if python_mode == "eager" and mode != "eager":
        report.notes.append("ran eagerly: the cell uses IPython magics or shell commands")
        value = _run_python(plan, namespace, python_mode, source_file, report)
    elif python_mode is not None:
        try:
            value = _run_python(plan, namespace, python_mode, source_file, report)
        except _AsEagerly:
            raise
        except _AfterPython as failure:  # statements before the Keras call ran, as Python
            lines = plan.source.splitlines()
            error = failure.error
            raise explain(error, mode, files, lines, first_line, ran="after") from error
        except Exception as exc:
            if mode == "eager":
                raise  # plain Python: the user's own traceback is the best explanation
            raise failed(exc) from exc
    else:
        remember = not plan.hoisted  # the whole run is this call: warm_cell may serve it
        cell = cell_function(plan, namespace, mode, report.notes, remember=remember)
        files[cell.filename] = cell_line(0)  # a line of the generated function -> cell line
        try:
            value, seconds = call_cell(cell, namespace)
        except Exception as exc:
            raise failed(exc) from exc
        _report_traced(report, _facts(cell), seconds)
    return CellRun(value, report)


def _exec(nodes: tuple[ast.stmt, ...], namespace: Namespace, filename: str) -> None:
    if nodes:
        code = compile(ast.Module(body=list(nodes), type_ignores=[]), filename, "exec")
        exec(code, namespace)


def _run_python(
    plan: CellPlan, namespace: Namespace, mode: Mode, filename: str, report: CellReport
) -> Any:
    """The statements as plain Python, one at a time, each Keras call in the cell's mode."""
    value = None
    with ExitStack() as models:
        applied_to: set[int] = set()
        last = len(plan.statements) - 1
        for index, node in enumerate(plan.statements):
            for call in plan.keras_calls:
                if call.statement != index or call.receiver is None:
                    continue
                model = _resolve(call.receiver, namespace)
                if model is None or id(model) in applied_to or not is_keras_model(model):
                    continue
                own = models.enter_context(applied(model, mode))
                applied_to.add(id(model))
                report.notes.append(
                    f"{call.receiver}.{call.method} ran {LABELS[mode]} ("
                    + ", ".join(f"{k}={v}" for k, v in settings_for(mode).items())
                    + "; the model's own "
                    + ", ".join(f"{k}={v!r}" for k, v in own.items())
                    + " restored after the cell)"
                )
            try:
                if index == last and plan.last_is_expression:
                    assert isinstance(node, ast.Expr)
                    code = compile(ast.Expression(body=node.value), filename, "eval")
                    value = eval(code, namespace)
                else:
                    _exec((node,), namespace, filename)
            except Exception as exc:
                if mode == "eager":
                    raise
                if not any(c.statement == index for c in plan.keras_calls):
                    raise _AsEagerly(exc) from exc
                if index:  # a Keras call that failed compiled, after other statements ran
                    raise _AfterPython(exc) from exc
                raise
    if mode != "eager" and plan.keras_calls and not applied_to:
        report.notes.append(
            "ran as Python: the cell calls fit/evaluate/predict, but on no Keras model"
        )
    return value


def _resolve(dotted: str, namespace: Namespace) -> Any:
    head, *rest = dotted.split(".")
    value = namespace.get(head)
    for attribute in rest:
        value = getattr(value, attribute, None)
    return value
