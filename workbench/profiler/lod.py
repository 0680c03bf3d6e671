"""The timeline's level-of-detail index: what is visible in a time window at a given width, with
events narrower than a pixel merged, so a frame costs what the screen shows, not what the trace
holds.

Items are kept sorted by (row, start) with, per row, the running maximum of their ends: the items
of a row visible in [t0, t1) are then one slice found by two binary searches (``_ranges``). A frame
merges, row by row, consecutive items narrower than a pixel that fall in one pixel column into one
block (its span, how many events it holds, and the name of its longest event); wider items pass
as they are. A row then yields at most about two items per pixel column however many events it
holds.

Merging a million visible events still costs tens of milliseconds, so the index also keeps
coarser levels: the whole trace merged once at bins of ``span / 4096``, ``/ 16384``, ... (each 4x
finer), those that hold at most a quarter of the events (a finer one saves too little). The
finest is merged from the events, each coarser one from the level below it. A frame reads the
coarsest level whose bins are at most half a pixel of the requested window, or the events
themselves when zoomed in further; a search highlight reads the events (a merged block must know
whether any of its events match).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from workbench.profiler.trace import Trace

__all__ = ["Frame", "LodIndex"]

BASE_BINS = 4096  # bins over the whole capture at the coarsest level
LEVEL_FACTOR = 4  # each level's bins are this much finer than the previous one's
MAX_LEVELS = 4  # bins of span / 4096 to span / 262144
LEVEL_SHARE = 0.25  # a level is kept when it holds at most this share of the events
MAX_ITEMS = 200_000  # a frame with more items is merged at twice the pixel width
OVERVIEW_BINS = 512  # columns of the minimap


@dataclass
class _Items:
    """Events or merged blocks, sorted by (row, start); ``ref`` >= 0 is an event's index in the
    trace, ``ref`` < 0 a block of ``-ref`` events."""

    start: npt.NDArray[np.float64]
    end: npt.NDArray[np.float64]
    row: npt.NDArray[np.int32]
    name: npt.NDArray[np.int32]
    ref: npt.NDArray[np.int64]
    bounds: npt.NDArray[np.int64]  # items of row r: bounds[r]:bounds[r + 1]
    max_end: npt.NDArray[np.float64]  # running maximum of end within each row

    def __len__(self) -> int:
        return len(self.start)


@dataclass
class Frame:
    """What a window shows: items sorted by (row, start), times in µs from the capture start."""

    t0: float
    t1: float
    width: int
    pixel_us: float  # the width of a pixel, µs
    start: npt.NDArray[np.float64]
    dur: npt.NDArray[np.float64]
    row: npt.NDArray[np.int32]
    name: npt.NDArray[np.int32]
    ref: npt.NDArray[np.int64]  # >= 0: the event's index; < 0: a block of -ref events
    match: npt.NDArray[np.uint8] | None  # with a search: 1 where the item holds a match
    level: int  # -1: read from the events; k: from the k-th merged level
    events: int  # events the frame stands for

    def __len__(self) -> int:
        return len(self.start)


class LodIndex:
    """The index of a :class:`~workbench.profiler.trace.Trace`; see the module docstring."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        n = len(trace)
        self.rows = trace.rows
        self.span = max(trace.span_us, 1e-3)
        self._base = _items(
            trace.start,
            trace.start + trace.dur,
            trace.row,
            trace.name,
            np.arange(n, dtype=np.int64),
            self.rows,
        )
        self.levels: list[tuple[float, _Items]] = []  # coarsest first
        source = self._base
        for k in reversed(range(MAX_LEVELS if n else 0)):  # the finest first
            bin_us = self.span / BASE_BINS / LEVEL_FACTOR**k
            level = _merge(source, 0.0, bin_us, self._all(source))[0]
            if len(level) <= n * LEVEL_SHARE:
                self.levels.insert(0, (bin_us, level))
                source = level  # the next, coarser level merges this one

    def frame(
        self, t0: float, t1: float, width: int, match: npt.NDArray[np.bool_] | None = None
    ) -> Frame:
        """The items visible in [t0, t1) drawn ``width`` pixels wide.

        Args:
            t0: the window's start, µs from the capture start.
            t1: its end (> t0).
            width: pixels across the window (>= 1).
            match: per name id, whether a search matches it (None: no search).
        """
        width = max(1, int(width))
        if not t1 > t0:
            raise ValueError(f"Expected a window with t1 > t0. Received: [{t0}, {t1})")
        pixel = (t1 - t0) / width
        level = -1
        source = self._base
        if match is None:
            for index, (bin_us, items) in enumerate(self.levels):
                if bin_us <= pixel / 2:
                    level, source = index, items
                    break
        selected = _visible(source, t0, t1)
        items, flags = _merge(source, t0, pixel, selected, match)
        while len(items) > MAX_ITEMS:  # a pathological window: coarser, not larger
            pixel *= 2
            items, flags = _merge(source, t0, pixel, selected, match)
        counts = np.where(items.ref >= 0, 1, -items.ref)
        return Frame(
            t0=t0,
            t1=t1,
            width=width,
            pixel_us=(t1 - t0) / width,
            start=items.start,
            dur=items.end - items.start,
            row=items.row,
            name=items.name,
            ref=items.ref,
            match=flags,
            level=level,
            events=int(counts.sum()),
        )

    def overview(self, bins: int = OVERVIEW_BINS) -> npt.NDArray[np.uint8]:
        """How busy each lane is over the capture: lanes x ``bins``, 0 (idle) to 255 (busy the
        whole bin), from its depth-0 events (the minimap)."""
        trace = self.trace
        edges = np.linspace(0.0, self.span, bins + 1)
        out = np.zeros((len(trace.lanes), bins), dtype=np.uint8)
        for index, lane in enumerate(trace.lanes):
            lo, hi = (
                int(self._base.bounds[lane.first_row]),
                int(self._base.bounds[lane.first_row + 1]),
            )
            if hi <= lo:
                continue
            start = self._base.start[lo:hi]
            length = self._base.end[lo:hi] - start
            covered = _covered(start, length, edges)
            share = np.diff(covered) / np.maximum(np.diff(edges), 1e-12)
            out[index] = np.clip(np.rint(share * 255), 0, 255).astype(np.uint8)
        return out

    def find(self, match: npt.NDArray[np.bool_], after: float) -> int | None:
        """The first event whose name matches and that starts after ``after`` µs (wrapping to
        the first match), or None."""
        hits = np.flatnonzero(match[self.trace.name])
        if not len(hits):
            return None
        starts = self.trace.start[hits]
        later = hits[starts > after]
        pool, times = (later, self.trace.start[later]) if len(later) else (hits, starts)
        return int(pool[int(np.argmin(times))])

    @staticmethod
    def _all(items: _Items) -> npt.NDArray[np.int64]:
        return np.arange(len(items), dtype=np.int64)


def _items(
    start: npt.NDArray[np.float64],
    end: npt.NDArray[np.float64],
    row: npt.NDArray[np.int32],
    name: npt.NDArray[np.int32],
    ref: npt.NDArray[np.int64],
    rows: int,
) -> _Items:
    bounds = np.searchsorted(row, np.arange(rows + 1)).astype(np.int64)
    max_end = end.copy()
    for r in range(rows):  # a running maximum per row (rows are few)
        lo, hi = bounds[r], bounds[r + 1]
        if hi - lo > 1:
            np.maximum.accumulate(max_end[lo:hi], out=max_end[lo:hi])
    return _Items(start, end, row, name, ref, bounds, max_end)


def _visible(items: _Items, t0: float, t1: float) -> npt.NDArray[np.int64]:
    """Indices of the items overlapping [t0, t1), in (row, start) order."""
    lows = []
    highs = []
    for r in range(len(items.bounds) - 1):
        lo, hi = int(items.bounds[r]), int(items.bounds[r + 1])
        if hi <= lo:
            continue
        lows.append(lo + int(np.searchsorted(items.max_end[lo:hi], t0, side="right")))
        highs.append(lo + int(np.searchsorted(items.start[lo:hi], t1, side="left")))
    if not lows:
        return np.zeros(0, dtype=np.int64)
    low = np.array(lows, dtype=np.int64)
    high = np.maximum(np.array(highs, dtype=np.int64), low)
    counts = high - low
    total = int(counts.sum())
    offsets = np.repeat(low - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    index: npt.NDArray[np.int64] = np.arange(total, dtype=np.int64) + offsets
    return index[items.end[index] > t0]  # a badly nested row may hold an earlier-ending item


def _merge(
    source: _Items,
    t0: float,
    pixel: float,
    index: npt.NDArray[np.int64],
    match: npt.NDArray[np.bool_] | None = None,
) -> tuple[_Items, npt.NDArray[np.uint8] | None]:
    """The items at ``index`` with runs of sub-pixel items of one row and pixel column merged."""
    start, end = source.start[index], source.end[index]
    row, name, ref = source.row[index], source.name[index], source.ref[index]
    n = len(index)
    if n == 0:
        empty = _items(start, end, row, name, ref, 0)
        return empty, (None if match is None else np.zeros(0, dtype=np.uint8))
    length = end - start
    narrow = length < pixel
    column = np.floor((start - t0) / pixel).astype(np.int64)
    cut = np.ones(n, dtype=bool)
    cut[1:] = (row[1:] != row[:-1]) | ~narrow[1:] | ~narrow[:-1] | (column[1:] != column[:-1])
    firsts = np.flatnonzero(cut)
    group = np.cumsum(cut) - 1
    members = np.diff(np.append(firsts, n))
    counts = np.add.reduceat(np.where(ref >= 0, 1, -ref), firsts)
    longest = np.maximum.reduceat(length, firsts)
    at_max = np.flatnonzero(length == longest[group])
    first_max = np.ones(len(at_max), dtype=bool)  # the first longest member of each group
    first_max[1:] = group[at_max][1:] != group[at_max][:-1]
    merged = _Items(
        start=start[firsts],
        end=np.maximum.reduceat(end, firsts),
        row=row[firsts],
        name=name[at_max[first_max]],
        ref=np.where(members == 1, ref[firsts], -counts),
        bounds=np.zeros(0, dtype=np.int64),
        max_end=np.zeros(0),
    )
    flags = None
    if match is not None:
        hit = match[name].astype(np.uint8)
        flags = np.maximum.reduceat(hit, firsts)
    rows = int(source.row.max()) + 1 if len(source.row) else 0
    return _items(merged.start, merged.end, merged.row, merged.name, merged.ref, rows), flags


def _covered(
    start: npt.NDArray[np.float64], length: npt.NDArray[np.float64], edges: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Time covered by non-overlapping intervals (sorted by start) before each edge."""
    before = np.concatenate(([0.0], np.cumsum(length)))
    k = np.searchsorted(start, edges, side="right")  # intervals started by each edge
    last = np.maximum(k - 1, 0)
    partial = np.where(k > 0, np.clip(edges - start[last], 0.0, length[last]), 0.0)
    return before[np.maximum(k - 1, 0)] * (k > 0) + partial
