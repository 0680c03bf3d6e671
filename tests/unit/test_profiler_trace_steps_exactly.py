"""The steps a timeline shows, to the microsecond and word for word: from step markers (top-level
events with a ``step_num``, on any thread; nested ones, unreadable numbers and other events
passed over; markers N apart named by their range, ``9-12``), else from xprof's groups (each
group widened to the call of the busiest thread that holds its first event, calls holding
several groups shown once, a group outside every call spanning its own events), else none; and
steps given by the caller kept as given."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.profiler.trace import Lane, Step, Trace


def _meta() -> list[dict[str, Any]]:
    return [
        {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "/host:CPU"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "python"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 2, "args": {"name": "tf_Compute"}},
    ]


def _x(name: str, ts: float, dur: float, tid: int = 1, **args: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"ph": "X", "name": name, "pid": 1, "tid": tid, "ts": ts, "dur": dur}
    if args:
        event["args"] = args
    return event


def _steps(trace: Trace) -> list[tuple[float, float, str]]:
    return [(s.start, s.end, s.label) for s in trace.steps]


def _marked(numbers: list[int]) -> Trace:
    """A python thread running one marked call per number, 100 µs apart, 50 µs long."""
    events = [*_meta(), _x("setup", 1000, 20, note="not a step")]
    events += [_x("train", 1100 + 100 * i, 50, step_num=n, _r=1) for i, n in enumerate(numbers)]
    return Trace.from_events(events)


def test_marked_steps_are_the_top_level_markers_named_by_their_number() -> None:
    events = [
        *_meta(),
        _x("setup", 1000, 30, note="no step_num"),  # first in the timeline: passed over
        _x("train", 1040, 5, step_num="warm-up"),  # not a number: passed over
        _x("train", 1050, 5, step_num=None),  # nor this
        _x("train", 1100, 50, step_num=1, _r=1),
        _x("MatMul", 1110, 10, step_num=99),  # inside step 1: not a step of its own
        _x("train", 1200, 40, step_num=2, _r=1),
        _x("train", 1300, 60, step_num="3", _r=1),  # a number written as text
        _x("Compute", 1000, 20, tid=2, group_id=0),
    ]
    trace = Trace.from_events(events)
    assert trace.steps_from == "markers"  # markers first, xprof's groups only without them
    assert _steps(trace) == [(100.0, 150.0, "1"), (200.0, 240.0, "2"), (300.0, 360.0, "3")]
    assert all(type(s.start) is float and type(s.end) is float for s in trace.steps)


def test_two_consecutive_markers_are_two_steps() -> None:
    trace = _marked([7, 8])
    assert _steps(trace) == [(100.0, 150.0, "7"), (200.0, 250.0, "8")]


def test_a_single_marker_is_one_step() -> None:
    assert _steps(_marked([5])) == [(100.0, 150.0, "5")]


@pytest.mark.parametrize(
    ("numbers", "labels"),
    [
        ([9, 13, 17], ["9-12", "13-16", "17-20"]),  # steps_per_execution=4: a marker per call
        ([0, 2, 4], ["0-1", "2-3", "4-5"]),
        ([10, 20], ["10-19", "20-29"]),
        ([1, 3, 6], ["1", "3", "6"]),  # uneven gaps: no call size to name them by
        ([4, 3], ["4", "3"]),  # the timeline's order, whatever the numbers
    ],
)
def test_markers_n_apart_are_named_by_the_steps_each_call_ran(
    numbers: list[int], labels: list[str]
) -> None:
    trace = _marked(numbers)
    assert [s.label for s in trace.steps] == labels
    assert [(s.start, s.end) for s in trace.steps] == [
        (100.0 + 100 * i, 150.0 + 100 * i) for i in range(len(numbers))
    ]


def test_markers_on_any_threads_top_row_are_steps_in_time_order() -> None:
    events = [
        *_meta(),
        _x("busy", 1000, 500),  # python: the busiest thread, drawn first
        _x("train", 1600, 30, tid=2, step_num=2),
        _x("train", 1010, 40, tid=2, step_num=1),
    ]
    assert _steps(Trace.from_events(events)) == [(10.0, 50.0, "1"), (600.0, 630.0, "2")]


def _grouped() -> Trace:
    """Python's calls A (10-110), B (200-300), C (400-450); the compute thread's grouped ops."""
    events = [
        *_meta(),
        _x("A", 1010, 100),
        _x("inner", 1020, 10, note="no group"),
        _x("B", 1200, 100),
        _x("C", 1400, 50),
        _x("before", 1000, 5, tid=2, group_id=5),  # before every call: its own span
        _x("op", 1020, 20, tid=2, group_id=0),  # in A ...
        _x("op", 1050, 30, tid=2, group_id=0),
        _x("op", 1090, 10, tid=2, group_id=4),  # ... with another group: A shown once
        _x("op", 1210, 50, tid=2, group_id=1),  # in B
        _x("op", 1300, 10, tid=2, group_id=6),  # starts as B ends: still B's
        _x("op", 1400, 10, tid=2, group_id=3),  # starts with C: C's
        _x("after", 1505, 30, tid=2, group_id="2"),  # after every call: its own span ...
        _x("after", 1500, 20, tid=2, group_id="2"),  # ... from its first start to its last end
    ]
    return Trace.from_events(events)


def test_grouped_steps_are_the_busiest_threads_calls_holding_each_group() -> None:
    trace = _grouped()
    assert trace.lanes[0].thread == "python"
    assert trace.steps_from == "groups"
    assert _steps(trace) == [
        (0.0, 5.0, "0"),
        (10.0, 110.0, "1"),
        (200.0, 300.0, "2"),
        (400.0, 450.0, "3"),
        (500.0, 535.0, "4"),
    ]


def test_a_group_on_the_busiest_thread_itself_is_its_call() -> None:
    events = [
        *_meta(),
        _x("__inference_train_function_1", 1000, 100, group_id=0),
        _x("IteratorGetNext", 1010, 20, group_id=0),
        _x("__inference_train_function_1", 1200, 100, group_id=1),
        _x("op", 1210, 30, tid=2, group_id=1),
    ]
    assert _steps(Trace.from_events(events)) == [(0.0, 100.0, "0"), (200.0, 300.0, "1")]


def test_without_markers_or_groups_there_are_no_steps() -> None:
    events = [*_meta(), _x("op", 1000, 10, note="x"), _x("op", 1020, 10, tid=2)]
    trace = Trace.from_events(events)
    assert (trace.steps, trace.steps_from) == ([], "")
    plain = Trace.from_columns([0, 5], [1, 1], [0, 0], [0, 0], ["op"], [Lane(1, 1, "", "t")])
    assert (plain.steps, plain.steps_from) == ([], "")


def test_steps_given_are_kept_before_any_marker() -> None:
    given = [Step(0.0, 5.0, "warm"), Step(5.0, 9.0, "one")]

    def marked(**steps: Any) -> Trace:  # two step markers, 1 and 2
        lanes = [Lane(1, 1, "/host:CPU", "python")]
        args = [{"step_num": 1}, {"step_num": 2}]
        return Trace.from_columns(
            [100, 105], [5, 4], [0, 0], [0, 0], ["train"], lanes, args=args, **steps
        )

    trace = marked(steps=given)
    assert (trace.steps, trace.steps_from) == (given, "given")
    assert trace.steps is not given  # a list of its own: the caller's is left alone
    unmarked = marked()
    assert (_steps(unmarked), unmarked.steps_from) == (
        [(0.0, 5.0, "1"), (5.0, 9.0, "2")],
        "markers",
    )
