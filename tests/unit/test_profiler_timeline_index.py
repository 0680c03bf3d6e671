"""The timeline's events and its level-of-detail index, checked against plain Python.

A trace read from Chrome-trace events keeps what a timeline needs (lanes named from the
metadata, busiest thread first, each event's nesting depth); a frame of any window at any width
accounts for every visible event exactly once, merges only events narrower than a pixel and
only within one row and pixel column (the rule re-implemented here by a loop), stays within about
two items per pixel column of a row, and marks a block as matching a search when any of its
events does; the coarse levels give the same events per row as the events themselves.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest

from workbench.profiler.lod import LodIndex
from workbench.profiler.trace import Lane, Trace


def _chrome(events: list[tuple[str, float, float, int]], names: dict[int, str]) -> list[Any]:
    meta: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "/host:CPU"}}
    ]
    meta += [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": tid, "args": {"name": name}}
        for tid, name in names.items()
    ]
    return meta + [
        {"ph": "X", "name": n, "ts": ts, "dur": dur, "pid": 1, "tid": tid, "args": {"i": i}}
        for i, (n, ts, dur, tid) in enumerate(events)
    ]


def test_lanes_depths_names_and_origin_come_from_the_events() -> None:
    events = [
        ("step", 100.0, 50.0, 7),  # depth 0
        ("MatMul", 110.0, 10.0, 7),  # inside step: depth 1
        ("Relu", 112.0, 2.0, 7),  # inside MatMul: depth 2
        ("Add", 130.0, 5.0, 7),  # back at depth 1
        ("Pool", 100.0, 200.0, 9),  # the busiest thread: drawn first
    ]
    raw = _chrome(events, {7: "python", 9: "tf_Compute/123"})
    raw.append({"ph": "i", "name": "instant", "ts": 120.0, "pid": 1, "tid": 7})
    raw.append({"ph": "X", "name": "no time", "pid": 1, "tid": 7})
    trace = Trace.from_events(raw)
    assert [lane.thread for lane in trace.lanes] == ["tf_Compute/123", "python"]
    assert [lane.rows for lane in trace.lanes] == [1, 3]
    assert trace.lanes[1].label == "/host:CPU · python"
    assert trace.origin_us == 100.0
    table = trace.events
    rows = {row["name"]: (row["thread"], row["depth"], row["start_us"]) for row in table}
    assert rows == {
        "Pool": ("tf_Compute/123", 0, 0.0),
        "step": ("python", 0, 0.0),
        "MatMul": ("python", 1, 10.0),
        "Relu": ("python", 2, 12.0),
        "Add": ("python", 1, 30.0),
    }
    assert len(table) == 5  # the instant event and the one without a time are not kept
    assert table.filter(name="matmul")[0]["args"] == {"i": 1}
    assert len(table.filter(thread="python", min_duration_us=10)) == 2
    assert table.filter(name="Relu").total_us() == 2.0


def test_overlapping_events_that_do_not_nest_get_rows_of_their_own() -> None:
    events = [("a", 0, 10, 1), ("b", 5, 10, 1), ("c", 12, 5, 1)]
    trace = Trace.from_events(_chrome(events, {1: "t"}))
    depth = {row["name"]: row["depth"] for row in trace.events}
    assert depth["a"] != depth["b"]
    assert trace.lanes[0].rows == 2


def _random_trace(seed: int, n: int = 3000, lanes: int = 3) -> Trace:
    """Nested events: per lane, parents tiling the time, children packed inside them."""
    rng = np.random.default_rng(seed)
    starts, durs, lane_ids, names = [], [], [], []
    for lane in range(lanes):
        parents = 20
        width = 1000.0
        for p in range(parents):
            begin = p * width
            starts.append(begin)
            durs.append(width * 0.95)
            lane_ids.append(lane)
            names.append(0)
            kids = int(n / lanes / parents)
            cuts = np.sort(rng.uniform(begin, begin + width * 0.95, size=2 * kids))
            for k in range(kids):
                starts.append(cuts[2 * k])
                durs.append(cuts[2 * k + 1] - cuts[2 * k])
                lane_ids.append(lane)
                names.append(int(rng.integers(1, 30)))
    lane_list = [Lane(1, i, "p", f"thread {i}") for i in range(lanes)]
    return Trace.from_columns(
        starts, durs, lane_ids, names, [f"op{i}" for i in range(30)], lane_list
    )


def _reference(trace: Trace, t0: float, t1: float, width: int) -> list[tuple[int, int, int]]:
    """(row, count, longest name) per item, by the rule written as a loop."""
    pixel = (t1 - t0) / width
    order = sorted(range(len(trace)), key=lambda i: (int(trace.row[i]), float(trace.start[i])))
    items: list[list[Any]] = []  # row, column, narrow, count, (longest dur, name)
    for i in order:
        start, dur = float(trace.start[i]), float(trace.dur[i])
        if not (start < t1 and start + dur > t0):
            continue
        row, narrow = int(trace.row[i]), dur < pixel
        column = math.floor((start - t0) / pixel)
        last = items[-1] if items else None
        if last and narrow and last[2] and last[0] == row and last[1] == column:
            last[3] += 1
            if dur > last[4][0]:
                last[4] = (dur, int(trace.name[i]))
        else:
            items.append([row, column, narrow, 1, (dur, int(trace.name[i]))])
    return [(item[0], item[3], item[4][1]) for item in items]


@pytest.mark.parametrize(
    ("window", "width"),
    [((0.0, 20_000.0), 300), ((3_000.0, 3_500.0), 800), ((999.0, 1_001.0), 50), ((0, 1e9), 7)],
)
def test_a_frame_merges_by_the_rule_and_accounts_for_every_event(
    window: tuple[float, float], width: int
) -> None:
    trace = _random_trace(1)
    index = LodIndex(trace)
    t0, t1 = window
    frame = index.frame(t0, t1, width, match=np.zeros(len(trace.names), bool))  # the events
    counts = np.where(frame.ref >= 0, 1, -frame.ref)
    got = list(zip(frame.row.tolist(), counts.tolist(), frame.name.tolist(), strict=True))
    assert got == _reference(trace, t0, t1, width)
    assert frame.events == sum(c for _, c, _ in got)
    per_row = Counter(frame.row.tolist())
    assert max(per_row.values()) <= 2 * width + 2  # bounded by pixels, not by events


def test_single_events_keep_their_index_and_blocks_span_their_events() -> None:
    trace = _random_trace(2)
    index = LodIndex(trace)
    frame = index.frame(2_000.0, 6_000.0, 40, match=np.zeros(len(trace.names), bool))
    single = frame.ref >= 0
    assert single.any()
    assert np.allclose(trace.start[frame.ref[single]], frame.start[single])
    assert np.allclose(trace.dur[frame.ref[single]], frame.dur[single])
    pixel = 4_000.0 / 40
    blocks = ~single
    assert blocks.any()
    ends = trace.start + trace.dur
    for start, dur, row in zip(
        frame.start[blocks], frame.dur[blocks], frame.row[blocks], strict=True
    ):
        members = (trace.row == row) & (trace.start >= start) & (trace.start <= start + pixel)
        members &= ends <= start + dur + 1e-9
        assert members.sum() >= 2


def test_coarse_levels_give_the_same_events_per_row() -> None:
    trace = _random_trace(3, n=200_000)
    index = LodIndex(trace)
    assert index.levels, "a 200k-event trace has merged levels"
    frame = index.frame(0.0, index.span, 500)  # read from a level
    exact = index.frame(0.0, index.span, 500, match=np.zeros(len(trace.names), bool))
    assert frame.level >= 0
    assert exact.level == -1
    assert frame.events == exact.events == len(trace)

    def by_row(f: Any) -> Counter[int]:
        counts: Counter[int] = Counter()
        for row, ref in zip(f.row.tolist(), f.ref.tolist(), strict=True):
            counts[row] += 1 if ref >= 0 else -ref
        return counts

    assert by_row(frame) == by_row(exact)
    assert len(frame) <= len(exact) * 1.1


def test_a_search_marks_every_item_that_holds_a_match() -> None:
    trace = _random_trace(4)
    index = LodIndex(trace)
    wanted = np.array([name == "op7" for name in trace.names])
    frame = index.frame(0.0, index.span, 120, match=wanted)
    assert frame.match is not None
    pixel = index.span / 120
    hits = np.flatnonzero(wanted[trace.name])
    for i, (start, row, flag) in enumerate(zip(frame.start, frame.row, frame.match, strict=True)):
        if frame.ref[i] >= 0:
            assert flag == (trace.names[int(trace.name[frame.ref[i]])] == "op7")
            continue
        column_end = start + pixel * (1 - 1e-9) - ((start - 0.0) % pixel)
        inside = (trace.row[hits] == row) & (trace.start[hits] >= start)
        inside &= trace.start[hits] < column_end
        if flag:
            assert inside.any()
    assert frame.match.sum() > 0


def test_find_goes_to_the_next_match_and_wraps() -> None:
    trace = _random_trace(5)
    index = LodIndex(trace)
    wanted = np.array([name == "op3" for name in trace.names])
    first = index.find(wanted, -1.0)
    assert first is not None
    starts = np.sort(trace.start[wanted[trace.name]])
    assert trace.start[first] == starts[0]
    second = index.find(wanted, float(trace.start[first]))
    assert second is not None
    assert trace.start[second] == starts[1]
    assert index.find(wanted, float(starts[-1])) == first  # wraps to the first
    assert index.find(np.zeros(len(trace.names), bool), 0.0) is None


def test_the_minimap_says_how_busy_each_lane_is() -> None:
    lanes = [Lane(1, i, "p", f"t{i}") for i in range(3)]
    # lane 0 busy all the time, lane 1 the first half, lane 2 idle but for one tiny event
    trace = Trace.from_columns(
        [0.0, 0.0, 0.0], [1000.0, 500.0, 0.001], [0, 1, 2], [0, 0, 0], ["x"], lanes
    )
    busy = LodIndex(trace).overview(bins=10)
    assert busy.shape == (3, 10)
    assert busy[0].tolist() == [255] * 10
    assert busy[1].tolist() == [255] * 5 + [0] * 5
    assert busy[2].max() <= 1


def test_bad_windows_and_columns_are_refused() -> None:
    index = LodIndex(_random_trace(6, n=300))
    with pytest.raises(ValueError, match=r"Expected a window with t1 > t0. Received: \[5, 5\)"):
        index.frame(5, 5, 100)
    with pytest.raises(ValueError, match="Expected start, dur, lane and name of one length"):
        Trace.from_columns([0.0], [1.0, 2.0], [0], [0], ["x"], [Lane(1, 1, "p", "t")])
    with pytest.raises(ValueError, match=r"Expected lane indices in \[0, 1\)"):
        Trace.from_columns([0.0], [1.0], [3], [0], ["x"], [Lane(1, 1, "p", "t")])
