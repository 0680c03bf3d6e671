"""A series as a view draws it: its step span cut into columns about a pixel wide.

Each column keeps what a pixel column of the chart shows of its points: the first, lowest,
highest and last finite value, in the order they came (drawn as a short vertical zigzag, which
looks exactly like every point drawn), and the sum and count of its finite values (their mean is
what the smoothed line goes through). The span starts at the series' first step with one step
per column and doubles when a step falls past it, as an axis that extends: pairs of columns merge,
so a series of any length is at most ``width`` columns and adding points costs the points added,
never the whole series.

The live view (``extensions/widgets/livecurves/columns.ts``) merges its copy of the columns in
the same way when the kernel says the span doubled, so the kernel sends only the columns that
new points changed. Non-finite values are not in the columns (a chart marks them apart).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["FIELDS", "ROW_BYTES", "Columns", "ema", "merge", "smooth", "zigzag"]

# one row per column on the wire: (a, b) are (lowest, highest) or (highest, lowest), as they came
FIELDS = ("column", "count", "sum", "first", "a", "b", "last")
ROW_BYTES = 8 * len(FIELDS)

Floats = npt.NDArray[np.float64]


@dataclass
class _Agg:
    """Columns' aggregates, one entry per column (count 0: an empty column)."""

    count: npt.NDArray[np.int64]
    total: Floats
    first: Floats
    low: Floats
    high: Floats
    last: Floats
    low_first: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls, n: int) -> _Agg:
        nan = np.full(n, np.nan)
        return cls(
            np.zeros(n, np.int64),
            np.zeros(n),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan,
            np.ones(n, np.bool_),
        )

    def take(self, index: Any) -> _Agg:
        return _Agg(*(getattr(self, name)[index] for name in _AGG))

    def put(self, index: npt.ArrayLike, other: _Agg) -> None:
        for name in _AGG:
            getattr(self, name)[index] = getattr(other, name)


_AGG = ("count", "total", "first", "low", "high", "last", "low_first")


def merge(left: _Agg, right: _Agg) -> _Agg:
    """Columns whose points are ``left``'s followed by ``right``'s (entry by entry).

    On a tie the earlier point is the lowest or highest. The live view merges with the same
    rule (``columns.ts``), so both hold the same columns after the span doubles.
    """
    has_left, has_right = left.count > 0, right.count > 0
    low_left = ~has_right | (has_left & (left.low <= right.low))
    high_left = ~has_right | (has_left & (left.high >= right.high))
    return _Agg(
        left.count + right.count,
        left.total + right.total,
        np.where(has_left, left.first, right.first),
        np.where(low_left, left.low, right.low),
        np.where(high_left, left.high, right.high),
        np.where(has_right, right.last, left.last),
        np.where(
            low_left & high_left,
            left.low_first,
            np.where(~low_left & ~high_left, right.low_first, low_left),
        ),
    )


def _aggregate(columns: npt.NDArray[np.int64], values: Floats) -> tuple[np.ndarray, _Agg]:
    """The columns that points fall in and their aggregates (points in log order, finite)."""
    if np.any(columns[1:] < columns[:-1]):  # a step logged after a later one: group anyway
        order = np.argsort(columns, kind="stable")
        columns, values = columns[order], values[order]
    starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
    ends = np.r_[starts[1:], len(columns)]
    counts = ends - starts
    low = np.minimum.reduceat(values, starts)
    high = np.maximum.reduceat(values, starts)
    group = np.repeat(np.arange(len(starts)), counts)
    return columns[starts], _Agg(
        counts.astype(np.int64),
        np.add.reduceat(values, starts),
        values[starts],
        low,
        high,
        values[ends - 1],
        _first_at(values == low[group], group) <= _first_at(values == high[group], group),
    )


def _first_at(hits: npt.NDArray[np.bool_], group: npt.NDArray[np.int64]) -> np.ndarray:
    """Per group, the position of its first hit (every group has one)."""
    where = np.flatnonzero(hits)
    groups = group[where]
    return where[np.r_[True, groups[1:] != groups[:-1]]]


class Columns:
    """One series in at most ``width`` columns over its step span.

    Args:
        width: columns across the span (the view's width in pixels).
    """

    def __init__(self, width: int) -> None:
        if width < 2:
            raise ValueError(f"Expected at least 2 columns. Received: {width!r}")
        self.width = width
        self.size = 1  # steps per column, a power of two
        self.origin: int | None = None  # the step where column 0 starts
        self.first_step: int | None = None  # the first and last step with a finite value
        self.last_step: int | None = None
        self.agg = _Agg.empty(width)
        self.dirty = np.zeros(width, np.bool_)  # changed since the view was last sent them
        self.stale = np.zeros(width, np.bool_)  # unchanged, to be sent again (a refresh)

    def add(self, steps: npt.ArrayLike, values: npt.ArrayLike) -> bool:
        """Adds points (in the order they were logged); their columns become dirty.

        Returns:
            False, adding nothing, when a step lies before the span's start (a step logged
            after later ones, below the first): the columns must be built again from all points.
        """
        at = np.asarray(steps, dtype=np.int64)
        value = np.asarray(values, dtype=np.float64)
        finite = np.isfinite(value)
        if not finite.all():
            at, value = at[finite], value[finite]
        if not len(at):
            return True
        lo, hi = int(at.min()), int(at.max())
        if self.origin is None:
            self.origin = lo
        elif lo < self.origin:
            return False
        while (hi - self.origin) // self.size >= self.width:
            self._double()
        index, chunk = _aggregate((at - self.origin) // self.size, value)
        self.agg.put(index, merge(self.agg.take(index), chunk))
        self.dirty[index] = True
        self.stale[index] = False
        self.first_step = lo if self.first_step is None else min(self.first_step, lo)
        self.last_step = hi if self.last_step is None else max(self.last_step, hi)
        return True

    def _double(self) -> None:
        """Twice the steps per column: column j becomes columns 2j and 2j + 1 merged."""
        pairs = (self.width + 1) // 2
        padded = _Agg.empty(2 * pairs)
        padded.put(np.arange(self.width), self.agg)
        merged = merge(padded.take(slice(0, None, 2)), padded.take(slice(1, None, 2)))
        self.agg = _Agg.empty(self.width)
        self.agg.put(np.arange(pairs), merged)
        for name in ("dirty", "stale"):
            flags = np.zeros(2 * pairs, np.bool_)
            flags[: self.width] = getattr(self, name)
            merged_flags = np.zeros(self.width, np.bool_)
            merged_flags[:pairs] = flags[0::2] | flags[1::2]
            setattr(self, name, merged_flags)
        self.stale &= ~self.dirty
        self.size *= 2

    @property
    def filled(self) -> npt.NDArray[np.int64]:
        """The columns that hold points, in step order."""
        return np.flatnonzero(self.agg.count > 0)

    def rows(self, columns: npt.ArrayLike | None = None) -> Floats:
        """The wire rows (``FIELDS``) of ``columns`` (default: every filled one), float64."""
        index = self.filled if columns is None else np.asarray(columns, dtype=np.int64)
        agg = self.agg.take(index)
        a = np.where(agg.low_first, agg.low, agg.high)
        b = np.where(agg.low_first, agg.high, agg.low)
        return np.column_stack([index, agg.count, agg.total, agg.first, a, b, agg.last]).astype(
            np.float64
        )

    def positions(self, columns: npt.ArrayLike | None = None) -> Floats:
        """Where columns are drawn: their middle step, within the series' finite steps."""
        index = self.filled if columns is None else np.asarray(columns, dtype=np.int64)
        if self.origin is None or self.first_step is None or self.last_step is None:
            return np.zeros(len(index))
        middle = self.origin + index * float(self.size) + (self.size - 1) // 2  # a whole step
        drawn: Floats = np.clip(middle, float(self.first_step), float(self.last_step))
        return drawn

    def dirty_columns(self) -> npt.NDArray[np.int64]:
        """Filled columns that points changed since :meth:`sent` was last told of them."""
        return np.flatnonzero(self.dirty & (self.agg.count > 0))

    def pending(self, *, stale: bool = True) -> npt.NDArray[np.int64]:
        """Filled columns to send, first first: changed ones newest first, then (``stale``)
        the ones to send again, newest first."""
        filled = self.agg.count > 0
        changed = np.flatnonzero(self.dirty & filled)[::-1]
        if not stale:
            return changed
        return np.concatenate([changed, np.flatnonzero(self.stale & filled)[::-1]])

    def sent(self, columns: npt.ArrayLike) -> None:
        index = np.asarray(columns, dtype=np.int64)
        self.dirty[index] = False
        self.stale[index] = False

    def touch(self, *, changed: bool = False) -> None:
        """Every filled column is to be sent again (a view may have missed some): as stale
        (after the changed ones, and not by a final push), or as ``changed``."""
        filled = self.agg.count > 0
        if changed:
            self.dirty[:] = filled
        else:
            self.stale[:] = filled & ~self.dirty


def zigzag(
    columns: Columns, keep: Callable[[Floats], npt.NDArray[np.bool_]]
) -> tuple[Floats, Floats]:
    """The columns' polyline as the view draws it: in each column, at its position, its first,
    lowest and highest (in the order they came) and last value that ``keep`` keeps, each unless
    it repeats the one before (``decimate.ts``, point for point)."""
    rows = columns.rows()
    positions = columns.positions()
    values = rows[:, 3:7]  # first, a, b, last
    taken = np.zeros(values.shape, np.bool_)
    previous = np.full(len(values), np.nan)
    for j in range(4):
        value = values[:, j]
        kept = keep(value)
        taken[:, j] = kept & (value != previous)  # NaN != anything: a column's first is taken
        previous = np.where(kept, value, previous)
    return np.repeat(positions, 4).reshape(values.shape)[taken], values[taken]


def smooth(columns: Columns, weight: float) -> tuple[Floats, Floats]:
    """The smoothed line: TensorBoard's smoothing (:func:`ema`) of the columns' means, at their
    positions. For a series of at most a point per column, exactly TensorBoard's line."""
    index = columns.filled
    means = columns.agg.total[index] / columns.agg.count[index]
    return columns.positions(index), ema(means, weight)


def ema(values: Floats, weight: float) -> Floats:
    """A debiased exponential moving average (``smoothing.ts``, operation for operation: the
    two draw the same line). Weight 0 leaves values as they are; non-finite ones pass."""
    out = np.array(values, dtype=np.float64)
    if weight <= 0:
        return out
    last, decay = 0.0, 1.0
    for i, value in enumerate(out.tolist()):
        if not math.isfinite(value):
            continue
        last = last * weight + (1 - weight) * value
        decay *= weight
        out[i] = last / (1 - decay)
    return out
