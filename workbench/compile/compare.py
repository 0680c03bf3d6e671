"""``%%compile --compare``: the cell's computation in eager, tf.function and XLA, side by side.

What is timed: the cell's traced statements (as plain Python in each mode), or, for a cell of
``def``s alone, the last call of its functions.

Each mode starts from the same state (the variables the cell can reach are restored before
each mode's first run), so their outputs can be compared; timed runs are interleaved across
modes so that machine noise spreads evenly. The namespace itself is not touched: the cell's
real run, in its own mode, comes afterwards.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.compile.analysis import CellPlan
from workbench.compile.errors import CompileError
from workbench.compile.functions import CompiledFunction
from workbench.compile.modes import MODES, Mode
from workbench.compile.namespace import Namespace
from workbench.compile.nan_rules import without_guard
from workbench.compile.numerics import eager_numerics
from workbench.compile.report import ComparisonRow
from workbench.compile.traces import cell_function

WARMUP = 2
RTOL, ATOL = 1e-4, 1e-5  # XLA may fuse and reorder float operations


def compare_cell(
    plan: CellPlan, namespace: Namespace, mode: Mode, steps: int
) -> list[ComparisonRow]:
    """Time what the cell computes in each mode (:func:`compare_modes`).

    Raises:
        CompileError: the cell has nothing ``--compare`` can time (it calls Keras' fit and
            friends, or IPython, or is ``def``s whose functions were never called).
    """
    if plan.keras_calls or "get_ipython" in plan.reads:
        raise CompileError(
            "--compare times the cell's own TensorFlow code; this cell calls Keras' "
            "fit/evaluate/predict (which compile their own step) or IPython magics. "
            "Compare a custom training step instead, or time fit with %%time in each mode."
        )
    defs = {
        name: namespace[name]
        for name in plan.defs
        if isinstance(namespace.get(name), CompiledFunction)
    }
    if plan.statements:
        cell = cell_function(plan, namespace, "function" if mode == "eager" else mode)
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
    return compare_modes(target, args, kwargs, namespace, defs, steps)


def compare_modes(
    python_function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    namespace: Namespace,
    defs: dict[str, Any],
    steps: int,
) -> list[ComparisonRow]:
    """Time ``python_function(*args, **kwargs)`` in each mode and compare the outputs.

    Args:
        defs: the cell's compiled functions by name; while a mode runs, the namespace holds
            that mode's variant of each, so a statement calling them runs them in the same mode.
    """
    names = [*python_function.__code__.co_names, *_globals_of(defs.values())]
    variables = _reachable_variables(namespace, names, [*args, *kwargs.values()])
    saved = [v.numpy() for v in variables]

    def restore() -> None:
        for variable, value in zip(variables, saved, strict=True):
            variable.assign(value)

    runners = {
        mode: _runner(mode, python_function, args, kwargs, namespace, defs) for mode in MODES
    }
    first: dict[Mode, float] = {}
    outputs: dict[Mode, list[np.ndarray]] = {}
    samples: dict[Mode, list[float]] = {mode: [] for mode in MODES}
    try:
        for mode in MODES:
            restore()
            start = time.perf_counter()
            outputs[mode] = _host(runners[mode]())
            first[mode] = time.perf_counter() - start
        for _ in range(WARMUP):
            for mode in MODES:
                _host(runners[mode]())
        for _ in range(steps):
            for mode in MODES:
                start = time.perf_counter()
                _host(runners[mode]())
                samples[mode].append(time.perf_counter() - start)
    finally:
        restore()
    eager = statistics.median(samples["eager"])
    rows = []
    for mode in MODES:
        agrees, difference = _agree(outputs["eager"], outputs[mode])
        rows.append(
            ComparisonRow(
                mode=mode,
                median_seconds=statistics.median(samples[mode]),
                first_call_seconds=first[mode],
                speedup=eager / statistics.median(samples[mode]),
                agrees=None if mode == "eager" or not outputs[mode] else agrees,
                max_difference=difference,
            )
        )
    return rows


def _runner(
    mode: Mode,
    python_function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    namespace: Namespace,
    defs: dict[str, Any],
) -> Callable[[], Any]:
    """A call in ``mode``, with the cell's own functions compiled the same way."""
    variants = {name: CompiledFunction(f.python_function, mode) for name, f in defs.items()}
    if mode == "eager":
        function = python_function
    else:
        function = tf.function(python_function, jit_compile=mode == "xla")

    def run() -> Any:
        own = {name: namespace[name] for name in variants}
        namespace.update(variants)
        eager_before = tf.config.functions_run_eagerly()
        tf.config.run_functions_eagerly(mode == "eager")
        try:
            with eager_numerics():
                return without_guard(function(*args, **kwargs))
        finally:
            tf.config.run_functions_eagerly(eager_before)
            namespace.update(own)

    return run


def _host(result: Any) -> list[np.ndarray]:
    """Every tensor of a result as a NumPy array: waits for the computation to finish."""
    return [np.asarray(leaf) for leaf in tf.nest.flatten(result) if leaf is not None]


def _agree(expected: list[np.ndarray], actual: list[np.ndarray]) -> tuple[bool, float | None]:
    if len(expected) != len(actual):
        return False, None
    worst = 0.0
    agrees = True
    for a, b in zip(expected, actual, strict=True):
        if a.shape != b.shape:
            return False, None
        if np.issubdtype(a.dtype, np.number) and a.size:
            worst = max(worst, float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))))
            agrees = agrees and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))
        else:
            agrees = agrees and bool(np.array_equal(a, b))
    return agrees, worst


def _globals_of(functions: Any) -> list[str]:
    return [name for f in functions for name in f.python_function.__code__.co_names]


def _reachable_variables(namespace: Namespace, names: list[str], values: list[Any]) -> list[Any]:
    """Variables the cell can change: bare ones, and those of models, layers and optimizers."""
    found: dict[int, Any] = {}
    for value in [*(namespace.get(name) for name in dict.fromkeys(names)), *values]:
        if isinstance(value, tf.Variable):
            found[id(value)] = value
        elif hasattr(value, "variables") and not isinstance(value, type):
            try:
                candidates = list(value.variables)
            except Exception:  # noqa: BLE001 - a property that fails is not a variable holder
                continue
            for variable in candidates:
                if hasattr(variable, "assign") and hasattr(variable, "numpy"):
                    found[id(variable)] = variable
    return list(found.values())
