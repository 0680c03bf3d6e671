"""The timeline index at the edges a user reaches by zooming and panning: a window far from the
capture's start (pixel columns counted from the window, not from 0), an empty window, a capture
with no events, an event exactly one pixel wide, a row whose events overlap without nesting, a
thread with no events, a window holding more than ``MAX_ITEMS`` items, the coarse levels kept and
the one a frame reads, and the minimap's shares; every value exact."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.profiler.lod import MAX_ITEMS, Frame, LodIndex
from workbench.profiler.trace import Lane, Trace


def _trace(
    events: list[tuple[float, float]], lanes: int = 1, lane_of: list[int] | None = None
) -> Trace:
    """Events (start, duration) named by their position, in lane 0 unless ``lane_of`` says."""
    n = len(events)
    return Trace.from_columns(
        [s for s, _ in events],
        [d for _, d in events],
        lane_of or [0] * n,
        list(range(n)),
        [f"e{i}" for i in range(n)],
        [Lane(1, i, "/host:CPU", f"t{i}") for i in range(lanes)],
    )


def _rows(frame: Frame) -> list[tuple[float, float, int, int]]:
    """(start, duration, name, ref) of each item of a frame."""
    columns = (frame.start, frame.dur, frame.name, frame.ref)
    return list(zip(*(c.tolist() for c in columns), strict=True))


def test_a_panned_window_counts_pixel_columns_from_its_own_start() -> None:
    events = [
        (0.0, 0.5),  # the capture's start: far left of the window
        (1000.3, 0.2),  # column 0 of a window starting at 1000.25 ...
        (1000.9, 0.3),  # ... with this one (0.65 px in): one block, named by the longer
        (1001.3, 0.1),  # column 1, alone
        (1002.55, 0.1),  # column 2 ...
        (1003.0, 1.0),  # ... with an event exactly one pixel wide: drawn as itself
    ]
    index = LodIndex(_trace(events))
    frame = index.frame(1000.25, 1010.25, 10)
    assert (frame.t0, frame.t1, frame.width, frame.pixel_us) == (1000.25, 1010.25, 10, 1.0)
    assert frame.level == -1
    assert frame.match is None
    assert frame.row.tolist() == [0, 0, 0, 0]
    assert _rows(frame) == [
        (1000.3, pytest.approx(0.9), 2, -2),
        (1001.3, pytest.approx(0.1), 3, 3),
        (1002.55, pytest.approx(0.1), 4, 4),
        (1003.0, 1.0, 5, 5),
    ]
    assert frame.events == 5


def test_a_window_with_one_event_and_one_with_none() -> None:
    index = LodIndex(_trace([(0.0, 10.0), (100.0, 5.0)]))
    one = index.frame(99.0, 110.0, 11)
    assert _rows(one) == [(100.0, 5.0, 1, 1)]
    assert one.events == 1
    searched = index.frame(99.0, 110.0, 11, match=np.array([False, True]))
    assert searched.match is not None
    assert searched.match.tolist() == [1]
    for match in (None, np.array([True, True])):
        empty = index.frame(20.0, 90.0, 70, match=match)
        assert len(empty) == 0
        assert empty.events == 0
        assert _rows(empty) == []
        assert empty.row.tolist() == []
        if match is None:
            assert empty.match is None
        else:
            assert empty.match is not None
            assert empty.match.dtype == np.uint8
            assert empty.match.tolist() == []
    found = index.frame(0.0, 110.0, 11, match=np.array([False, True]))
    assert found.match is not None
    assert found.match.dtype == np.uint8
    assert found.match.tolist() == [0, 1]


def test_a_capture_with_no_events_has_no_levels_and_empty_frames() -> None:
    index = LodIndex(_trace([]))
    assert index.levels == []
    frame = index.frame(0.0, 1.0, 100)
    assert frame.level == -1
    assert len(frame) == 0
    assert frame.events == 0
    assert index.overview(bins=4).tolist() == [[0, 0, 0, 0]]


def test_one_pixel_wide_frames_and_sub_microsecond_captures() -> None:
    index = LodIndex(_trace([(0.0, 0.25), (0.3, 0.2)]))
    assert index.span == 0.5
    frame = index.frame(0.0, 0.5, 1)
    assert (frame.width, frame.pixel_us) == (1, 0.5)
    assert _rows(frame) == [(0.0, 0.5, 0, -2)]
    assert index.overview(bins=2).tolist() == [[255, 204]]
    assert index.frame(0.0, 0.5, 0).width == 1  # no width: one pixel


def test_a_row_of_events_that_overlap_without_nesting() -> None:
    # b starts inside a and ends after it: b and c share depth 1, c inside b and ending first
    index = LodIndex(_trace([(0.0, 10.0), (5.0, 10.0), (12.0, 1.0)]))
    assert index.trace.row.tolist() == [0, 1, 1]
    assert [e for _, _, e, _ in _rows(index.frame(14.0, 20.0, 6))] == [1]  # c ended at 13
    assert [e for _, _, e, _ in _rows(index.frame(13.0, 20.0, 7))] == [1]  # ended exactly at t0
    assert [e for _, _, e, _ in _rows(index.frame(12.5, 20.0, 7))] == [1, 2]


def test_a_thread_with_no_events_shown_before_busy_ones() -> None:
    lanes = [Lane(1, 1, "idle", "t"), Lane(2, 2, "busy", "t")]  # processes in pid order
    trace = Trace.from_columns([0.0, 60.0], [30.0, 20.0], [1, 1], [0, 0], ["x"], lanes)
    assert [lane.process for lane in trace.lanes] == ["idle", "busy"]
    index = LodIndex(trace)
    frame = index.frame(0.0, 80.0, 8)
    assert frame.row.tolist() == [1, 1]
    assert frame.start.tolist() == [0.0, 60.0]
    busy = index.overview(bins=10)
    assert busy.dtype == np.uint8
    assert busy.tolist() == [[0] * 10, [255, 255, 255, 191, 0, 0, 0, 128, 255, 255]]


def test_the_minimap_at_partly_busy_columns() -> None:
    lanes = [Lane(1, i, "/host:CPU", f"t{i}") for i in range(2)]
    # lane 0 from 0 to 100 µs sets the span; lane 1 starts mid-column, 30% and 55% busy
    starts = [0.0, 15.0, 27.0, 40.0]
    durs = [100.0, 3.0, 3.0, 5.5]
    trace = Trace.from_columns(starts, durs, [0, 1, 1, 1], [0, 0, 0, 0], ["x"], lanes)
    busy = LodIndex(trace).overview(bins=10)
    assert busy.tolist() == [[255] * 10, [0, 76, 76, 0, 140, 0, 0, 0, 0, 0]]


def _even(n: int, gap: float, dur: float) -> Trace:
    """n events of ``dur`` every ``gap`` µs in one row, the last stretched to end at n * gap."""
    starts = np.arange(n) * gap
    durs = np.full(n, dur)
    durs[-1] = gap
    lane = [Lane(1, 1, "/host:CPU", "t")]
    return Trace.from_columns(starts, durs, np.zeros(n), np.arange(n) % 3, ["a", "b", "c"], lane)


def test_levels_kept_at_exactly_a_quarter_of_the_events_coarsest_first() -> None:
    trace = _even(65_536, 0.25, 0.1)  # span 16384 µs: bins of 4, 1, 0.25, 0.0625 µs
    index = LodIndex(trace)
    assert index.span == 16_384.0
    # 1 µs bins hold 4 events each: 16384 blocks, a quarter, kept; 4 µs bins merge those
    assert [(bin_us, len(items)) for bin_us, items in index.levels] == [(4.0, 4096), (1.0, 16384)]
    coarse = index.levels[0][1]
    assert coarse.start[:3].tolist() == [0.0, 4.0, 8.0]
    assert (coarse.ref == -16).all()
    # a frame reads the coarsest level whose bins are at most half a pixel
    assert index.frame(0.0, 16_384.0, 2048).level == 0  # 8 µs pixels: 4 µs bins
    assert index.frame(0.0, 16_384.0, 2049).level == 1  # just under: 1 µs bins
    assert index.frame(0.0, 16_384.0, 8192).level == 1  # 2 µs pixels
    assert index.frame(0.0, 16_384.0, 8193).level == -1  # the events
    assert index.frame(0.0, 16_384.0, 2048).events == 65_536


def test_a_window_with_more_than_max_items_is_merged_at_twice_the_pixel() -> None:
    n = MAX_ITEMS + 10_000
    trace = _even(n, 1.0, 1.0)  # back to back, 1 µs each
    index = LodIndex(trace)
    width = int(n / 0.75)  # 0.75 µs pixels: every event wider than a pixel, too many items
    wanted = np.array([False, True, False])
    for match in (None, wanted):
        frame = index.frame(0.0, float(n), width, match=match)
        assert frame.pixel_us == 0.75
        # at 1.5 µs pixels, events 0-1, 2, 3-4, 5, ... share columns: 2 blocks per 3 events
        assert len(frame) == n * 2 // 3
        assert frame.events == n
        assert frame.ref[:4].tolist() == [-2, 2, -2, 5]
        assert frame.start[:4].tolist() == [0.0, 2.0, 3.0, 5.0]
        if match is not None:
            assert frame.match is not None
            assert frame.match[:4].tolist() == [1, 0, 1, 0]  # events 1 and 4 are "b"


def test_exactly_max_items_are_drawn_as_they_are() -> None:
    trace = _even(MAX_ITEMS, 1.0, 1.0)
    frame = LodIndex(trace).frame(0.0, float(MAX_ITEMS), int(MAX_ITEMS / 0.75))
    assert len(frame) == MAX_ITEMS
    assert (frame.ref >= 0).all()
