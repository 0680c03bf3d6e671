"""The conformance suite's invariants, on a representative subset (``make test``); the whole suite
runs in ``make bench`` (``tests/bench/bench_conformance.py``).

Subset: tensors (printing values, Python values kept, a helper reading a global), autodiff
(tapes recorded in one cell and used in the next) and strings (what XLA cannot compile, and
the string cells that once aborted the kernel under XLA), each eagerly, as ``function`` and as
``xla``: nine kernels, two at a time (1.5-5 minutes on two shared cores, as busy as they are).

What today's compile code fails is marked ``xfail(strict=True)`` per cell class: when a fix
makes one pass, the mark must go (strict turns the unexpected pass into a failure).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.classify import classify
from tests.conformance.runner import NOTEBOOKS, compute_cells
from tests.conformance.suite import run_suite

SUBSET = ["01_tensors", "06_autodiff", "12_strings"]
MODES = ("function", "xla")


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    paths = [NOTEBOOKS / f"{name}.ipynb" for name in SUBSET]
    return run_suite(paths, MODES, workers=2, reruns=1)


def _cells(report: dict[str, Any], cls: str) -> list[str]:
    return [
        f"{c['mode']} {c['notebook']}[{c['cell']}]: {c.get('output') or c.get('message')}"[:300]
        for c in report["cells"]
        if c["class"] == cls
    ]


@pytest.mark.slow
def test_every_compute_cell_is_classified_in_every_mode(report: dict[str, Any]) -> None:
    import nbformat

    expected = sum(
        len(compute_cells(nbformat.read(NOTEBOOKS / f"{n}.ipynb", as_version=4))) for n in SUBSET
    )
    for mode in MODES:
        assert report["totals"][mode]["cells"] == expected


@pytest.mark.slow
def test_the_kernel_never_dies(report: dict[str, Any]) -> None:
    assert _cells(report, "died") == []


@pytest.mark.slow
def test_no_cell_differs_silently(report: dict[str, Any]) -> None:
    assert _cells(report, "silent") == []


@pytest.mark.slow
def test_no_cell_fails_with_an_error_eager_code_does_not_raise(report: dict[str, Any]) -> None:
    assert _cells(report, "error") == []


# The classifier itself, on records shaped as the runner writes them (no kernel).


def _run(mode: str, *cells: dict[str, Any]) -> dict[str, Any]:
    return {"notebook": "n.ipynb", "mode": mode, "cells": list(cells), "wall_seconds": 0.0}


def _cell(index: int, outputs: list[dict[str, Any]], **namespace: Any) -> dict[str, Any]:
    ns = {
        k: {"type": "tf.Tensor", "dtype": "float32", "shape": [], "values": [v]}
        for k, v in namespace.items()
    }
    return {
        "index": index,
        "died": False,
        "outputs": outputs,
        "namespace": ns,
        "ops": {"eager": 1, "graph": 0},
    }


def _out(text: str, kind: str = "stdout") -> dict[str, Any]:
    return {"kind": kind, "text": text}


def test_a_symbolic_tensor_printed_is_a_silent_difference() -> None:
    eager = _run("eager", _cell(1, [_out("tf.Tensor(4, shape=(), dtype=int32)")], x=4.0))
    compiled = _run("function", _cell(1, [_out('Tensor("Const:0", shape=(), dtype=int32)')], x=4.0))
    assert classify(eager, compiled)[0]["class"] == "silent"


def test_float_noise_is_identical_and_a_dropped_name_is_not() -> None:
    eager = _run("eager", _cell(1, [_out("loss 0.1234567")], x=1.0), _cell(2, [], x=1.0, y=2.0))
    compiled = _run("xla", _cell(1, [_out("loss 0.1234568")], x=1.0), _cell(2, [], x=1.0))
    first, second = classify(eager, compiled)
    assert first["class"] == "identical"
    assert second["class"] == "silent"
    assert second["namespace_new"] == {"y": "missing"}


def test_a_workbench_refusal_naming_the_line_is_a_message() -> None:
    refusal = {
        "kind": "error",
        "ename": "CompileError",
        "text": "CompileError: Cell line 3 failed as XLA: ... Run it with %%compile eager",
    }
    eager = _run("eager", _cell(1, [_out("ok")]))
    compiled = _run("xla", _cell(1, [refusal]))
    record = classify(eager, compiled)[0]
    assert record["class"] == "message"
    assert record["names_line"]


def test_a_dead_kernel_and_the_cells_after_it() -> None:
    eager = _run("eager", _cell(1, []), _cell(2, []))
    compiled = _run("xla", {"index": 1, "died": True}, {"index": 2, "died": False, "not_run": True})
    assert [r["class"] for r in classify(eager, compiled)] == ["died", "not_run"]


def test_a_line_printed_in_two_stream_chunks_is_the_same_line() -> None:
    eager = _run("eager", _cell(1, [_out("non-zeros:"), _out(" 3\n")]))
    compiled = _run("function", _cell(1, [_out("non-zeros: 3\n")]))
    assert classify(eager, compiled)[0]["class"] == "identical"


def test_how_stdout_and_stderr_interleave_is_chance_but_their_order_within_is_not() -> None:
    warning = _out("UserWarning: Gradients do not exist for variables\n", "stderr")
    eager = _run("eager", _cell(1, [_out("step 25\n"), warning, _out("step 30\n")]))
    compiled = _run("xla", _cell(1, [warning, _out("step 25\nstep 30\n")]))
    assert classify(eager, compiled)[0]["class"] == "identical"
    swapped = _run("xla", _cell(1, [_out("step 30\n"), warning, _out("step 25\n")]))
    assert classify(eager, swapped)[0]["class"] == "silent"


def test_tensorflows_retracing_warning_is_not_the_cells_output() -> None:
    warning = (
        "WARNING:tensorflow:5 out of the last 5 calls to <function pfor.<locals>.f> triggered "
        "tf.function retracing. Tracing is expensive.\n"
    )
    eager = _run("eager", _cell(1, [_out(warning), _out("(7, 6, 5)\n")]))
    compiled = _run("function", _cell(1, [_out("(7, 6, 5)\n")]))
    assert classify(eager, compiled)[0]["class"] == "identical"
    other = _run("function", _cell(1, [_out("WARNING:tensorflow:other\n(7, 6, 5)\n")]))
    assert classify(eager, other)[0]["class"] != "identical"


def _counted(source: str) -> dict[str, int]:
    """What the probe counts while ``source`` runs in this process (its callback, for real)."""
    import tensorflow as tf
    from tensorflow.python.framework import op_callbacks

    from tests.conformance import probe

    for key in probe._counts:
        probe._counts[key] = 0
    op_callbacks.add_op_callback(probe._callback)
    try:
        exec(source, {"tf": tf})
    finally:
        op_callbacks.remove_op_callback(probe._callback)
    return dict(probe._counts)


def test_tf_data_plumbing_counts_on_neither_side_and_its_functions_as_graphs() -> None:
    counts = _counted(
        "ds = tf.data.Dataset.range(8).map(lambda x: x * 2 + 1).filter(lambda x: x > 4)\n"
        "for element in ds.batch(3):\n"
        "    pass\n"
    )
    assert counts["eager"] == 0
    assert counts["data"] >= 5  # range, map, filter, batch, the iterator and its get_next
    assert counts["data_graph"] >= 3  # mul, add, greater: tf.data runs them as graphs
    summed = _counted(
        "total = tf.constant(0, tf.int64)\n"
        "for element in tf.data.Dataset.range(4):\n"
        "    total += element\n"
    )
    assert summed["eager"] == 4  # the loop's own additions stay the cell's eager computation


def test_dataset_plumbing_alone_is_a_tensor_cell_only_by_the_strict_share() -> None:
    plumbing = _run("eager", _cell(1, []))
    plumbing["cells"][0]["ops"] = {"eager": 0, "graph": 0, "data": 6, "data_graph": 0}
    record = classify(plumbing, plumbing)[0]
    assert not record["tensor_cell"]
    assert record["compiled_share"] is None
    assert record["tensor_cell_strict"]
    assert record["compiled_share_strict"] == 0.0
    mapped = _run("eager", _cell(1, []))
    mapped["cells"][0]["ops"] = {"eager": 1, "graph": 0, "data": 3, "data_graph": 3}
    record = classify(mapped, mapped)[0]
    assert record["tensor_cell"]
    assert record["compiled_share"] == 0.75
    assert record["compiled_share_strict"] == 0.0
