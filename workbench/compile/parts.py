"""A compiled part of a cell: its first trace, watched for what a trace must not do (print,
draw seeded random numbers, change Python containers in place, keep a tape a later line needs),
its report line, and what the report says of what the trace could not hand back."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import time
from functools import lru_cache
from typing import Any

from workbench.compile.analysis import CellPlan, segment_plan, statement_names
from workbench.compile.branch_values import CARRIED, PYTHON, VARIABLE, bound_names
from workbench.compile.layout import Layout
from workbench.compile.lift import is_lifted
from workbench.compile.modes import LABELS, Mode
from workbench.compile.namespace import Namespace
from workbench.compile.nan_rules import WRITES, NanUnderXla
from workbench.compile.readings import containers, put_back
from workbench.compile.report import FunctionReport
from workbench.compile.traces import CellFunction, renew
from workbench.compile.xla_check import function_nodes


def part_report(
    part: CellFunction, name: str, seconds: float, mode: Mode, part_mode: Mode
) -> FunctionReport:
    traces = part.traces
    if mode != part_mode:  # XLA could not take it
        name = f"{name} as {LABELS[part_mode]}"
    return FunctionReport(
        name=name,
        traces=traces,
        first_call_seconds=part.first_call_seconds,
        run_seconds=seconds,
        retrace_reasons=part.retrace_reasons(traces),
    )


@lru_cache(maxsize=512)
def part_plan(cell: Layout, indices: tuple[int, ...], shows: bool) -> CellPlan:
    statements = tuple(cell.nodes[i] for i in indices)
    source = f"{cell.source}\n# compiled part: statements {indices[0]}-{indices[-1]}\n"
    return segment_plan(source, statements, shows, cell.nodes)


# what a trace hands back for a name a tensor ``if`` or loop bound to a variable or Python value
_HANDED_BACK = {VARIABLE: "its value, which later assignments do not reach", PYTHON: "a tensor"}


def first_trace(
    namespace: Namespace,
    cell: Layout,
    part: CellFunction,
    where: str,
    offset: int,
    indices: tuple[int, ...],
) -> float:
    """Trace ``part`` before it runs, watching for what a trace must not do; when it did,
    ``part.fallback`` says how the statements run instead and why. Returns the tracing time."""
    args = [namespace[name] for name in part.signature.parameters if name in namespace]
    if len(args) != len(part.signature.parameters):
        # a name is missing: the eager run raises the eager cell's NameError
        part.fallback = ("eager", "")
        return 0.0
    held = containers(namespace)
    printed = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(printed):
            try:
                concrete = part.function.get_concrete_function(*args)
            except BaseException as exc:  # an interrupt, too, leaves what the trace made
                put_back(held)
                if not part.made_variables.abandoned() or not isinstance(exc, Exception):
                    raise
                # the trace built layers, and their initializers (random draws XLA refuses)
                # were what it could not take: built now, the statements trace without them
                part.refused = None
                renew(part)
                concrete = part.function.get_concrete_function(*args)
    except Exception as exc:  # noqa: BLE001 - whatever tracing raised, Python runs it instead
        put_back(held)
        part.made_variables.abandoned()
        refused = part.refused
        if refused is None:  # anything else tracing raised: the statements run as Python
            part.fallback = ("eager", f"{where} ran eagerly: cannot be traced ({short(exc)})")
            return 0.0
        at = None if refused.line is None else refused.line + offset
        line = "" if at is None else f"line {at}: "
        text = line_text(cell, at)
        note = (
            f"XLA cannot compile {refused.reason} ({line}{text or refused.op}); "
            f"{where} ran as tf.function"
        )
        part.fallback = ("function", note)
        return time.perf_counter() - start
    seconds = time.perf_counter() - start
    part.made_variables.kept()
    changed = put_back(held)
    later = read_later(cell, indices)
    # a tape the compiled lines record but do not use is for a later cell: keep it real; a
    # value lifted out of a print (``lift``) reads it for that print, which is later too
    used: set[str] = set()
    for i in indices:
        node = cell.nodes[i]
        (later if is_lifted(node) else used).update(uses(node))
    # a tape still able to compute gradients (persistent) may serve a later cell, too
    unkept = [
        name
        for name in part.not_exported
        if name in later or name not in used or name in part.live_tapes
    ]
    random = seeded_random(concrete.graph)
    bound = branch_values(part, cell, indices)
    reason = None
    if printed.getvalue():
        reason = "prints while traced (a trace prints symbolic tensors, once)"
    elif random:
        reason = f"draws random numbers ({random}) that a trace would draw from other seeds"
    elif changed:
        reason = f"changes {', '.join(f'`{n}`' for n in changed)} in place while traced"
    elif unkept:
        names = ", ".join(f"`{n}`" for n in unkept)
        reason = f"{names} would live only inside the trace; kept for what follows"
    elif bound:
        reason = "; ".join(
            f"binds {', '.join(f'`{n}`' for n in names)} to {kind} in a tensor `if` or loop "
            f"(a trace would hand back {_HANDED_BACK[kind]})"
            for kind, names in bound.items()
        )
    if reason is not None:
        part.fallback = ("eager", f"{where} ran eagerly: {reason}")
        return 0.0
    return seconds


def branch_values(
    part: CellFunction, cell: Layout, indices: tuple[int, ...]
) -> dict[str, list[str]]:
    """What the part's statements bind to a tf.Variable or a Python value in a tensor ``if`` or
    loop (kind -> names): its trace hands back tensors (``branch_values.py``), so the statements
    run eagerly."""
    bound = bound_names(cell.nodes[i] for i in indices)
    found: dict[str, list[str]] = {}
    for name, kind in part.branch_values.items():
        if name in bound[kind]:
            found.setdefault(PYTHON if kind == CARRIED else kind, []).append(name)
    return found


# what recording on a tape calls: a tape only recorded on in the compiled lines is for later
_RECORDING = frozenset({"watch", "stop_recording", "reset"})


def uses(node: ast.stmt) -> set[str]:
    """Names ``node`` reads, less those it only records on (``tape.watch(x)``)."""
    recording = {
        id(child.func.value)
        for child in ast.walk(node)
        if isinstance(child, ast.Call)
        and isinstance(child.func, ast.Attribute)
        and child.func.attr in _RECORDING
    }
    return {
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name)
        and isinstance(child.ctx, ast.Load)
        and id(child) not in recording
    }


def plan_has_local(plan: CellPlan) -> bool:
    """Whether some name of the plan is assigned only inside a loop or branch."""
    return any(name not in plan.top_stores for name in plan.stores)


def trace_notes(part: CellFunction) -> tuple[str, ...]:
    """What the report says of what a trace could not hand back."""
    notes = []
    if part.not_exported:
        notes.append(
            "not kept: "
            + ", ".join(part.not_exported)
            + " (made inside the trace, where it stays; use it within the compiled lines)"
        )
    local = [name for name in part.signature.local if name != "_"]
    if local:
        notes.append(
            "local to the cell (assigned only inside a loop or branch): " + ", ".join(local)
        )
    return tuple(notes)


def made_at(cell: Layout, indices: tuple[int, ...], name: str) -> str:
    """The line (and its text) of the compiled lines where ``name`` is first bound."""
    stores = [
        child.lineno
        for index in indices
        for child in ast.walk(cell.nodes[index])
        if isinstance(child, ast.Name) and child.id == name and isinstance(child.ctx, ast.Store)
    ]
    line = min(stores, default=cell.nodes[indices[0]].lineno)
    return f"line {line} (`{line_text(cell, line)}`)"


def line_text(cell: Layout, line: int | None) -> str:
    lines = cell.source.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return ""
    return lines[line - 1].strip()


def short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "in user code:" in str(exc):
        text = " ".join(str(exc).strip().rsplit("\n\n", 1)[-1].split())
    name = type(exc).__name__
    text = text.removeprefix(f"{name}: ")
    return f"{name}: {text[:160]}"


def refusal(exc: BaseException) -> str:
    if isinstance(exc, NanUnderXla):
        return str(exc)
    shapes = re.search(
        r"cannot be changed after initialization: (old shape was \S+, new shape is \S+?)(?: \(|$)",
        str(exc),
    )
    if shapes:
        return f"XLA compiles for fixed variable shapes (a variable's {shapes[1]})"
    return "XLA refused an op of it (" + short(exc)[:200] + ")"


def read_later(cell: Layout, indices: tuple[int, ...]) -> set[str]:
    names: set[str] = set()
    for node in cell.nodes[indices[-1] + 1 :]:
        names.update(statement_names(node)[0])
    return names


# Random ops seeded from the graph-level and op seeds: a trace derives other seeds than the eager
# sequence does (a tf.function called from a cell's trace draws other numbers than called alone)
_SEEDED_RANDOM = frozenset(
    {
        "RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal",
        "ParameterizedTruncatedNormal", "RandomShuffle", "Multinomial", "RandomGamma",
        "RandomPoisson", "RandomPoissonV2",
    }
)  # fmt: skip


def seeded_random(graph: Any) -> str | None:
    """The first seeded random op in ``graph`` or a function it calls, if it has one."""
    for op in graph.get_operations():
        if op.type in _SEEDED_RANDOM:
            return str(op.type)
    for node in function_nodes(graph):
        if node.op in _SEEDED_RANDOM:
            return str(node.op)
    return None


def wrote_variables(part: CellFunction, namespace: Namespace) -> bool:
    """Whether the part's graph writes a variable (or calls a function that may)."""
    try:
        args = [namespace[name] for name in part.signature.parameters]
        graph = part.function.get_concrete_function(*args).graph
    except Exception:  # noqa: BLE001 - cannot tell: assume it did, and do not run it again
        return True
    return any(op.type.startswith(WRITES) for op in graph.get_operations())
