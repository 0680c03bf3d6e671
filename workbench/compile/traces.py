"""The traced forms of a cell and of its ``def``s, cached, and which inputs a trace takes.

A cell's statements are traced once per cell source, mode, signature (which names hold tensors)
and the objects the trace captured (models, optimizers...: a trace holds what they were bound to
when it ran, so it serves only while each name still names the same object). Tensors, arrays,
numbers and structures of them are the trace's arguments, so a new value reaches it without a
retrace.

Re-running an unchanged cell is the common case, and its cost adds to every step of a training
loop driven by re-running a cell. :func:`warm_cell` serves it without the caches' keys: it checks
the names the last run's trace depends on (the same captured objects, the same types of the
names whose type decides the signature) and hands that trace back.
"""

from __future__ import annotations

import collections
import functools
import time
import types
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.compile.abandoned import MadeVariables
from workbench.compile.analysis import CellPlan, Signature
from workbench.compile.branch_values import branch_value
from workbench.compile.codegen import MAKE, digest, function_source, register_source
from workbench.compile.errors import LivesInTrace
from workbench.compile.modes import Mode
from workbench.compile.namespace import Namespace
from workbench.compile.nan_rules import NAN_SEEN, NanUnderXla, nan_guard, without_guard
from workbench.compile.numerics import eager_numerics
from workbench.compile.retrace import Reasons
from workbench.compile.tapes import Spent, spent_form, spent_tape
from workbench.compile.xla_check import NotForXla, check_xla

_TRACED_INPUT_TYPES = (np.ndarray, np.generic, bool, int, float)

# Bounded: every edit of a cell makes a new entry, and each holds its traced graphs.
CACHE_SIZE = 64


@dataclass
class CellFunction:
    """The traced statements of one cell, with what the last trace found out about its names."""

    function: Any  # tf.function
    python_function: Any
    signature: Signature
    filename: str
    # Names read as globals (models, optimizers, functions...) and what they named at the trace.
    captured: tuple[tuple[str, Any], ...] = ()
    not_exported: list[str] = field(default_factory=list)  # made in the trace, cannot be kept
    spent_tapes: dict[str, Spent] = field(default_factory=dict)  # tapes the trace used up
    live_tapes: list[str] = field(default_factory=list)  # tapes it made that are not used up
    # name -> what a tensor `if` or loop bound it to eagerly, handed back as a tensor
    # (a variable or a Python value: branch_values.py)
    branch_values: dict[str, str] = field(default_factory=dict)
    # name -> the cell line that made it, for what cannot be kept (``LivesInTrace``)
    made_at: dict[str, str] = field(default_factory=dict)
    refused: NotForXla | None = None  # what its XLA trace held that XLA must not be given
    nan_ops: tuple[str, ...] = ()  # its NaN-sensitive ops under XLA (``nan_rules``)
    # how its statements run instead of this trace ("eager" or "function"), and the note why
    fallback: tuple[str, str] | None = None
    first_call_seconds: float | None = None  # the latest call that traced: what a retrace cost
    traces: int = 0  # the function's tracing count after its latest call
    retrace_reasons: Reasons = field(init=False)
    notes: tuple[int, tuple[str, ...]] = (0, ())  # the report's notes at a tracing count
    # the content of a re-run's report at (tf_debug, tracing count): what a re-run compares
    content: tuple[tuple[bool, int], tuple[object, ...]] = ((False, 0), ())
    made_variables: MadeVariables = field(default_factory=MadeVariables)  # by a first trace

    def __post_init__(self) -> None:
        self.retrace_reasons = Reasons(self.function)


# (id(namespace), mode, key) -> compiled object; a kernel has one namespace, tests several. The
# cached object holds its namespace and captured objects, so an equal id is the same object.
_cells: dict[tuple[int, Mode, str, Signature, tuple[int, ...]], CellFunction] = {}
# (cell source, which typed names hold tensors) -> (signature, names captured as globals)
_interfaces: dict[tuple[str, tuple[bool, ...], bool], tuple[Signature, tuple[str, ...]]] = {}
_traced_types: dict[type, bool] = {}


class _Missing:
    """What a name not in the namespace is, for :func:`warm_cell`'s type checks."""


_MISSING = _Missing()
_CONTAINERS = (list, tuple, dict)  # whether these hold tensors depends on their contents


@dataclass(frozen=True)
class _Assumed:
    """What a cell's latest trace assumed of the namespace (``warm_cell`` checks it)."""

    cell: CellFunction
    captured: tuple[tuple[str, Any], ...]  # the same objects
    # the same types (and, for lists, tuples and dicts, the same "holds tensors" answer)
    typed: tuple[tuple[str, type, bool], ...]


# (id(namespace), mode, cell source) -> the latest traced run of a cell with no hoisted part
_warm: dict[tuple[int, str, str], _Assumed] = {}


def is_traced_input(value: Any) -> bool:
    """Tensors, variables, arrays and numbers, and lists, tuples and dicts of them (a batch from
    ``next(iterator)``): passed as arguments so a new value reaches the trace. By type,
    remembered, as this is asked for every input of every run."""
    if isinstance(value, (list, tuple, dict)):
        return bool(value) and is_tensor_structure(value)
    kind = type(value)
    known = _traced_types.get(kind)
    if known is None:
        known = _traced_types[kind] = tf.is_tensor(value) or isinstance(
            value, (tf.Variable, *_TRACED_INPUT_TYPES)
        )
    return known


def is_tensor_structure(value: Any) -> bool:
    """Whether every leaf of ``value`` is a tensor, an array, a number or None (not a string)."""
    leaves = tf.nest.flatten(value)
    return all(
        leaf is None or tf.is_tensor(leaf) or isinstance(leaf, _TRACED_INPUT_TYPES)
        for leaf in leaves
    ) and not isinstance(value, str)


def warm_cell(namespace: Namespace, mode: str, source: str) -> CellFunction | None:
    """The trace the cell's latest run used, if the namespace still fits it; else None.

    Only for a cell whose latest run went through :func:`cell_function` with ``remember``.
    """
    assumed = _warm.get((id(namespace), mode, source))
    if assumed is None:
        return None
    for name, value in assumed.captured:
        if namespace.get(name, _MISSING) is not value:
            return None
    for name, kind, holds in assumed.typed:
        value = namespace.get(name, _MISSING)
        if type(value) is not kind or (kind in _CONTAINERS and is_traced_input(value) != holds):
            return None
    return assumed.cell


def cell_function(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    notes: list[str] | None = None,
    *,
    remember: bool = False,
    keep_local: bool = False,
) -> CellFunction:
    """The cell's statements as a ``tf.function`` for what ``namespace`` binds now; cached.

    Args:
        notes: the report's notes, told when the cell is traced anew because a captured name
            now names another object.
        remember: let :func:`warm_cell` serve the next run of this source in this mode (for a
            cell whose whole run is this function's call: nothing hoisted, not run as Python).
    """
    typed = plan.typed
    holds = tuple([name in namespace and is_traced_input(namespace[name]) for name in typed])
    interface = _interfaces.get((plan.source, holds, keep_local))
    if interface is None:
        signature = plan.signature(dict(zip(typed, holds, strict=True)), keep_local)
        parameters = set(signature.parameters)
        interface = (signature, tuple(n for n in plan.reads if n not in parameters))
        _interfaces[(plan.source, holds, keep_local)] = interface
        _bound(_interfaces)
    signature, captured_names = interface
    captured = tuple([(name, namespace[name]) for name in captured_names if name in namespace])
    key = (id(namespace), mode, plan.source, signature, tuple([id(v) for _, v in captured]))
    cell = _cells.get(key)
    if cell is None:
        cell = _new_cell(plan, namespace, mode, signature, captured, key, notes)
    if remember:
        held = {name for name, _ in captured}
        typed_now = tuple(
            (name, type(value), is_traced_input(value))
            for name in typed
            if name not in held
            for value in (namespace.get(name, _MISSING),)
        )
        _warm[key[:3]] = _Assumed(cell, captured, typed_now)
        _bound(_warm)
    return cell


def _new_cell(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    signature: Signature,
    captured: tuple[tuple[str, Any], ...],
    key: tuple[int, Mode, str, Signature, tuple[int, ...]],
    notes: list[str] | None,
) -> CellFunction:
    # the cell's latest trace, if any: dicts keep insertion order, so the last match is newest
    before = next((c for k, c in reversed(_cells.items()) if k[:3] == key[:3]), None)
    if before is not None and notes is not None:
        then = dict(before.captured)
        changed = [n for n, value in captured if n in then and then[n] is not value]
        if changed:
            notes.append(
                "traced anew: "
                + ", ".join(f"`{n}`" for n in changed)
                + " now names another object than at the last trace (a trace keeps the objects"
                " it captured)"
            )
    cell = _cells[key] = _trace_later(plan, namespace, mode, signature, captured)
    _bound(_cells)
    return cell


def _trace_later(
    plan: CellPlan,
    namespace: Namespace,
    mode: Mode,
    signature: Signature,
    captured: tuple[tuple[str, Any], ...],
) -> CellFunction:
    """The generated function, wrapped in a ``tf.function`` that traces at its first call."""
    text = function_source(plan, signature)
    # named by its text alone: AutoGraph caches conversions by code object, and code objects
    # compare equal without their file names, so a function of the same text under another
    # name (another mode) was handed the first one's conversion, whose ops then named the
    # first file, and XLA's refusals lost their line
    filename = f"<workbench-cell-{digest(text)}-function>"
    register_source(filename, text)
    scope: dict[str, Any] = {}
    exec(compile(text, filename, "exec"), namespace, scope)
    holder: dict[str, CellFunction] = {}

    def export(values: dict[str, Any], result: Any) -> Any:
        # Runs while tracing: tensors are returned; Python values the trace computed (numbers,
        # strings, lists of them, variables, the objects it was handed) are this trace's own
        # and come back as they are, from the outputs' class; structures mixing both come back
        # rebuilt. Objects that live only inside a trace (a tape, a dataset made in it) cannot.
        state = holder["cell"]
        sorted_values = _sort_exports({**values, RESULT_NAME: result})
        tensors, statics, mixed, unkept = sorted_values
        # before XLA's check: a Python string a branch binds is what XLA would refuse
        state.branch_values = {} if tf.executing_eagerly() else _branch_values(tensors)
        if mode == "xla":
            try:
                check_xla(tf.compat.v1.get_default_graph(), filename)
            except NotForXla as refused:
                state.refused = refused  # AutoGraph re-raises it under another type
                raise
        tracing = mode == "xla" and not tf.executing_eagerly()
        guard = nan_guard(tf.compat.v1.get_default_graph()) if tracing else None
        if guard is not None:
            tensors = {NAN_SEEN: guard[0], **tensors}
            state.nan_ops = guard[1]
        spent = {name: spent_form(values[name]) for name in unkept}
        state.spent_tapes = {name: form for name, form in spent.items() if form is not None}
        state.not_exported = [name for name in unkept if name not in state.spent_tapes]
        state.live_tapes = [n for n in state.not_exported if isinstance(values[n], tf.GradientTape)]
        has_result = RESULT_NAME in tensors
        result_value = tensors.pop(RESULT_NAME, None)
        outputs = _outputs(tuple(tensors), has_result, statics, mixed)
        return outputs(*tensors.values(), *((result_value,) if has_result else ()))

    python_function = scope[MAKE](export)

    @functools.wraps(python_function)
    def recording(*args: Any) -> Any:
        with tf.variable_creator_scope(holder["cell"].made_variables.creator):
            return python_function(*args)

    cell = holder["cell"] = CellFunction(
        function=tf.function(recording, jit_compile=mode == "xla"),
        python_function=python_function,
        signature=signature,
        filename=filename,
        captured=captured,
    )
    return cell


def renew(cell: CellFunction) -> None:
    """Give ``cell`` a new ``tf.function`` for the same code: one whose first trace failed
    after making variables cannot trace again."""
    function = cell.function
    cell.function = tf.function(function.python_function, jit_compile=function._jit_compile)
    cell.retrace_reasons = Reasons(cell.function)


def call_cell(cell: CellFunction, namespace: Namespace) -> tuple[Any, float]:
    """Run the traced cell on the namespace's values; write back what it exports.

    The namespace is written only once the call returned: a failing call leaves it untouched.

    Returns:
        The value of the cell's last expression (or None) and the call's wall time in seconds.
    """
    args = []
    for name in cell.signature.parameters:
        if name not in namespace:
            raise NameError(f"name {name!r} is not defined")
        args.append(namespace[name])
    start = time.perf_counter()
    try:
        with eager_numerics():
            outputs = cell.function(*args)
    except BaseException:
        cell.made_variables.abandoned()
        raise
    cell.made_variables.kept()
    seconds = time.perf_counter() - start
    traces = cell.function.experimental_get_tracing_count()
    if traces != cell.traces:  # this call traced: only call_cell calls the function
        cell.traces, cell.first_call_seconds = traces, seconds
    for name in cell.not_exported:  # made in the trace: an older value must not stand in
        namespace[name] = LivesInTrace(name, cell.made_at.get(name, "lines of an earlier cell"))
    for name, form in cell.spent_tapes.items():
        namespace[name] = spent_tape(form)
    kind = type(outputs)  # the class of the trace that served the call: it names the outputs
    if kind.names[:1] == (NAN_SEEN,):
        if bool(outputs[0]):  # before anything is written: the part runs again, eagerly's way
            raise NanUnderXla(cell.nan_ops)
        outputs = without_guard(outputs)
        kind = type(outputs)
    if kind.python:  # the trace's own Python values, and structures mixing them with tensors
        result = _with_python_values(kind, outputs, namespace)
    else:
        # not strict: the last expression's value, when there is one, is the one value more
        namespace.update(zip(kind.names, outputs, strict=False))
        result = outputs[-1] if kind.has_result else None
    return result, seconds


RESULT_NAME = "\0result"  # the last expression's value among the exports (no name can be this)
_TRACE_BOUND: tuple[type, ...] | None = None


def _trace_bound(value: Any) -> bool:
    """Objects that work only inside the trace that made them (its tensors are returned; a
    tf.function returning a TensorArray hands back a bare variant tensor)."""
    global _TRACE_BOUND
    if _TRACE_BOUND is None:
        _TRACE_BOUND = (
            tf.GradientTape,
            tf.data.Dataset,
            tf.data.Iterator,
            tf.TensorArray,
            types.GeneratorType,
        )
    return isinstance(value, _TRACE_BOUND)


def _symbolic(leaf: Any) -> bool:
    """A tensor of the trace, returned as an output (a variable is a value, kept as it is)."""
    return tf.is_tensor(leaf) and not isinstance(leaf, tf.Variable)


def _branch_values(tensors: dict[str, Any]) -> dict[str, str]:
    """Name -> what a tensor ``if`` or loop bound it to eagerly (``branch_values.py``)."""
    found: dict[str, str] = {}
    for name, value in tensors.items():
        leaves = [leaf for leaf in tf.nest.flatten(value) if isinstance(leaf, tf.Tensor)]
        kinds = [branch_value(leaf) for leaf in leaves]
        kind = next((k for k in kinds if k is not None), None)
        if kind is not None and name != RESULT_NAME:
            found[name] = kind
    return found


def _sort_exports(
    values: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, tuple[Any, list[Any]]], list[str]]:
    """(tensors to return, Python values, mixed structures, names that cannot be kept)."""
    tensors: dict[str, Any] = {}
    statics: dict[str, Any] = {}
    mixed: dict[str, tuple[Any, list[Any]]] = {}
    unkept: list[str] = []
    for name, value in values.items():
        leaves = tf.nest.flatten(value)  # [value] for a value that is no structure
        symbolic = [_symbolic(leaf) for leaf in leaves]
        if any(_trace_bound(leaf) for leaf in leaves):
            if name != RESULT_NAME:
                unkept.append(name)
        elif leaves and all(symbolic):
            tensors[name] = value
        elif any(symbolic):
            # the tensors go out of the trace; the Python values stay with the trace's outputs
            tensors[name] = tf.nest.pack_sequence_as(
                value, [leaf if _symbolic(leaf) else None for leaf in leaves]
            )
            mixed[name] = (value, [None if _symbolic(leaf) else leaf for leaf in leaves])
        elif name != RESULT_NAME or value is not None:
            statics[name] = value
    return tensors, statics, mixed, unkept


def _with_python_values(kind: Any, outputs: Any, namespace: Namespace) -> Any:
    values = dict(zip(kind.names, outputs, strict=False))
    if kind.has_result:
        values[RESULT_NAME] = outputs[-1]
    for name, (structure, leaves) in kind.mixed.items():
        returned = tf.nest.flatten(values[name])
        merged = [
            leaf if returned_leaf is None else returned_leaf
            for leaf, returned_leaf in zip(leaves, returned, strict=True)
        ]
        values[name] = tf.nest.pack_sequence_as(structure, merged)
    values.update(kind.statics)
    result = values.pop(RESULT_NAME, None)
    namespace.update(values)
    return result


@lru_cache(maxsize=256)
def _plain_outputs(names: tuple[str, ...], has_result: bool) -> Any:
    fields = [f"v{index}" for index in range(len(names) + has_result)]
    make: Any = collections.namedtuple  # a class made at run time, attributes and all
    kind = make("CellOutputs", fields)
    kind.names, kind.has_result = names, has_result
    kind.python, kind.statics, kind.mixed = False, {}, {}
    return kind


def _outputs(
    names: tuple[str, ...],
    has_result: bool,
    statics: dict[str, Any] | None = None,
    mixed: dict[str, tuple[Any, list[Any]]] | None = None,
) -> Any:
    """The namedtuple class a trace returns its tensors in: the exported names' values, then the
    last expression's value if it is a tensor; the trace's Python values ride on the class.

    A flat tuple costs TensorFlow less to hand back per call than a dict (~7 µs less on the
    bench's ~1 ms step); each trace returns its own class, so a call served by an older trace
    (other input shapes, other exports, other Python values) still names its values right.
    Fields are positional, as a cell's names may start with "_", which namedtuple fields cannot;
    the names are on the class. Without Python values the class is shared (cached).
    """
    kind = _plain_outputs(names, has_result)  # (no annotation: AutoGraph converts this)
    if statics or mixed:
        kind = _subclass(kind)
        kind.python, kind.statics, kind.mixed = True, dict(statics or {}), dict(mixed or {})
    if names[:1] == (NAN_SEEN,):  # the guard (``nan_rules``) first: the same, less it
        kind.without_guard = _outputs(names[1:], has_result, statics, mixed)
    return kind


def _subclass(kind: Any) -> Any:
    """A class of its own for one trace's Python values (its instances, one a call, no dict)."""
    return type(kind.__name__, (kind,), {"__slots__": ()})


def _bound(cache: dict[Any, Any]) -> None:
    while len(cache) > CACHE_SIZE:
        del cache[next(iter(cache))]  # the oldest entry
