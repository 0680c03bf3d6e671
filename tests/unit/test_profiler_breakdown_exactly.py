"""The step-time breakdown estimated from a timeline, to the microsecond: warm-up steps left out
(at exactly half their time compiling, and not below), input waits and compiles on several
threads unioned and clipped to their step, the gap to the next step as "other", device lanes
making compute "device compute", and the note word for word."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.profiler.breakdown import CATEGORIES, from_timeline, from_xprof, xla_run_ms
from workbench.profiler.trace import Trace

MARKERS_NOTE = (
    "estimated from the timeline's step markers (xprof measured none: each bar is one marked "
    "call), input = time waiting in IteratorGetNext"
)
GROUPS_NOTE = (
    "estimated from the timeline (no step markers): a step per tf.function call, input = time "
    "waiting in IteratorGetNext"
)


def _meta(pid: int, tid: int, process: str, thread: str) -> list[dict[str, Any]]:
    return [
        {"ph": "M", "name": "process_name", "pid": pid, "args": {"name": process}},
        {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": thread}},
    ]


def _x(name: str, ts: float, dur: float, tid: int = 1, pid: int = 1, **args: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"ph": "X", "name": name, "pid": pid, "tid": tid, "ts": ts, "dur": dur}
    if args:
        event["args"] = args
    return event


def _parts(**given: float) -> dict[str, float]:
    parts = dict.fromkeys(CATEGORIES, 0.0)
    parts.update({k.replace("_", " "): v for k, v in given.items()})
    return parts


def _marked(device: bool) -> Trace:
    """Four marked steps (µs): 1 compiles 750 of its 1500 (warm-up, at exactly half), 2 is all
    compile from another thread (warm-up), 3 waits for input on two threads (overlapping) and
    compiles 300 of its 2000 (kept), 4 lasts half a microsecond and is the last."""
    events = _meta(1, 1, "/host:CPU", "python") + _meta(1, 2, "/host:CPU", "worker")
    events += [
        _x("train", 0, 1000, step_num=1),
        _x("tf.function-graph_building", 100, 750),
        _x("train", 1500, 1000, step_num=2),
        _x("XlaCompile", 1400, 1200, tid=2),
        _x("train", 3000, 1500, step_num=3),
        _x("IteratorGetNext", 3100, 200),
        _x("IteratorGetNext", 3200, 200, tid=2),
        _x("IteratorGetNext", 3600, 100),
        _x("IteratorGetNext", 3650, 10, tid=2),
        _x("tf.function-graph_building", 4000, 300),
        _x("train", 5000, 0.5, step_num=4),
    ]
    if device:
        events += [*_meta(2, 1, "/device:GPU:0", "stream"), _x("fusion", 3100, 100, pid=2)]
    return Trace.from_events(events)


@pytest.mark.parametrize("device", [True, False])
def test_marked_steps_break_down_to_the_microsecond(device: bool) -> None:
    compute = "device_compute" if device else "host_compute"
    breakdown = from_timeline(_marked(device))
    assert breakdown.source == "timeline"
    assert breakdown.note == (
        f"{MARKERS_NOTE}; steps 1, 2 (3 ms) traced or compiled what the others run: left out"
    )
    got: list[Any] = [(s.label, s.total_ms, s.parts) for s in breakdown.steps]
    assert got == [
        ("3", pytest.approx(2.0), _approx(input=0.4, compilation=0.3, other=0.5, **{compute: 0.8})),
        ("4", pytest.approx(0.0005), _approx(**{compute: 0.0005})),
    ]
    warm: list[Any] = [(s.label, s.total_ms, s.parts) for s in breakdown.warm_up]
    assert warm == [
        ("1", pytest.approx(1.5), _approx(compilation=0.75, other=0.5, **{compute: 0.25})),
        ("2", pytest.approx(1.5), _approx(compilation=1.0, other=0.5)),
    ]
    assert breakdown.as_dict() == {
        "source": "timeline",
        "note": breakdown.note,
        "mean_ms": pytest.approx(1.00025),
        "shares": _approx(
            input=0.4 / 2.0005,
            compilation=0.3 / 2.0005,
            other=0.5 / 2.0005,
            **{compute: 0.8005 / 2.0005},
        ),
        "steps": [
            {
                "label": "3",
                "total_ms": pytest.approx(2.0),
                **_approx(input=0.4, compilation=0.3, other=0.5, **{compute: 0.8}),
            },
            {"label": "4", "total_ms": pytest.approx(0.0005), **_approx(**{compute: 0.0005})},
        ],
    }
    assert breakdown.totals() == _approx(input=0.4, compilation=0.3, other=0.5, **{compute: 0.8005})


def _approx(**given: float) -> dict[str, Any]:
    return {k: pytest.approx(v, rel=1e-9, abs=1e-12) for k, v in _parts(**given).items()}


def test_one_warm_up_step_is_named_in_the_singular() -> None:
    events = [
        *_meta(1, 1, "/host:CPU", "python"),
        _x("train", 0, 1000, step_num=7),
        _x("tf.function-graph_building", 0, 999),
        _x("train", 1500, 1000, step_num=8),
    ]
    breakdown = from_timeline(Trace.from_events(events))
    assert breakdown.note == (
        f"{MARKERS_NOTE}; step 7 (1.5 ms) traced or compiled what the others run: left out"
    )
    assert [s.label for s in breakdown.steps] == ["8"]


def test_calls_grouped_by_xprof_say_so_and_compute_on_the_host() -> None:
    events = [
        *_meta(1, 1, "/host:CPU", "python"),
        _x("__inference_train_function_1", 0, 1000, group_id=0),
        _x("IteratorGetNext", 100, 250, group_id=0),
        _x("__inference_train_function_1", 1500, 1000, group_id=1),
    ]
    breakdown = from_timeline(Trace.from_events(events))
    assert (breakdown.source, breakdown.note) == ("timeline", GROUPS_NOTE)
    got: list[Any] = [(s.label, s.total_ms, s.parts) for s in breakdown.steps]
    assert got == [
        ("0", pytest.approx(1.5), _approx(input=0.25, other=0.5, host_compute=0.75)),
        ("1", pytest.approx(1.0), _approx(host_compute=1.0)),
    ]


def test_a_capture_without_steps_says_why() -> None:
    events = [*_meta(1, 1, "/host:CPU", "python"), _x("MatMul", 0, 10)]
    breakdown = from_timeline(Trace.from_events(events))
    assert (breakdown.source, breakdown.steps, breakdown.note) == (
        "none",
        [],
        "no steps found: the capture holds no tf.function calls or marked steps",
    )


def test_a_step_under_a_millisecond_or_of_no_time_has_exact_shares() -> None:
    quick = [*_meta(1, 1, "/host:CPU", "python"), _x("train", 0, 500, step_num=1)]
    assert from_timeline(Trace.from_events(quick)).shares() == _approx(host_compute=1.0)
    empty = [*_meta(1, 1, "/host:CPU", "python"), _x("train", 0, 0, step_num=1)]
    assert from_timeline(Trace.from_events(empty)).shares() == _approx()


def test_xla_run_time_sums_its_executables_on_every_thread() -> None:
    events = [
        *_meta(1, 1, "/host:CPU", "python"),
        _x("CpuExecutable::ExecuteAsyncOnStream", 0, 1500),
        _x("CpuExecutable::ExecuteAsyncOnStream", 2000, 250, tid=2),
        _x("MatMul", 0, 3000, tid=3),
    ]
    assert xla_run_ms(Trace.from_events(events)) == pytest.approx(1.75, rel=1e-12)
    assert xla_run_ms(Trace.from_events(events[:2] + events[-1:])) == 0.0


STEP_COLUMNS = ("stepTimeMs", "infeedTimeMs", "compileTimeMs", "otherTimeMs", "stepnum")


def _step_table(rows: list[tuple[Any, ...]], **properties: str) -> list[dict[str, Any]]:
    return [
        {
            "cols": [{"id": c, "label": c, "type": "number"} for c in STEP_COLUMNS],
            "rows": [{"c": [{"v": v} for v in row]} for row in rows],
            "p": properties,
        }
    ]


def test_xprof_steps_named_by_number_or_by_trace_name() -> None:
    data = _step_table([(4.0, 1.0, 0.0, 3.0, "train 11"), (2.0, 0.5, 0.0, 1.5, 12), (1.0,)])
    breakdown = from_xprof(data)
    assert (breakdown.source, breakdown.hardware, breakdown.note) == ("xprof", "", "")
    got: list[Any] = [(s.label, s.total_ms, s.parts) for s in breakdown.steps]
    assert got == [
        ("11", 4.0, _parts(input=1.0, other=3.0)),
        ("12", 2.0, _parts(input=0.5, other=1.5)),
        ("", 1.0, _parts()),
    ]


def test_xprof_without_steps_says_the_steps_were_not_marked() -> None:
    breakdown = from_xprof(_step_table([], hardware_type="CPU_ONLY"))
    assert (breakdown.source, breakdown.steps, breakdown.hardware, breakdown.note) == (
        "none",
        [],
        "CPU_ONLY",
        "xprof measured no step: the steps were not marked",
    )
