"""The trace cache of compiled cells (``compile/traces.py``), on plain namespaces with real
TensorFlow: which values are traced inputs, when a cell's trace is reused or made anew (and
said), what the warm path checks, what a call writes back, and that the caches stay bounded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from workbench.compile import traces
from workbench.compile.analysis import analyze
from workbench.compile.traces import (
    CACHE_SIZE,
    call_cell,
    cell_function,
    is_tensor_structure,
    is_traced_input,
    warm_cell,
)


# Made in the test, not at collection: a process that ran a TensorFlow op before it forked has
# thread pools its forks do not get, and `make mutate` forks each mutant's tests from a process
# that collected them (the forks hang).
@pytest.mark.parametrize(
    ("make", "traced"),
    [
        (lambda: tf.constant(1.0), True),
        (lambda: tf.Variable(1.0), True),
        (lambda: np.zeros(3), True),
        (lambda: np.float32(2.0), True),
        (lambda: 3, True),
        (lambda: 2.5, True),
        (lambda: True, True),
        (lambda: [tf.constant(1.0), np.ones(2)], True),
        (lambda: (tf.constant(1.0), None), True),
        (lambda: {"x": tf.constant(1.0), "y": 2}, True),
        (lambda: [], False),
        (lambda: {}, False),
        (lambda: "text", False),
        (lambda: ["a", tf.constant(1.0)], False),
        (lambda: None, False),
        (object, False),
        (lambda: len, False),
    ],
    ids=[
        *("tensor", "variable", "array", "numpy-scalar", "int", "float", "bool"),
        *("list", "tuple-with-none", "dict", "empty-list", "empty-dict", "string"),
        *("list-with-string", "none", "object", "function"),
    ],
)
def test_which_values_are_passed_to_a_trace(make: Any, traced: bool) -> None:
    value = make()
    assert is_traced_input(value) is traced
    assert is_traced_input(value) is traced  # the second answer comes from the type cache


def test_a_string_is_no_tensor_structure() -> None:
    assert not is_tensor_structure("abc")
    assert is_tensor_structure([1, None, np.int8(3)])


def test_an_unchanged_cell_reuses_its_trace_and_a_rebound_capture_is_traced_anew() -> None:
    plan = analyze("y = scale(x)\n")
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "scale": lambda t: t * 3}
    first = cell_function(plan, namespace, "function")
    assert cell_function(plan, namespace, "function") is first
    assert cell_function(plan, namespace, "xla") is not first
    assert cell_function(plan, dict(namespace), "function") is not first
    assert first.signature.parameters == ("x",)
    assert first.captured == (("scale", namespace["scale"]),)
    notes: list[str] = []
    namespace["scale"] = lambda t: t * 4
    second = cell_function(plan, namespace, "function", notes)
    assert second is not first
    assert notes == [
        "traced anew: `scale` now names another object than at the last trace (a trace keeps "
        "the objects it captured)"
    ]
    result, _ = call_cell(second, namespace)
    assert result is None
    assert float(namespace["y"]) == 8.0


def test_a_name_that_becomes_a_tensor_changes_the_signature() -> None:
    plan = analyze("y = x * 2\n")
    as_number = cell_function(plan, {"x": "not a number"}, "function")
    as_tensor = cell_function(plan, {"x": tf.constant(1.0)}, "function")
    assert as_number.signature.parameters == ()
    assert as_tensor.signature.parameters == ("x",)


def test_the_warm_path_serves_only_while_the_namespace_fits_the_trace() -> None:
    source = "z = f(x) + n\n"
    plan = analyze(source)
    f = tf.math.square
    namespace: dict[str, Any] = {"x": tf.constant(3.0), "n": [tf.constant(1.0)], "f": f}
    assert warm_cell(namespace, "function", source) is None  # never run
    cell = cell_function(plan, namespace, "function", remember=True)
    assert warm_cell(namespace, "function", source) is cell
    assert warm_cell(namespace, "xla", source) is None
    namespace["x"] = tf.constant(5.0)  # a new value of the same type: still warm
    assert warm_cell(namespace, "function", source) is cell
    namespace["x"] = 5  # another type
    assert warm_cell(namespace, "function", source) is None
    namespace["x"] = tf.constant(5.0)
    namespace["n"] = ["strings now"]  # a list that no longer holds tensors
    assert warm_cell(namespace, "function", source) is None
    namespace["n"] = [tf.constant(2.0)]
    assert warm_cell(namespace, "function", source) is cell
    namespace["f"] = tf.math.sqrt  # a captured name naming another object
    assert warm_cell(namespace, "function", source) is None
    namespace["f"] = f
    del namespace["x"]
    assert warm_cell(namespace, "function", source) is None


def test_a_call_writes_back_tensors_and_variables_and_leaves_the_rest() -> None:
    v = tf.Variable(1.0)
    plan = analyze("w = v\nt = x + 1\nlabel = 'done'\nt * 2\n")
    namespace: dict[str, Any] = {"v": v, "x": tf.constant(1.0)}
    cell = cell_function(plan, namespace, "function")
    result, seconds = call_cell(cell, namespace)
    assert float(result) == 4.0
    assert seconds >= 0
    assert float(namespace["t"]) == 2.0
    assert namespace["w"] is v  # a variable kept by identity
    assert namespace["label"] == "done"  # a Python value of the trace, handed back as it is
    assert cell.not_exported == []
    assert cell.first_call_seconds is not None
    traced_once = cell.first_call_seconds
    call_cell(cell, namespace)
    assert cell.first_call_seconds == traced_once  # only a call that traced sets it


def test_a_cell_whose_value_is_not_a_tensor_returns_it() -> None:
    plan = analyze("t = x + 1\n'the ' + 'end'\n")
    namespace: dict[str, Any] = {"x": tf.constant(1.0)}
    result, _ = call_cell(cell_function(plan, namespace, "function"), namespace)
    assert result == "the end"


def test_a_missing_parameter_is_a_name_error_and_nothing_is_written() -> None:
    plan = analyze("y = x + 1\n")
    namespace: dict[str, Any] = {"x": tf.constant(1.0)}
    cell = cell_function(plan, namespace, "function")
    del namespace["x"]
    with pytest.raises(NameError, match=r"^name 'x' is not defined$"):
        call_cell(cell, namespace)
    assert "y" not in namespace


def test_the_caches_keep_at_most_cache_size_entries_newest_kept() -> None:
    namespace: dict[str, Any] = {"x": tf.constant(1.0)}
    cells = [
        cell_function(analyze(f"y = x + {i}\n"), namespace, "function")
        for i in range(CACHE_SIZE + 5)
    ]
    assert len(traces._cells) == CACHE_SIZE  # full, not one short
    assert len(traces._interfaces) == CACHE_SIZE
    newest = analyze(f"y = x + {CACHE_SIZE + 4}\n")
    assert cell_function(newest, namespace, "function") is cells[-1]
    oldest = analyze("y = x + 0\n")
    assert cell_function(oldest, namespace, "function") is not cells[0]  # evicted, made anew


def test_function_mode_is_not_compiled_by_xla_and_xla_mode_is() -> None:
    # XLA has no string ops: a string join runs as a tf.function and fails under XLA
    plan = analyze("joined = tf.strings.join([a, b])\n")
    namespace: dict[str, Any] = {"tf": tf, "a": tf.constant("x"), "b": tf.constant("y")}
    call_cell(cell_function(plan, namespace, "function"), namespace)
    assert namespace["joined"].numpy() == b"xy"
    # strings abort TensorFlow's process under XLA: refused while tracing, before XLA sees them
    refused = cell_function(plan, dict(namespace), "xla")
    with pytest.raises(Exception, match="XLA cannot compile string tensors"):
        call_cell(refused, dict(namespace))
    assert refused.refused is not None


def test_the_warm_path_tells_a_deleted_name_from_one_that_held_none() -> None:
    source = "y = x + 1 if opt is None else x\n"
    plan = analyze(source)
    namespace: dict[str, Any] = {"x": tf.constant(1.0), "opt": None}
    cell = cell_function(plan, namespace, "function", remember=True)
    assert warm_cell(namespace, "function", source) is cell
    del namespace["opt"]  # captured as None; now not there at all
    assert warm_cell(namespace, "function", source) is None


def test_the_warm_path_serves_a_cell_whose_loop_names_are_not_set_yet() -> None:
    source = "for i in range(n):\n    z = x * i\n"
    plan = analyze(source)
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "n": 3}
    cell = cell_function(plan, namespace, "function", remember=True)
    assert warm_cell(namespace, "function", source) is cell  # i and z still unset: it fits
    namespace["z"] = None
    assert warm_cell(namespace, "function", source) is None  # z now set, to something else
