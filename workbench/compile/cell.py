"""``compile_cell``: run a cell's code eagerly, as one ``tf.function``, or XLA-compiled.

Imports, ``def`` and ``class`` statements run as plain Python first; each top-level ``def`` is then
replaced, under its own name, by a compiled function. The cell's other statements become one
traced function (``analysis.CellPlan.function_source``) whose parameters are the tensors and
numbers it reads, and whose return value carries back the names it assigns. Traced functions are
cached per cell source, mode and parameters, so re-running an unchanged cell reuses its trace.
Whatever fails, the namespace is left as it was before the cell.
"""

from __future__ import annotations

import ast
import hashlib
import linecache
import time
import types
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.compile import keras_mode
from workbench.compile.analysis import CellPlan, Signature, analyze, cell_line
from workbench.compile.errors import CompileError, explain, is_xla_refusal
from workbench.compile.functions import CompiledFunction
from workbench.compile.modes import LABELS, Mode, check, tf_debug
from workbench.compile.report import CellReport, ComparisonRow, FunctionReport
from workbench.compile.retrace import retrace_reasons

Namespace = dict[str, Any]

_TRACED_INPUT_TYPES = (np.ndarray, np.generic, bool, int, float)


@dataclass
class CellRun:
    """What ``compile_cell`` returns: the value of the cell's last expression and the report."""

    value: Any
    report: CellReport


@dataclass
class _CellFunction:
    """The traced statements of one cell, with what the last trace found out about its names."""

    function: Any  # tf.function
    python_function: Any
    signature: Signature
    filename: str
    # Names read as globals (models, optimizers, functions...): the trace holds what they were
    # bound to then, so it only serves while each name is still bound to the same object.
    captured: tuple[tuple[str, Any], ...] = ()
    statics: dict[str, Any] = field(default_factory=dict)  # variables, kept by identity
    not_exported: list[str] = field(default_factory=list)
    static_result: Any = None
    first_call_seconds: float | None = None


# (id(namespace), mode, key) -> compiled object; a kernel has one namespace, tests several.
# Bounded: every edit of a cell makes a new entry, and each holds its traced graphs.
CACHE_SIZE = 64
_defs: dict[tuple[int, Mode, str, str], CompiledFunction] = {}
_cells: dict[tuple[int, Mode, str, Signature, tuple[int, ...]], _CellFunction] = {}


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
        mode: how the cell's code runs.
        compare: also time the cell in all three modes and check that their outputs agree
            (``compare.compare_modes``), before the run in ``mode`` that updates the namespace.
        steps: timed runs per mode for ``compare``.
        first_line: the line number, as the user sees it, of the first line of ``source``
            (2 below a ``%%compile`` line), for error messages.

    Returns:
        A :class:`CellRun` with the last expression's value and a :class:`CellReport`.

    Raises:
        SyntaxError: the cell is not valid Python.
        CompileError: tracing, compiling or running the compiled code failed (names the line).
    """
    mode = check(mode)
    if steps < 1:
        raise ValueError(f"Expected steps to be a positive integer. Received: {steps!r}")
    plan = analyze(source)
    snapshot = dict(namespace)
    try:
        return _run(plan, namespace, mode, compare=compare, steps=steps, first_line=first_line)
    except BaseException:
        namespace.clear()
        namespace.update(snapshot)
        raise


def _run(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    *,
    compare: bool,
    steps: int,
    first_line: int,
) -> CellRun:
    digest = _digest(plan.source)
    source_file = f"<workbench-cell-{digest}>"
    if source_file not in linecache.cache:
        _register_source(source_file, plan.source)
    files = {source_file: 0}
    report = CellReport(mode=mode, tf_debug=tf_debug())
    lines = plan.source.splitlines()

    def failed(exc: Exception) -> CompileError:
        # An OpError is raised while the graph runs, after any op before the failing one ran;
        # anything else failed while tracing or compiling, before a variable could change.
        ran = isinstance(exc, tf.errors.OpError) and not is_xla_refusal(exc)
        return explain(exc, mode, files, lines, first_line, ran=ran)

    _exec(plan.hoisted, namespace, source_file)
    compiled_defs = _compile_defs(plan, namespace, mode, source_file)
    python_only = bool(plan.keras_calls) or "get_ipython" in plan.reads
    if compare:
        report.comparison = _compare(plan, namespace, mode, digest, python_only, steps, failed)

    if mode == "eager" or not plan.statements or plan.keras_calls:
        try:
            value = _run_python(plan, namespace, mode, source_file, report)
        except Exception as exc:
            if mode == "eager":
                raise  # plain Python: the user's own traceback is the best explanation
            raise failed(exc) from exc
    elif python_only:
        report.notes.append("ran eagerly: the cell uses IPython magics or shell commands")
        value = _run_python(plan, namespace, "eager", source_file, report)
    else:
        cell = _cell_function(plan, namespace, mode, digest, report)
        files[cell.filename] = cell_line(0)  # a line of the generated function -> cell line
        try:
            value, seconds = _call_cell(cell, namespace)
        except Exception as exc:
            raise failed(exc) from exc
        traces = cell.function.experimental_get_tracing_count()
        report.functions.append(
            FunctionReport(
                name="cell",
                traces=traces,
                first_call_seconds=cell.first_call_seconds,
                run_seconds=seconds,
                retrace_reasons=retrace_reasons(cell.function) if traces > 1 else [],
            )
        )
        if cell.not_exported:
            report.notes.append(
                "not kept (not tensors): "
                + ", ".join(cell.not_exported)
                + "; assign them in an eager cell to keep them"
            )
        local = [name for name in cell.signature.local if name != "_"]
        if local:
            report.notes.append(
                "local to the cell (assigned only inside a loop or branch): " + ", ".join(local)
            )
    report.functions[:0] = [_def_report(compiled) for compiled in compiled_defs]
    return CellRun(value=value, report=report)


def _compare(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    digest: str,
    python_only: bool,
    steps: int,
    failed: Callable[[Exception], CompileError],
) -> list[ComparisonRow]:
    from workbench.compile.compare import compare_modes

    defs = {
        name: namespace[name]
        for name in plan.defs
        if isinstance(namespace.get(name), CompiledFunction)
    }
    if python_only:
        raise CompileError(
            "--compare times the cell's own TensorFlow code; this cell calls Keras' "
            "fit/evaluate/predict (which compile their own step) or IPython magics. "
            "Compare a custom training step instead, or time fit with %%time in each mode."
        )
    if plan.statements:
        cell = _cell_function(plan, namespace, "function" if mode == "eager" else mode, digest)
        args: tuple[Any, ...] = tuple(namespace[name] for name in cell.signature.parameters)
        target, kwargs = cell.python_function, {}
    else:
        called = [f for f in defs.values() if f.last_call is not None]
        if not called:
            raise CompileError(
                "--compare needs something to run: end the cell with a call of its function "
                "(e.g. step(x)), or call the function once, then re-run this cell with --compare."
            )
        target = called[-1].python_function
        args, kwargs = called[-1].last_call
    try:
        return compare_modes(target, args, kwargs, namespace, defs, steps)
    except Exception as exc:
        raise failed(exc) from exc


@lru_cache(maxsize=256)
def _digest(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def _register_source(filename: str, source: str) -> None:
    # AutoGraph reads a function's source through linecache to convert it; an mtime of None
    # keeps linecache.checkcache from dropping the entry.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _exec(nodes: tuple[ast.stmt, ...], namespace: Namespace, filename: str) -> None:
    if nodes:
        code = compile(ast.Module(body=list(nodes), type_ignores=[]), filename, "exec")
        exec(code, namespace)


def _compile_defs(
    plan: CellPlan, namespace: Namespace, mode: Mode, filename: str
) -> list[CompiledFunction]:
    """Replace each ``def`` the cell just ran by its compiled form (eager: leave it plain)."""
    if mode == "eager":
        return []
    compiled = []
    lines = plan.source.splitlines()
    for node in plan.hoisted:
        if not isinstance(node, ast.FunctionDef):
            continue
        function = namespace.get(node.name)
        if (
            not isinstance(function, types.FunctionType)
            or function.__code__.co_filename != filename
        ):
            continue  # rebound by a later statement of the hoisted part
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        key = (id(namespace), mode, node.name, text)
        cached = _defs.get(key)
        if cached is None or cached.python_function.__globals__ is not namespace:
            cached = _defs[key] = CompiledFunction(function, mode)
            _bound(_defs)
        namespace[node.name] = cached
        compiled.append(cached)
    return compiled


def _def_report(function: CompiledFunction) -> FunctionReport:
    traces = function.experimental_get_tracing_count()
    return FunctionReport(
        name=function.__name__,
        traces=traces,
        first_call_seconds=function.trace_seconds[-1] if function.trace_seconds else None,
        run_seconds=None,
        retrace_reasons=retrace_reasons(function.function) if traces > 1 else [],
    )


def _run_python(
    plan: CellPlan, namespace: Namespace, mode: Mode, filename: str, report: CellReport
) -> Any:
    """The statements as plain Python, one at a time, each Keras call in the cell's mode."""
    value = None
    with ExitStack() as models:
        applied: set[int] = set()
        last = len(plan.statements) - 1
        for index, node in enumerate(plan.statements):
            for call in plan.keras_calls:
                if call.statement != index or call.receiver is None:
                    continue
                model = _resolve(call.receiver, namespace)
                if model is None or id(model) in applied or not keras_mode.is_keras_model(model):
                    continue
                own = models.enter_context(keras_mode.applied(model, mode))
                applied.add(id(model))
                report.notes.append(
                    f"{call.receiver}.{call.method} ran {LABELS[mode]} ("
                    + ", ".join(f"{k}={v}" for k, v in keras_mode.settings_for(mode).items())
                    + "; the model's own "
                    + ", ".join(f"{k}={v!r}" for k, v in own.items())
                    + " restored after the cell)"
                )
            if index == last and plan.last_is_expression:
                assert isinstance(node, ast.Expr)
                code = compile(ast.Expression(body=node.value), filename, "eval")
                value = eval(code, namespace)
            else:
                _exec((node,), namespace, filename)
    if mode != "eager" and plan.keras_calls and not applied:
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


_traced_types: dict[type, bool] = {}


def _is_traced_input(value: Any) -> bool:
    """Tensors, variables, arrays and numbers, and lists, tuples and dicts of them (a batch from
    ``next(iterator)``): passed as arguments so a new value reaches the trace. By type,
    remembered, as this is asked for every input of every run."""
    if isinstance(value, (list, tuple, dict)):
        return bool(value) and _is_tensor_structure(value)
    kind = type(value)
    known = _traced_types.get(kind)
    if known is None:
        known = _traced_types[kind] = tf.is_tensor(value) or isinstance(
            value, (tf.Variable, *_TRACED_INPUT_TYPES)
        )
    return known


def _cell_function(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    digest: str,
    report: CellReport | None = None,
) -> _CellFunction:
    holds_tensor = {
        name: _is_traced_input(namespace[name])
        for name in (*plan.reads, *plan.stores)
        if name in namespace
    }
    signature = plan.signature(holds_tensor)
    parameters = set(signature.parameters)
    captured = tuple(
        (name, namespace[name])
        for name in plan.reads
        if name not in parameters and name in namespace
    )
    key = (id(namespace), mode, plan.source, signature, tuple(id(value) for _, value in captured))
    cell = _cells.get(key)
    if (
        cell is not None
        and cell.python_function.__globals__ is namespace
        and all(a is b for (_, a), (_, b) in zip(cell.captured, captured, strict=True))
    ):
        return cell
    # the cell's latest trace, if any: dicts keep insertion order, so the last match is newest
    before = next((c for k, c in reversed(_cells.items()) if k[:3] == key[:3]), None)
    if before is not None and report is not None:
        then = dict(before.captured)
        changed = [n for n, value in captured if n in then and then[n] is not value]
        if changed:
            report.notes.append(
                "traced anew: "
                + ", ".join(f"`{n}`" for n in changed)
                + " now names another object than at the last trace (a trace keeps the objects"
                " it captured)"
            )
    filename = f"<workbench-cell-{digest}-{mode}-function>"
    text = plan.function_source(signature)
    _register_source(filename, text)
    scope: dict[str, Any] = {}
    exec(compile(text, filename, "exec"), namespace, scope)
    holder: dict[str, _CellFunction] = {}

    def export(values: dict[str, Any], result: Any) -> tuple[dict[str, Any], Any]:
        # Runs while tracing: sorts what the statements assigned into tensors (returned),
        # variables (kept by identity) and anything else (reported, not kept).
        state = holder["cell"]
        state.statics, state.not_exported = {}, []
        tensors = {}
        for name, value in values.items():
            if isinstance(value, tf.Variable):
                state.statics[name] = value
            elif _is_tensor_structure(value):
                tensors[name] = value
            else:
                state.not_exported.append(name)
        state.static_result = None if _is_tensor_structure(result) else result
        return tensors, (result if _is_tensor_structure(result) else None)

    python_function = scope["__wb_make"](export)
    cell = _CellFunction(
        function=tf.function(python_function, jit_compile=mode == "xla"),
        python_function=python_function,
        signature=signature,
        filename=filename,
        captured=captured,
    )
    holder["cell"] = cell
    _cells[key] = cell
    _bound(_cells)
    return cell


def _bound(cache: dict[Any, Any]) -> None:
    while len(cache) > CACHE_SIZE:
        del cache[next(iter(cache))]  # the oldest entry


def _is_tensor_structure(value: Any) -> bool:
    leaves = tf.nest.flatten(value)
    return all(
        leaf is None or tf.is_tensor(leaf) or isinstance(leaf, _TRACED_INPUT_TYPES)
        for leaf in leaves
    ) and not isinstance(value, str)


def _call_cell(cell: _CellFunction, namespace: Namespace) -> tuple[Any, float]:
    args = []
    for name in cell.signature.parameters:
        if name not in namespace:
            raise NameError(f"name {name!r} is not defined")
        args.append(namespace[name])
    traces = cell.function.experimental_get_tracing_count()
    start = time.perf_counter()
    tensors, result = cell.function(*args)
    seconds = time.perf_counter() - start
    if cell.function.experimental_get_tracing_count() > traces:
        cell.first_call_seconds = seconds  # the latest call that traced: what a retrace cost
    namespace.update(tensors)
    namespace.update(cell.statics)
    return (result if result is not None else cell.static_result), seconds
