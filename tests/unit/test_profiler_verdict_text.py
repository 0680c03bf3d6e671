"""The verdict word for word, as the side panel shows it, for step-time breakdowns on each side
of every kind (input-bound, partly input-bound, compilation-bound, overhead-bound, compute-bound on
the device or the host, XLA-compiled, no steps), built from the dataclasses xprof's answers are
read into; and durations at each unit's edge."""

from __future__ import annotations

import pytest

from workbench.profiler.breakdown import CATEGORIES, Breakdown, StepTime
from workbench.profiler.diagnosis import diagnose, format_ms
from workbench.profiler.ops import TopOp
from workbench.profiler.pipeline import Stage

PARALLEL = "pass `num_parallel_calls=tf.data.AUTOTUNE` to `map`"
PREFETCH = "add `.prefetch(tf.data.AUTOTUNE)` at the end of the pipeline"
CACHE = "`.cache()` after the expensive steps when the data fits in memory"
XLA = "compile the step with XLA: `model.compile(..., jit_compile=True)` (or `%%compile xla`)"
MIXED = "mixed precision: `keras.mixed_precision.set_global_policy('mixed_float16')`"
BATCH = "a larger batch, when memory allows"


def _steps(totals: list[float], note: str = "", **percent: float) -> Breakdown:
    """Steps of these totals (ms), each split by the same percentages."""
    steps = []
    for i, total in enumerate(totals):
        parts = dict.fromkeys(CATEGORIES, 0.0)
        parts |= {k.replace("_", " "): v * total / 100 for k, v in percent.items()}
        steps.append(StepTime(str(11 + i), total, parts))
    return Breakdown(steps=steps, source="xprof", note=note)


def test_an_input_bound_fit_with_a_sequential_map() -> None:
    stage = Stage("Iterator::Root::Map", 30.0, 0.75, "Iterator::Root::Batch::Map")
    verdict = diagnose(_steps([150, 200, 250], input=60, host_compute=40), stage)
    assert verdict.kind == "input-bound"
    assert verdict.input_share == pytest.approx(0.6)
    assert verdict.fixes == [PARALLEL, PREFETCH, CACHE]
    assert verdict.text() == (
        "input-bound: 60% of step time waits for data (120 ms of 200 ms a step). "
        "3 steps of 200 ms on average (150 ms to 250 ms). "
        "The slowest tf.data stage is Map (75% of input time, `Iterator::Root::Map`). "
        f"Try: {PARALLEL}; {PREFETCH}; {CACHE}."
    )


def test_one_step_partly_input_bound_with_no_stage_known() -> None:
    verdict = diagnose(_steps([40], input=25, host_compute=75))
    assert verdict.kind == "partly input-bound"
    assert verdict.input_share == pytest.approx(0.25)
    assert verdict.text() == (
        "partly input-bound: 25% of step time waits for data (10 ms of 40 ms a step). "
        f"1 step of 40 ms on average. Try: {PARALLEL}; {PREFETCH}; {CACHE}."
    )


def test_a_pipeline_that_maps_in_parallel_prefetches_and_caches() -> None:
    stage = Stage(
        "Iterator::Root::Prefetch::ParallelMapV2",
        3.0,
        0.5,
        "Iterator::Root::Prefetch::Cache::ParallelMapV2",
    )
    verdict = diagnose(_steps([40, 40], input=25, host_compute=75), stage)
    assert verdict.fixes == [
        "the cache fills during the first epoch: profile a later one to see the cached speed"
    ]
    assert verdict.details[0] == "2 steps of 40 ms on average"  # not "(40 ms to 40 ms)"
    # only the iterator known (no pipeline path): judged from it
    bare = Stage("Iterator::Root::ParallelMapV2", 3.0, 0.5)
    assert diagnose(_steps([40], input=25, host_compute=75), bare).fixes == [PREFETCH, CACHE]
    mapped = Stage("Iterator::Root::Map", 3.0, 0.5, "Iterator::Root::Prefetch::Map")
    assert diagnose(_steps([40], input=60, host_compute=40), mapped).fixes == [PARALLEL, CACHE]


def test_a_compilation_bound_step_word_for_word() -> None:
    verdict = diagnose(_steps([1200], compilation=35, host_compute=60, input=5))
    assert verdict.kind == "compilation-bound"
    assert verdict.input_share == pytest.approx(0.05)
    assert verdict.text() == (
        "compilation-bound: 35% of step time compiles. 1 step of 1.2 s on average. "
        "Try: keep input shapes fixed (`drop_remainder=True` in `batch`, padded batches) so "
        "functions are not traced and compiled again."
    )


def test_an_overhead_bound_loop_word_for_word() -> None:
    verdict = diagnose(_steps([2, 3], other=50, host_compute=40, input=10))
    assert verdict.kind == "overhead-bound"
    assert verdict.input_share == pytest.approx(0.1)
    assert verdict.text() == (
        "overhead-bound: 50% of step time is outside TensorFlow's ops (Python between steps, "
        "callbacks). 2 steps of 2.5 ms on average (2 ms to 3 ms). "
        "Try: run several steps per call: `model.compile(..., steps_per_execution=32)`; "
        "a larger batch; fewer per-batch callbacks."
    )


def test_device_and_host_compute_tied_reads_as_the_device() -> None:
    verdict = diagnose(_steps([10, 12], device_compute=45, host_compute=45, input=10))
    assert verdict.kind == "compute-bound"
    assert verdict.input_share == pytest.approx(0.1)
    assert verdict.text() == (
        "compute-bound: 45% of step time runs TensorFlow ops on the device; input waits 10%. "
        f"2 steps of 11 ms on average (10 ms to 12 ms). Try: {XLA}; {MIXED}; {BATCH}."
    )


def test_a_host_bound_step_that_ran_briefly_under_xla() -> None:
    ops = [
        TopOp("Iterator::Root", "Dataset", "Host", 1, 9.0, 0.5),
        TopOp("model/dense/MatMul", "MatMul", "Host", 1, 8.0, 0.4),
    ]
    verdict = diagnose(
        _steps([10], device_compute=20, host_compute=70, input=10), ops=ops, xla_ms=0.5
    )
    assert verdict.text() == (
        "compute-bound: 70% of step time runs TensorFlow ops on the host (CPU); input waits 10%. "
        "1 step of 10 ms on average. The step runs XLA-compiled (500 µs of compiled code in the "
        f"capture; the ops XLA fused appear in no op statistics). Try: {BATCH}."
    )
    plain = diagnose(_steps([10], device_compute=20, host_compute=70, input=10), ops=ops)
    assert plain.text() == (
        "compute-bound: 70% of step time runs TensorFlow ops on the host (CPU); input waits 10%. "
        "1 step of 10 ms on average. The busiest op is dense/MatMul (MatMul, 40% of op time). "
        f"Try: {XLA}; {BATCH}."
    )


def test_a_note_that_ends_a_sentence_gets_no_second_full_stop() -> None:
    verdict = diagnose(_steps([10], note="measured on a shared machine.", host_compute=100))
    assert verdict.details == ["1 step of 10 ms on average", "measured on a shared machine."]
    assert verdict.text() == (
        "compute-bound: 100% of step time runs TensorFlow ops on the host (CPU); input waits 0%. "
        f"1 step of 10 ms on average. Measured on a shared machine. Try: {XLA}; {BATCH}."
    )


def test_no_steps_and_no_note() -> None:
    verdict = diagnose(Breakdown())
    assert verdict.text() == (
        "no training steps found (no steps were marked). Try: profile steps of a fit with "
        "`LiveCurves(profile_steps=(10, 15))`, or mark each step of a custom loop with "
        "`tf.profiler.experimental.Trace('train', step_num=step, _r=1)`."
    )


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (9990.0, "9.99 s"),
        (1000.0, "1 s"),
        (999.7, "1 s"),  # not "1e+03 ms"
        (999.0, "999 ms"),
        (1.5, "1.5 ms"),
        (1.0, "1 ms"),
        (0.9997, "1 ms"),  # not "1e+03 µs"
        (0.999, "999 µs"),
        (0.0, "0 µs"),
    ],
)
def test_durations_at_each_units_edge(ms: float, text: str) -> None:
    assert format_ms(ms) == text
