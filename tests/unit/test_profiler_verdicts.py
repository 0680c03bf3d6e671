"""xprof's tables read into a per-step breakdown, top ops and peak memory, and the verdict in
words: on xprof's real answers for an input-bound digits fit (tests/profiler/data) and on
breakdowns made to sit on each side of every threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workbench.profiler.breakdown import CATEGORIES, Breakdown, StepTime, from_xprof
from workbench.profiler.diagnosis import (
    CACHE,
    NO_STEPS_FIX,
    PARALLEL_MAP,
    PREFETCH,
    diagnose,
    format_ms,
)
from workbench.profiler.memory import peak_memory
from workbench.profiler.ops import TopOp, top_ops
from workbench.profiler.pipeline import slowest_stage

DATA = Path(__file__).parents[1] / "profiler" / "data"


def _load(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text())


def test_the_breakdown_of_an_input_bound_fit_adds_up() -> None:
    breakdown = from_xprof(_load("slow_input_pipeline_analyzer"))
    assert breakdown.source == "xprof"
    assert breakdown.hardware == "CPU_ONLY"
    assert [s.label for s in breakdown.steps][:3] == ["11", "12", "13"]
    for step in breakdown.steps:  # each step's parts are its time
        assert sum(step.parts.values()) == pytest.approx(step.total_ms, rel=0.01)
    shares = breakdown.shares()
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["input"] > 0.95
    assert list(shares) == list(CATEGORIES)
    assert breakdown.mean_ms == pytest.approx(175.8, abs=0.5)  # xprof's own average


def test_the_verdict_names_the_slow_stage_and_the_missing_fixes() -> None:
    data = _load("slow_input_pipeline_analyzer")
    stage = slowest_stage(data)
    assert stage is not None
    assert stage.name == "MapAndBatch"
    assert stage.share == pytest.approx(0.998, abs=0.001)
    verdict = diagnose(from_xprof(data), stage, top_ops(_load("slow_framework_op_stats")))
    assert verdict.kind == "input-bound"
    assert verdict.headline == (
        "input-bound: 99% of step time waits for data (173 ms of 176 ms a step)"
    )
    assert verdict.fixes == [PARALLEL_MAP, PREFETCH, CACHE]
    assert "The slowest tf.data stage is MapAndBatch (100% of input time" in verdict.text()


def test_a_pipeline_that_prefetches_and_caches_is_not_told_to() -> None:
    data = _load("fast_input_pipeline_analyzer")
    stage = slowest_stage(data)
    assert stage is not None
    assert "Prefetch" in stage.pipeline
    assert "Cache" in stage.pipeline
    verdict = diagnose(from_xprof(data), stage)
    assert PREFETCH not in verdict.fixes
    assert CACHE not in verdict.fixes
    assert any("the cache fills during the first epoch" in fix for fix in verdict.fixes)


def test_top_ops_leave_idle_time_out_and_share_the_rest() -> None:
    ops = top_ops(_load("slow_framework_op_stats"), limit=50)
    assert ops[0].operation == "Iterator::Root::MapAndBatch"
    assert all(op.type != "IDLE" for op in ops)
    assert [op.self_us for op in ops] == sorted((op.self_us for op in ops), reverse=True)
    assert sum(op.share for op in ops) == pytest.approx(1.0, abs=0.01)
    matmul = [op for op in ops if "MatMul" in op.type]
    assert matmul
    assert matmul[0].count == 15
    assert TopOp("a/b/c/Relu", "Relu", "Host", 1, 1.0, 1.0).short == "c/Relu"


def _steps(**ms: float) -> Breakdown:
    parts = dict.fromkeys(CATEGORIES, 0.0) | {k.replace("_", " "): v for k, v in ms.items()}
    total = sum(parts.values())
    return Breakdown(steps=[StepTime(str(i), total, parts) for i in range(4)], source="xprof")


@pytest.mark.parametrize(
    ("ms", "kind"),
    [
        ({"input": 50, "host_compute": 50}, "input-bound"),
        ({"input": 49, "host_compute": 51}, "partly input-bound"),
        ({"input": 20, "host_compute": 80}, "partly input-bound"),
        ({"input": 19, "host_compute": 81}, "compute-bound"),
        ({"compilation": 30, "host_compute": 70}, "compilation-bound"),
        ({"other": 40, "host_compute": 60}, "overhead-bound"),
        ({"other": 39, "host_compute": 61}, "compute-bound"),
        ({"device_compute": 60, "host_compute": 40}, "compute-bound"),
    ],
)
def test_each_threshold(ms: dict[str, float], kind: str) -> None:
    assert diagnose(_steps(**ms)).kind == kind


def test_compute_bound_says_where_and_names_a_compute_op() -> None:
    ops = [
        TopOp("Iterator::Root::Prefetch", "Dataset", "Host", 3, 900.0, 0.6),
        TopOp("model/dense/MatMul", "MatMul", "Host", 3, 600.0, 0.4),
    ]
    verdict = diagnose(_steps(device_compute=70, host_compute=20, input=10), ops=ops)
    assert verdict.headline.startswith(
        "compute-bound: 70% of step time runs TensorFlow ops on the device"
    )
    assert "the busiest op is dense/MatMul (MatMul, 40% of op time)" in verdict.details
    assert any("mixed_float16" in fix for fix in verdict.fixes)
    host = diagnose(_steps(host_compute=90, input=10))
    assert "on the host (CPU)" in host.headline
    assert not any("mixed" in fix for fix in host.fixes)


def test_an_xla_compiled_step_is_not_told_to_compile_with_xla() -> None:
    # the ops XLA fused run inside its executable, in no op statistics: the busiest op left is
    # what XLA did not take, a wrong lead
    ops = [TopOp("GatherV2", "GatherV2", "Host", 64, 1000.0, 0.03)]
    plain = diagnose(_steps(host_compute=90, input=10), ops=ops)
    assert any("jit_compile=True" in fix for fix in plain.fixes)
    xla = diagnose(_steps(host_compute=90, input=10), ops=ops, xla_ms=120.0)
    assert not any("XLA" in fix for fix in xla.fixes)
    assert not any("busiest op" in detail for detail in xla.details)
    assert xla.details[-1].startswith("the step runs XLA-compiled (120 ms of compiled code")


def test_no_steps_says_how_to_mark_them() -> None:
    verdict = diagnose(Breakdown(note="xprof measured no step: the steps were not marked"))
    assert verdict.kind == "no steps"
    assert verdict.fixes == [NO_STEPS_FIX]
    assert "not marked" in verdict.headline


def test_durations_read_as_people_say_them() -> None:
    assert [format_ms(v) for v in (1234.0, 176.0, 2.34, 0.041, 0.0)] == [
        "1.23 s",
        "176 ms",
        "2.34 ms",
        "41 µs",
        "0 µs",
    ]


def test_peak_memory_per_allocator_where_recorded() -> None:
    gpu = {
        "memoryProfilePerAllocator": {
            "GPU_0_bfc": {"profileSummary": {"peakStats": {"peakBytesInUse": "123456789"}}},
            "broken": {"profileSummary": None},
        }
    }
    assert peak_memory(gpu) == {"GPU_0_bfc": 123456789}
    assert peak_memory({"memoryProfilePerAllocator": {}, "numHosts": 1}) == {}  # a CPU capture
    assert peak_memory(None) == {}


def test_the_step_table_is_found_wherever_xprof_puts_it() -> None:
    tables = _load("slow_input_pipeline_analyzer")
    shuffled = [tables[2], {"cols": [{"id": "x"}], "rows": []}, tables[1]]  # overview_page's order
    assert from_xprof(shuffled).mean_ms == pytest.approx(from_xprof(tables).mean_ms)
    assert from_xprof([tables[0]]).note == "xprof's answer has no step table"
    assert from_xprof("not tables").source == "none"


def test_leading_steps_that_compile_are_left_out_and_said() -> None:
    parts = dict.fromkeys(CATEGORIES, 0.0)
    traced = StepTime("0", 400.0, parts | {"compilation": 380.0, "host compute": 20.0})
    ran = [StepTime(str(i), 1.0, parts | {"host compute": 1.0}) for i in (1, 2, 3)]
    table = [
        {
            "cols": [
                {"id": "stepnum"},
                {"id": "compileTimeMs"},
                {"id": "hostComputeTimeMs"},
                {"id": "stepTimeMs"},
            ],
            "rows": [
                {
                    "c": [
                        {"v": f"train {s.label}"},
                        {"v": s.parts["compilation"]},
                        {"v": s.parts["host compute"]},
                        {"v": s.total_ms},
                    ]
                }
                for s in [traced, *ran]
            ],
        }
    ]
    breakdown = from_xprof(table)
    assert [s.label for s in breakdown.steps] == ["1", "2", "3"]
    assert [s.label for s in breakdown.warm_up] == ["0"]
    assert breakdown.mean_ms == pytest.approx(1.0)
    assert breakdown.note == "step 0 (400 ms) traced or compiled what the others run: left out"
    verdict = diagnose(breakdown)
    assert verdict.kind == "compute-bound"
    assert breakdown.note + "." in verdict.text().replace("Step 0", "step 0")
    only = from_xprof([{**table[0], "rows": table[0]["rows"][:1]}])
    assert [s.label for s in only.steps] == ["0"]  # one step is kept, whatever it did


def test_the_timeline_counts_tracing_as_compilation() -> None:
    from workbench.profiler.breakdown import from_timeline
    from workbench.profiler.trace import Lane, Step, Trace

    def breakdown(tracing_us: float) -> Breakdown:
        names = ["step", "tf.function-graph_building", "MatMul", "IteratorGetNextOp::DoCompute"]
        trace = Trace.from_columns(
            [0, 10, 1000, 1010, 1020],
            [900, tracing_us, 100, 50, 20],
            [0, 0, 0, 0, 0],
            [0, 1, 0, 2, 3],
            names,
            [Lane(1, 1, "/host:CPU", "python")],
            steps=[Step(0, 900, "1"), Step(1000, 1100, "2")],
        )
        return from_timeline(trace)

    some = breakdown(300.0)  # a third of step 1: kept
    first, second = some.steps
    assert first.parts["compilation"] == pytest.approx(0.3)
    assert first.parts["host compute"] == pytest.approx(0.6)
    assert first.parts["other"] == pytest.approx(0.1)  # until step 2 begins
    assert second.parts["input"] == pytest.approx(0.02)
    assert second.parts["host compute"] == pytest.approx(0.08)
    most = breakdown(600.0)  # two thirds of step 1: warm-up
    assert [s.label for s in most.steps] == ["2"]
    assert "step 1 (1 ms) traced or compiled what the others run: left out" in most.note
