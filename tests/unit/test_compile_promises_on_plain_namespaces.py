"""Promises of ``compile_cell`` that issue 10's deliberate bugs showed unproved, tried on plain
namespaces with real TensorFlow: a failing compiled cell leaves the names the eager cell leaves,
a retrace names the changed shape the right way round and a changed dtype, and ``--compare``
says when modes disagree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from workbench.compile import CompileError, compile_cell
from workbench.compile.compare import _agree


def _run(cell: str, namespace: dict[str, Any], mode: str) -> None:
    if mode == "plain":  # the cell with no magic, as the kernel runs it
        exec(cell, namespace)
    else:
        compile_cell(cell, namespace, mode)


def test_a_failing_cell_leaves_the_names_the_eager_cell_leaves() -> None:
    def helper(t: Any) -> Any:
        return t + 1

    cell = "def helper(t):\n    return t * 100\nb = helper(a)\nc = b + undefined_name\n"
    after = {}
    for mode in ("plain", "function", "xla"):
        namespace: dict[str, Any] = {"tf": tf, "a": tf.ones([2]), "b": "before", "helper": helper}
        with pytest.raises(NameError, match="undefined_name"):  # the eager error, not another
            _run(cell, namespace, mode)
        after[mode] = namespace
    for mode in ("function", "xla"):
        # what ran before the failing line stays done, as eagerly: the new helper, b
        assert after[mode]["helper"] is not helper
        np.testing.assert_allclose(after[mode]["b"], after["plain"]["b"])
        assert "c" not in after[mode]


def test_an_eager_cell_keeps_what_it_assigned_before_failing_as_a_plain_cell() -> None:
    cell = "count = 2\nitems = ['replaced']\nnew = 3\nraise RuntimeError('late failure')\n"
    after = {}
    for mode in ("plain", "eager"):
        namespace: dict[str, Any] = {"count": 1, "items": [1, 2]}
        with pytest.raises(RuntimeError, match="late failure"):
            _run(cell, namespace, mode)
        after[mode] = {k: v for k, v in namespace.items() if k != "__builtins__"}
    assert after["eager"] == after["plain"] == {"count": 2, "items": ["replaced"], "new": 3}


def test_a_fit_that_fails_compiled_puts_back_every_name_it_assigned() -> None:
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    namespace: dict[str, Any] = {"count": 1, "items": [1, 2], "model": model, "np": np}
    cell = (
        "count = 2\nitems = ['replaced']\nnew = 3\n"
        "model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)\n"
    )
    with pytest.raises(CompileError, match="expected axis -1 of input shape to have value 2"):
        compile_cell(cell, namespace, "function")
    assert namespace["count"] == 1  # overwritten names put back, not only removed ones
    assert namespace["items"] == [1, 2]
    assert "new" not in namespace


def _reasons(run: Any) -> str:
    return repr(run.report)


def test_a_retrace_names_the_changed_shape_old_then_new() -> None:
    namespace: dict[str, Any] = {"x": tf.ones([2])}
    compile_cell("y = x * 2\n", namespace, "function")
    namespace["x"] = tf.ones([3])
    text = _reasons(compile_cell("y = x * 2\n", namespace, "function"))
    assert "`x` changed shape ((2) -> (3))" in text


def test_a_retrace_names_a_changed_dtype() -> None:
    namespace: dict[str, Any] = {"x": tf.ones([2])}
    compile_cell("y = x * 2\n", namespace, "function")
    namespace["x"] = tf.ones([2], tf.int32)
    text = _reasons(compile_cell("y = x * 2\n", namespace, "function"))
    assert "`x` changed dtype (float32 -> int32); cast it once" in text


def test_compare_says_when_outputs_disagree_and_by_how_much() -> None:
    same = [np.array([1.0, 2.0])]
    assert _agree(same, [np.array([1.0, 2.0])]) == (True, 0.0)
    agrees, worst = _agree(same, [np.array([1.0, 2.5])])
    assert agrees is False
    assert worst == pytest.approx(0.5)
    assert _agree(same, [np.array([1.0, 2.0, 3.0])]) == (False, None)  # another shape
    assert _agree(same, []) == (False, None)  # another number of outputs
    assert _agree([np.array(["a"])], [np.array(["b"])])[0] is False  # not numbers: equal or not
    assert _agree([np.array([np.nan])], [np.array([np.nan])])[0] is True  # NaN where eager has it


def test_compare_reports_a_cell_whose_modes_disagree() -> None:
    # Python randomness runs once per trace in a compiled cell, once per run eagerly
    namespace: dict[str, Any] = {"tf": tf, "np": np, "x": tf.ones([3])}
    run = compile_cell(
        "y = x * np.random.rand()\ny\n", namespace, "function", compare=True, steps=2
    )
    rows = {line.split()[0]: line for line in repr(run.report).splitlines()[2:]}
    assert "DIFFER (max |diff|" in rows["tf.function"]
    assert "DIFFER (max |diff|" in rows["XLA"]
    assert "DIFFER" not in rows["eager"]
