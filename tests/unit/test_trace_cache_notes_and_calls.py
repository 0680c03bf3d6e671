"""The trace cache (``compile/traces.py``) on plain namespaces, beyond test_trace_cache.py: when a
new trace is said to be made anew (only for the same cell, naming every rebound capture), what a
traced cell carries (its generated source for tracebacks, its Python function for --compare, the
reasons it traced again) and what a call reports (its own wall time, the last expression)."""

from __future__ import annotations

import linecache
import time
from typing import Any

import tensorflow as tf

from workbench.compile.analysis import analyze
from workbench.compile.traces import call_cell, cell_function


def test_a_first_trace_of_a_cell_says_nothing_whatever_other_cells_captured() -> None:
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "scale": lambda t: t * 3}
    cell_function(analyze("y = scale(x)\n"), namespace, "function")
    namespace["scale"] = lambda t: t * 4
    notes: list[str] = []
    cell_function(analyze("z = scale(x) + 1\n"), namespace, "function", notes)
    assert notes == []  # another cell's trace held the old `scale`: not this cell's


def test_a_capture_defined_only_after_the_last_trace_is_not_a_rebinding() -> None:
    plan = analyze("y = scale(x)\n")
    namespace: dict[str, Any] = {"x": tf.constant(2.0)}
    notes: list[str] = []
    cell_function(plan, namespace, "function", notes)  # `scale` not defined yet
    namespace["scale"] = lambda t: t * 3
    traced = cell_function(plan, namespace, "function", notes)
    assert notes == []
    call_cell(traced, namespace)
    assert float(namespace["y"]) == 6.0


def test_every_rebound_capture_is_named_and_no_notes_list_is_fine() -> None:
    plan = analyze("y = f(g(x))\n")
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "f": tf.math.square, "g": tf.math.abs}
    cell_function(plan, namespace, "function")
    namespace.update(f=tf.math.sqrt, g=tf.math.negative)
    notes: list[str] = []
    cell_function(plan, namespace, "function", notes)
    assert notes == [
        "traced anew: `f`, `g` now names another object than at the last trace (a trace keeps "
        "the objects it captured)"
    ]
    namespace["f"] = tf.math.exp
    cell = cell_function(plan, namespace, "function")  # rebound, and nobody to tell: no error
    call_cell(cell, namespace)
    assert float(namespace["y"]) == float(tf.math.exp(-2.0))


def test_a_traced_cell_carries_its_source_its_python_function_and_its_retrace_reasons() -> None:
    plan = analyze("y = x * 2\n")
    namespace: dict[str, Any] = {"x": tf.constant([1.0, 2.0])}
    cell = cell_function(plan, namespace, "function")
    # tracebacks show the generated function's lines: its text is in linecache under its name
    assert cell.filename.startswith("<workbench-cell-")
    assert cell.filename.endswith("-function>")
    lines = linecache.getlines(cell.filename)
    assert any("x * 2" in line for line in lines)
    # what --compare runs eagerly (traced under a scope that records the variables it makes)
    assert cell.function.python_function.__wrapped__ is cell.python_function
    call_cell(cell, namespace)
    assert cell.retrace_reasons() == []
    namespace["x"] = tf.constant([1.0, 2.0, 3.0])
    call_cell(cell, namespace)
    assert cell.traces == 2
    assert cell.retrace_reasons() == [
        "`x` changed shape ((2) -> (3)); give the changing dimension as None in an "
        "input_signature, or use reduce_retracing=True"
    ]


def test_a_call_reports_its_own_wall_time_and_the_last_expression() -> None:
    plan = analyze("a = x + 1\nb = x + 2\nc = x + 3\na * 10\n")
    namespace: dict[str, Any] = {"x": tf.constant(1.0)}
    cell = cell_function(plan, namespace, "function")
    before = time.perf_counter()
    result, seconds = call_cell(cell, namespace)
    after = time.perf_counter()
    assert 0 <= seconds <= after - before  # the call's own duration, not a clock reading
    assert cell.first_call_seconds == seconds  # this call traced
    assert float(result) == 20.0  # the last expression's value, after three exported tensors
    assert [float(namespace[n]) for n in "abc"] == [2.0, 3.0, 4.0]
    assert cell.traces == 1
    call_cell(cell, namespace)
    assert (cell.traces, cell.first_call_seconds) == (1, seconds)
