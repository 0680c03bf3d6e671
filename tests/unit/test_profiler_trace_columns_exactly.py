"""A trace's columns, lanes and rows, every value exact: times as float64 from the first event
whatever the caller's number types, a call and its body starting together drawn parent above
child (the longer first, equal ones as given), starts a picosecond apart kept in order, the
nesting depth of lanes of two events and after lanes of one, threads without events kept as one
empty row, args kept for the longest events only past ``ARGS_KEPT``, and from Chrome-trace JSON:
names for unnamed processes, threads and events, numbers written as text, events without a time
left out, and the errors for what is not a trace, word for word."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from workbench.profiler import trace as trace_module
from workbench.profiler.trace import Lane, Trace


def _one_lane(events: list[tuple[str, float, float]], lanes: int = 1) -> Trace:
    """Events (name, start, duration) of lane ``lanes - 1``, each name its own."""
    return Trace.from_columns(
        [s for _, s, _ in events],
        [d for _, _, d in events],
        [lanes - 1] * len(events),
        list(range(len(events))),
        [n for n, _, _ in events],
        [Lane(1, i, "/host:CPU", f"t{i}") for i in range(lanes)],
    )


def _timeline(trace: Trace) -> list[tuple[str, str, int, float, float]]:
    """(thread, name, depth, start, duration) of each event, in the trace's order."""
    table = trace.events
    columns = [table.column(c).tolist() for c in ("thread", "name", "depth")]
    columns += [trace.start.tolist(), trace.dur.tolist()]
    return list(zip(*columns, strict=True))


def test_columns_are_float_times_and_int32_indices_whatever_was_given() -> None:
    lanes = [Lane(3, 4, "/host:CPU", "python")]
    given: list[tuple[Any, Any, Any, Any]] = [
        ([10, 12], [5, 1], [0, 0], [1, 0]),  # ints
        (np.array([10, 12], np.float32), np.array([5, 1], np.float32), [0.0, 0.0], [1.0, 0.0]),
    ]
    for start, dur, lane, name in given:
        trace = Trace.from_columns(start, dur, lane, name, ["b", "a"], lanes)
        assert [c.dtype for c in (trace.start, trace.dur)] == [np.float64] * 2
        assert [c.dtype for c in (trace.row, trace.lane, trace.name)] == [np.int32] * 3
        assert trace.start.tolist() == [0.0, 2.0]
        assert trace.dur.tolist() == [5.0, 1.0]
        assert (trace.row.tolist(), trace.lane.tolist(), trace.name.tolist()) == (
            [0, 1],
            [0, 0],
            [1, 0],
        )
        assert (trace.origin_us, trace.span_us, trace.rows, len(trace)) == (10.0, 5.0, 2, 2)
        assert (trace.lanes[0].pid, trace.lanes[0].tid) == (3, 4)
        assert (trace.args, trace.dropped_args) == ([], 0)


def test_negative_durations_count_as_zero() -> None:
    trace = _one_lane([("a", 5.0, -3.0), ("b", 6.0, 2.0)])
    assert trace.dur.tolist() == [0.0, 2.0]


@pytest.mark.parametrize(
    ("lane", "name", "message"),
    [
        ([0, 1], [0, 0], "Expected lane indices in [0, 1). Received: 1"),
        ([-1, 0], [0, 0], "Expected lane indices in [0, 1). Received: -1"),
        ([0, 0], [0, 2], "Expected name indices in [0, 2). Received: 2"),
        ([0, 0], [-1, 0], "Expected name indices in [0, 2). Received: -1"),
    ],
)
def test_indices_out_of_range_are_named(lane: list[int], name: list[int], message: str) -> None:
    with pytest.raises(ValueError, match="Expected ") as error:
        Trace.from_columns([0, 1], [1, 1], lane, name, ["a", "b"], [Lane(1, 1, "", "t")])
    assert str(error.value) == message


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="Expected ") as error:
        Trace.from_columns([0, 1], [1], [0, 0], [0, 0], ["a"], [Lane(1, 1, "", "t")])
    assert str(error.value) == (
        "Expected start, dur, lane and name of one length. Received: 2, 1, 2, 2"
    )


def test_an_empty_trace_has_empty_columns_and_its_lanes_one_row_each() -> None:
    trace = Trace.from_columns([], [], [], [], [], [Lane(1, 1, "p", "t"), Lane(1, 2, "p", "u")])
    assert (len(trace), trace.origin_us, trace.span_us, trace.rows) == (0, 0.0, 0.0, 2)
    assert [c.dtype for c in (trace.start, trace.dur)] == [np.float64] * 2
    assert [(c.dtype, len(c)) for c in (trace.row, trace.lane, trace.name)] == [
        (np.dtype(np.int32), 0)
    ] * 3
    assert [(x.rows, x.first_row, x.events, x.busy_us) for x in trace.lanes] == [
        (1, 0, 0, 0.0),
        (1, 1, 0, 0.0),
    ]
    assert (trace.steps, trace.steps_from, trace.args, trace.dropped_args) == ([], "", [], 0)
    nothing = Trace.from_columns([], [], [], [], [], [])
    assert (len(nothing), nothing.rows, nothing.lanes, nothing.origin_us) == (0, 0, [], 0.0)


def test_lanes_are_ordered_by_process_then_busiest_and_counted() -> None:
    lanes = [
        Lane(2, 1, "/device:GPU:0", "stream"),
        Lane(1, 7, "/host:CPU", "idle"),  # no events: one empty row
        Lane(1, 8, "/host:CPU", "python"),
        Lane(1, 9, "/host:CPU", "worker"),
        Lane(1, 10, "/host:CPU", "also idle"),  # the last lane, without events
    ]
    trace = Trace.from_columns(
        [0, 10, 12, 0, 5, 100],
        [50, 20, 5, 40, 30, 10],
        [2, 2, 2, 3, 3, 0],
        [0, 1, 2, 3, 3, 4],
        ["step", "MatMul", "Relu", "Map", "Kernel"],
        lanes,
    )
    assert [(x.pid, x.tid, x.thread) for x in trace.lanes] == [
        (1, 8, "python"),
        (1, 9, "worker"),
        (1, 7, "idle"),  # equally idle: as given
        (1, 10, "also idle"),
        (2, 1, "stream"),
    ]
    assert [(x.rows, x.first_row, x.events, x.busy_us) for x in trace.lanes] == [
        (3, 0, 3, 50.0),
        (2, 3, 2, 40.0),
        (1, 5, 0, 0.0),
        (1, 6, 0, 0.0),
        (1, 7, 1, 10.0),
    ]
    assert trace.rows == 8
    assert trace.lanes[0].label == "/host:CPU · python"
    assert _timeline(trace) == [
        ("python", "step", 0, 0.0, 50.0),
        ("python", "MatMul", 1, 10.0, 20.0),
        ("python", "Relu", 2, 12.0, 5.0),
        ("worker", "Map", 0, 0.0, 40.0),
        ("worker", "Map", 1, 5.0, 30.0),
        ("stream", "Kernel", 0, 100.0, 10.0),
    ]
    assert trace.row.tolist() == [0, 1, 2, 3, 4, 7]
    assert trace.lane.tolist() == [0, 0, 0, 1, 1, 4]


def test_a_call_and_its_body_starting_together_are_drawn_parent_above_child() -> None:
    trace = _one_lane(
        [
            ("child", 0.0, 5.0),  # given before its parent
            ("call", 0.0, 100.0),
            ("body", 10.0, 2.0),  # three starting together, shortest given first
            ("outer", 10.0, 50.0),
            ("middle", 10.0, 20.0),
            ("late", 70.0, 10.0),
        ]
    )
    assert [(n, depth, s) for _, n, depth, s, _ in _timeline(trace)] == [
        ("call", 0, 0.0),
        ("child", 1, 0.0),
        ("outer", 1, 10.0),
        ("late", 1, 70.0),
        ("middle", 2, 10.0),
        ("body", 3, 10.0),
    ]
    assert trace.lanes[0].rows == 4


def test_a_call_and_its_body_on_a_later_thread_are_drawn_parent_above_child() -> None:
    trace = Trace.from_columns(
        [0, 5, 5],
        [1, 2, 9],
        [0, 1, 1],
        [0, 1, 2],
        ["first thread", "body", "call"],
        [Lane(1, 1, "", "t0"), Lane(1, 2, "", "t1")],
    )
    assert [(n, depth) for thread, n, depth, _, _ in _timeline(trace) if thread == "t1"] == [
        ("call", 0),
        ("body", 1),
    ]


def test_threads_past_16_bits_of_lane_numbers_stay_apart() -> None:
    lanes = [Lane(1, i, "", f"t{i}") for i in range(2**15 + 1)]
    trace = Trace.from_columns(
        [0, 10, 5, 20], [50, 1, 1, 1], [2**15, 2**15, 0, 1], [0, 1, 2, 3], list("abcd"), lanes
    )
    assert [(thread, n, depth) for thread, n, depth, _, _ in _timeline(trace)] == [
        ("t32768", "a", 0),  # the busiest
        ("t32768", "b", 1),
        ("t0", "c", 0),
        ("t1", "d", 0),
    ]


def test_events_alike_in_start_and_length_nest_in_the_order_given() -> None:
    # many, in several lanes, given out of time order: an unstable sort reorders some of them
    events, lanes, names = [], [], []
    shuffled = np.random.default_rng(0).permutation(60).tolist()
    for copy in range(4):
        for group in shuffled:
            events.append((float(group * 10), 5.0))
            lanes.append(group % 3)
            names.append(f"g{group}c{copy}")
    trace = Trace.from_columns(
        [s for s, _ in events],
        [d for _, d in events],
        lanes,
        list(range(len(names))),
        names,
        [Lane(1, i, "", f"t{i}") for i in range(3)],
    )
    depth_of = dict(
        zip(trace.events.column("name").tolist(), trace.events.column("depth"), strict=True)
    )
    assert all(depth_of[f"g{g}c{c}"] == c for g in range(60) for c in range(4))


def test_starts_a_picosecond_apart_keep_their_order_on_every_lane() -> None:
    # an hour-long capture, the events on the last of four threads
    start, dur = [0.0, 3.6e9, 3.6e9 + 2e-6, 3.6e9 + 1e-6], [1.0, 10.0, 50.0, 20.0]
    trace = Trace.from_columns(
        start, dur, [0, 3, 3, 3], [0, 1, 2, 3], ["a", "b", "c", "d"],
        [Lane(1, i, "", f"t{i}") for i in range(4)],
    )  # fmt: skip
    last = trace.events.filter(thread="t3")
    assert [(r["name"], r["depth"]) for r in last] == [("b", 0), ("d", 1), ("c", 2)]


def test_depths_of_a_lane_of_two_after_lanes_of_one() -> None:
    trace = Trace.from_columns(
        [0, 100, 110, 200, 300, 310],
        [10, 50, 5, 10, 10, 10],
        [0, 1, 1, 2, 3, 3],
        [0, 1, 2, 3, 4, 5],
        ["alone", "parent", "child", "first", "second", "back to back"],
        [Lane(1, i, "", f"t{i}") for i in range(4)],
    )
    depth = dict(
        zip(
            trace.events.column("name").tolist(), trace.events.column("depth").tolist(), strict=True
        )
    )
    assert depth == {
        "alone": 0,
        "parent": 0,
        "child": 1,
        "first": 0,
        "second": 0,
        "back to back": 0,
    }
    after = _one_lane([("a", 0.0, 10.0), ("b", 10.0, 5.0), ("c", 15.0, 0.0)])
    assert after.events.column("depth").tolist() == [0, 0, 0]  # each starts as the last ends


def test_an_instant_event_nests_in_the_event_around_it() -> None:
    # instants (duration 0): inside a call, at its start, at a child's start, two at once, and
    # one at the end of the call (outside it, as an event starting as another ends)
    trace = _one_lane(
        [
            ("call", 0.0, 10.0),
            ("child", 5.0, 3.0),
            ("at child start", 5.0, 0.0),
            ("at call start", 0.0, 0.0),
            ("inside", 2.0, 0.0),
            ("twin", 2.0, 0.0),
            ("in child", 6.0, 0.0),
            ("at call end", 10.0, 0.0),
        ]
    )
    assert {n: d for _, n, d, _, _ in _timeline(trace)} == {
        "call": 0,
        "at call start": 1,
        "inside": 1,
        "twin": 1,
        "child": 1,
        "at child start": 2,
        "in child": 2,
        "at call end": 0,
    }
    # the same on a thread after another's events
    events = [("other", 0.0, 4.0), ("call", 0.0, 10.0), ("at call start", 0.0, 0.0)]
    events += [("child", 5.0, 3.0), ("at child start", 5.0, 0.0)]
    second = Trace.from_columns(
        [s for _, s, _ in events], [d for _, _, d in events], [0, 1, 1, 1, 1], range(5),
        [n for n, _, _ in events], [Lane(1, i, "", f"t{i}") for i in range(2)],
    )  # fmt: skip
    assert {n: d for _, n, d, _, _ in _timeline(second)} == {
        "other": 0,
        "call": 0,
        "at call start": 1,
        "child": 1,
        "at child start": 2,
    }


def test_args_follow_their_events_and_are_kept_for_the_longest_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def build(durations: list[float]) -> Trace:
        n = len(durations)
        return Trace.from_columns(
            [100.0 * i for i in range(n)][::-1],  # given latest first
            durations[::-1],
            [0] * n,
            [0] * n,
            ["op"],
            [Lane(1, 1, "", "t")],
            args=[{"i": i} for i in range(n)][::-1],
        )

    full = build([5.0, 1.0, 4.0, 2.0, 3.0])
    assert full.args == [{"i": 0}, {"i": 1}, {"i": 2}, {"i": 3}, {"i": 4}]
    assert (full.dropped_args, full.args_of(0), full.args_of(4)) == (0, {"i": 0}, {"i": 4})
    assert (full.args_of(5), full.args_of(-1)) == (None, None)
    monkeypatch.setattr(trace_module, "ARGS_KEPT", 3)
    cut = build([5.0, 1.0, 4.0, 2.0, 3.0])
    assert (cut.args, cut.dropped_args) == ([{"i": 0}, None, {"i": 2}, None, {"i": 4}], 2)
    tied = build([5.0, 3.0, 4.0, 3.0, 1.0])  # the third longest twice: both kept
    assert (tied.args, tied.dropped_args) == ([{"i": 0}, {"i": 1}, {"i": 2}, {"i": 3}, None], 1)
    at_limit = build([5.0, 1.0, 4.0])
    assert (at_limit.args, at_limit.dropped_args) == ([{"i": 0}, {"i": 1}, {"i": 2}], 0)
    plain = _one_lane([("a", 0.0, 1.0)])
    assert (plain.args, plain.args_of(0), plain.events[0]["args"]) == ([], None, None)


def _meta(kind: str, pid: Any, args: dict[str, Any], tid: Any = None) -> dict[str, Any]:
    event = {"ph": "M", "name": kind, "pid": pid, "args": args}
    if tid is not None:
        event["tid"] = tid
    return event


def test_unnamed_processes_threads_and_events_get_names() -> None:
    events = [
        _meta("process_name", 1, {}),  # named, with no name
        _meta("thread_name", 1, {}, tid=2),
        _meta("process_name", 4, {"name": "/host:CPU"}),
        {"ph": "X", "pid": 1, "tid": 2, "ts": 10, "dur": 5},  # no name
        {"ph": "X", "name": "op", "pid": 5, "tid": 3, "ts": 20, "dur": 4},
        {"ph": "X", "name": "op", "pid": "main", "tid": "x", "ts": 30, "dur": 3},
        {"ph": "X", "name": "op", "pid": 4, "tid": 6, "ts": 40, "dur": 2},
    ]
    trace = Trace.from_events(events)
    assert [(x.pid, x.tid, x.process, x.thread, x.label) for x in trace.lanes] == [
        (-1, -1, "pid -1", "tid -1", "pid -1 · tid -1"),
        (1, 2, "", "", ""),
        (4, 6, "/host:CPU", "tid 6", "/host:CPU · tid 6"),
        (5, 3, "pid 5", "tid 3", "pid 5 · tid 3"),
    ]
    assert trace.names == ["", "op"]
    assert [row["name"] for row in trace.events] == ["op", "", "op", "op"]


def test_numbers_written_as_text_are_read_and_events_without_a_time_left_out() -> None:
    events = [
        {"ph": "X", "name": "text", "pid": 1, "tid": 1, "ts": "12.5", "dur": "2"},
        {"ph": "X", "name": "no dur", "pid": 1, "tid": 1, "ts": 20},
        {"ph": "X", "name": "no ts", "pid": 1, "tid": 1, "dur": 3},
        {"ph": "X", "name": "bad ts", "pid": 1, "tid": 1, "ts": "soon", "dur": 3},
        {"ph": "X", "name": "null ts", "pid": 1, "tid": 1, "ts": None, "dur": 3},
        {"ph": "X", "name": "bad dur", "pid": 1, "tid": 1, "ts": 30, "dur": [1]},
        {"ph": "X", "name": "inf", "pid": 1, "tid": 1, "ts": float("inf"), "dur": 1},
        {"ph": "i", "name": "instant", "pid": 1, "tid": 1, "ts": 25},
        {"ph": "X", "name": "last", "pid": 1, "tid": 1, "ts": 40.0, "dur": 1.5, "args": {}},
    ]
    trace = Trace.from_events(events)
    assert [(r["name"], r["start_us"], r["duration_us"]) for r in trace.events] == [
        ("text", 0.0, 2.0),
        ("no dur", 7.5, 0.0),
        ("last", 27.5, 1.5),
    ]
    assert (trace.origin_us, trace.args) == (12.5, [None, None, None])
    numeric = Trace.from_events([events[1], events[8]])  # numbers only: the fast path
    assert [(r["name"], r["duration_us"]) for r in numeric.events] == [
        ("no dur", 0.0),
        ("last", 1.5),
    ]


def test_a_time_past_what_a_float_holds_is_left_out() -> None:
    text = (
        '{"traceEvents": ['
        '{"ph": "X", "name": "ok", "pid": 1, "tid": 1, "ts": 5, "dur": 2},'
        f'{{"ph": "X", "name": "damaged", "pid": 1, "tid": 1, "ts": 1{"0" * 400}, "dur": 1}},'
        f'{{"ph": "X", "name": "long", "pid": 1, "tid": 1, "ts": 9, "dur": -1{"0" * 400}}}'
        "]}"
    )
    trace = Trace.from_json(text)
    assert [(r["name"], r["start_us"], r["duration_us"]) for r in trace.events] == [
        ("ok", 0.0, 2.0)
    ]


def test_trace_json_is_read_as_text_bytes_or_parsed() -> None:
    data = {
        "displayTimeUnit": "ns",
        "traceEvents": [{"ph": "X", "name": "op", "pid": 1, "tid": 1, "ts": 5, "dur": 2}],
    }
    for given in (json.dumps(data), json.dumps(data).encode(), data):
        trace = Trace.from_json(given)
        assert [(r["name"], r["start_us"], r["duration_us"]) for r in trace.events] == [
            ("op", 0.0, 2.0)
        ]


@pytest.mark.parametrize(
    ("given", "received"),
    [
        ("[1, 2]", "list with keys []"),
        (
            {"f": 1, "e": 2, "d": 3, "c": 4, "b": 5, "a": 6},
            "dict with keys ['a', 'b', 'c', 'd', 'e']",
        ),
        ({"traceEvents": {"0": {}}}, "dict with keys ['traceEvents']"),
        ("3", "int with keys []"),
    ],
)
def test_what_is_not_trace_json_is_named(given: Any, received: str) -> None:
    with pytest.raises(ValueError, match="Expected ") as error:
        Trace.from_json(given)
    assert str(error.value) == f"Expected trace JSON with a traceEvents list. Received: {received}"
