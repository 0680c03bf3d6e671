"""A capture's timeline as columns: one row per event, lanes per process and thread, nesting depth.

xprof's ``trace_viewer`` tool gives Chrome-trace JSON (``{"traceEvents": [...]}``: ``ph: "X"``
events with ``ts`` and ``dur`` in microseconds, ``pid``, ``tid``, ``name``, ``args``, and ``ph:
"M"`` metadata naming processes and threads). :class:`Trace` keeps the complete events as NumPy
columns sorted by (row, start), where a row is one nesting level of one lane (a lane is a thread
of a process): events of one row do not overlap when the thread's events nest, which is what lets
``lod`` find the visible events of a row with two binary searches.

Depth is computed without a Python loop: with a lane's events sorted by start (longer first on a
tie), the events still open when event *i* starts are its ancestors, so its depth is its rank
minus the number of the lane's events that ended by then (one ``searchsorted``).

Times are microseconds from the first event (``origin_us`` is what was subtracted). Instant events
(``ph: "i"``) are not drawn and not kept.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["EventTable", "Lane", "Step", "Trace"]

# Beyond this many events, args are kept only for the longest ones (each args dict costs a few
# hundred bytes; a 1M-event trace's args would cost more than its columns).
ARGS_KEPT = 500_000


@dataclass
class Lane:
    """One thread of one process, drawn as ``rows`` rows (its nesting depth)."""

    pid: int
    tid: int
    process: str
    thread: str
    rows: int = 1
    first_row: int = 0  # the global row of its depth-0 events
    events: int = 0
    busy_us: float = 0.0  # time covered by its depth-0 events

    @property
    def label(self) -> str:
        return f"{self.process} · {self.thread}" if self.process else self.thread


@dataclass
class Step:
    """A training step on the timeline: where it starts and ends (µs) and what it is called."""

    start: float
    end: float
    label: str


@dataclass
class Trace:
    """The events of a capture, sorted by (row, start). See the module docstring."""

    start: npt.NDArray[np.float64]
    dur: npt.NDArray[np.float64]
    row: npt.NDArray[np.int32]
    lane: npt.NDArray[np.int32]
    name: npt.NDArray[np.int32]
    names: list[str]
    lanes: list[Lane]
    args: list[dict[str, Any] | None] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    origin_us: float = 0.0
    dropped_args: int = 0  # events whose args were not kept (ARGS_KEPT)
    # where the steps come from: "markers" (step markers in the trace), "groups" (xprof's
    # grouping of tf.function calls), "given", or "" (none)
    steps_from: str = ""

    def __len__(self) -> int:
        return len(self.start)

    @property
    def rows(self) -> int:
        return sum(lane.rows for lane in self.lanes)

    @property
    def span_us(self) -> float:
        return float((self.start + self.dur).max()) if len(self) else 0.0

    @property
    def events(self) -> EventTable:
        """The events as a table (name, start, duration, process, thread)."""
        return EventTable(self)

    def args_of(self, index: int) -> dict[str, Any] | None:
        if 0 <= index < len(self.args):
            return self.args[index]
        return None

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def from_json(cls, text: str | bytes | Mapping[str, Any]) -> Trace:
        """The trace of xprof's ``trace_viewer`` JSON (text or parsed)."""
        data = json.loads(text) if isinstance(text, str | bytes) else text
        events = data.get("traceEvents") if isinstance(data, Mapping) else None
        if not isinstance(events, list):
            keys = sorted(data)[:5] if isinstance(data, Mapping) else []
            raise ValueError(
                "Expected trace JSON with a traceEvents list. Received: "
                f"{type(data).__name__} with keys {keys}"
            )
        return cls.from_events(events)

    @classmethod
    def from_events(cls, events: Sequence[Mapping[str, Any]]) -> Trace:
        """The trace of Chrome-trace events (``ph`` "X" kept, "M" read for names)."""
        processes: dict[int, str] = {}
        threads: dict[tuple[int, int], str] = {}
        complete = []
        for event in events:
            kind = event.get("ph")
            if kind == "X":
                complete.append(event)
            elif kind == "M":
                args = event.get("args") or {}
                if event.get("name") == "process_name":
                    processes[_int(event.get("pid"))] = str(args.get("name", ""))
                elif event.get("name") == "thread_name":
                    key = (_int(event.get("pid")), _int(event.get("tid")))
                    threads[key] = str(args.get("name", ""))
        start = _numbers(complete, "ts", float("nan"))
        dur = _numbers(complete, "dur", 0.0)
        keep = np.isfinite(start) & np.isfinite(dur)
        if not keep.all():
            complete = [e for e, k in zip(complete, keep.tolist(), strict=True) if k]
            start, dur = start[keep], dur[keep]
        # interned as they come (the raw pid/tid values; a dict look-up an event)
        lane_ids: dict[tuple[Any, Any], int] = {}
        lane = np.fromiter(
            (lane_ids.setdefault((e.get("pid"), e.get("tid")), len(lane_ids)) for e in complete),
            dtype=np.int32,
            count=len(complete),
        )
        name_ids: dict[Any, int] = {}
        name = np.fromiter(
            (name_ids.setdefault(e.get("name", ""), len(name_ids)) for e in complete),
            dtype=np.int32,
            count=len(complete),
        )
        lanes = []
        for raw_pid, raw_tid in lane_ids:
            pid, tid = _int(raw_pid), _int(raw_tid)
            process = processes.get(pid, f"pid {pid}")
            lanes.append(Lane(pid, tid, process, threads.get((pid, tid), f"tid {tid}")))
        args = [e.get("args") or None for e in complete]
        names = [str(n) for n in name_ids]
        return cls.from_columns(start, dur, lane, name, names, lanes, args=args)

    @classmethod
    def from_columns(
        cls,
        start: npt.ArrayLike,
        dur: npt.ArrayLike,
        lane: npt.ArrayLike,
        name: npt.ArrayLike,
        names: Sequence[str],
        lanes: Sequence[Lane],
        *,
        args: Sequence[dict[str, Any] | None] | None = None,
        steps: Sequence[Step] = (),
    ) -> Trace:
        """A trace of events given as columns (lane and name are indices into ``lanes`` and
        ``names``); lanes get their rows, an order (busiest first within a process) and the
        events their depth. Times may have any origin: the first event becomes 0."""
        start = np.asarray(start, dtype=np.float64)
        dur = np.maximum(np.asarray(dur, dtype=np.float64), 0.0)
        lane = np.asarray(lane, dtype=np.int32)
        name = np.asarray(name, dtype=np.int32)
        n = len(start)
        if not (len(dur) == len(lane) == len(name) == n):
            raise ValueError(
                "Expected start, dur, lane and name of one length. Received: "
                f"{n}, {len(dur)}, {len(lane)}, {len(name)}"
            )
        for label, values, bound in (("lane", lane, len(lanes)), ("name", name, len(names))):
            if n and (values.min() < 0 or values.max() >= bound):
                bad = values.min() if values.min() < 0 else values.max()  # the one out of range
                raise ValueError(f"Expected {label} indices in [0, {bound}). Received: {bad}")
        origin = float(start.min()) if n else 0.0
        start = start - origin
        lanes = [Lane(x.pid, x.tid, x.process, x.thread) for x in lanes]

        order = _lane_start_order(start, dur, lane)  # by lane, then start, the longer first
        start, dur, lane, name = start[order], dur[order], lane[order], name[order]
        depth = _depths(start, dur, lane, len(lanes))
        counts = np.bincount(lane, minlength=len(lanes))
        busy = np.bincount(lane[depth == 0], weights=dur[depth == 0], minlength=len(lanes))
        max_depth = np.zeros(len(lanes), dtype=np.int64)
        if n:
            np.maximum.at(max_depth, lane, depth)
        for index, item in enumerate(lanes):
            item.rows = int(max_depth[index]) + 1 if counts[index] else 1
            item.events = int(counts[index])
            item.busy_us = float(busy[index])

        # display order: processes as the trace numbers them, the busiest thread first
        shown = sorted(range(len(lanes)), key=lambda i: (lanes[i].pid, -lanes[i].busy_us, i))
        remap = np.empty(len(lanes), dtype=np.int32)
        first = 0
        for position, old in enumerate(shown):
            remap[old] = position
            lanes[old].first_row = first
            first += lanes[old].rows
        first_row = np.array([lane_.first_row for lane_ in lanes], dtype=np.int64)
        row = (first_row[lane] + depth).astype(np.int32) if n else np.zeros(0, np.int32)
        lane = remap[lane] if n else lane
        lanes = [lanes[i] for i in shown]

        # sorted by (lane, start) already: a stable sort by row leaves each row by start
        final = np.argsort(row, kind="stable")
        kept_args: list[dict[str, Any] | None] = []
        dropped = 0
        if args is not None:
            ordered = [args[i] for i in order[final].tolist()]
            if n > ARGS_KEPT:
                cut = np.partition(dur[final], n - ARGS_KEPT)[n - ARGS_KEPT]
                short = (dur[final] < cut).tolist()
                dropped = sum(short)
                ordered = [None if s else a for a, s in zip(ordered, short, strict=True)]
            kept_args = ordered
        trace = cls(
            start=start[final],
            dur=dur[final],
            row=row[final],
            lane=lane[final],
            name=name[final],
            names=list(names),
            lanes=lanes,
            args=kept_args,
            origin_us=origin,
            dropped_args=dropped,
        )
        if steps:
            trace.steps, trace.steps_from = list(steps), "given"
        elif found := _steps_from_markers(trace):
            trace.steps, trace.steps_from = found, "markers"
        elif found := _steps_from_groups(trace):
            trace.steps, trace.steps_from = found, "groups"
        return trace


def _lane_start_order(
    start: npt.NDArray[np.float64], dur: npt.NDArray[np.float64], lane: npt.NDArray[np.int32]
) -> npt.NDArray[np.int64]:
    """Indices sorting events by lane, then start, the longer first on a tie.

    Two stable sorts, by start (traces come nearly sorted, which the sort exploits) then by lane
    (a radix sort when lane numbers fit 16 bits): exact however close two starts are, where one
    sort of lane-offset starts rounded them, and faster (2M events: 0.1 s; a three-key lexsort
    took 1.5 s). Ties (a call and its body starting together on one thread) are few: the longest
    first, by one lexsort of the tied events.
    """
    order = np.argsort(start, kind="stable")
    small = lane.astype(np.int16) if len(lane) and int(lane.max()) < 2**15 else lane
    order = order[np.argsort(small[order], kind="stable")]
    ordered_start, ordered_lane = start[order], lane[order]
    same = (ordered_start[1:] == ordered_start[:-1]) & (ordered_lane[1:] == ordered_lane[:-1])
    if same.any():
        tied = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
        group = np.cumsum(np.r_[True, ~same])[tied]  # one number per run of tied events
        members = order[tied]
        order[tied] = members[np.lexsort((-dur[members], group))]
    return order


def _depths(
    start: npt.NDArray[np.float64],
    dur: npt.NDArray[np.float64],
    lane: npt.NDArray[np.int32],
    lanes: int,
) -> npt.NDArray[np.int64]:
    """Nesting depth of each event, for events sorted by (lane, start, longer first)."""
    depth = np.zeros(len(start), dtype=np.int64)
    bounds = np.searchsorted(lane, np.arange(lanes + 1))
    for index in range(lanes):
        lo, hi = int(bounds[index]), int(bounds[index + 1])
        if hi - lo < 2:
            continue
        s = start[lo:hi]
        ends = np.sort(s + dur[lo:hi])
        closed = np.searchsorted(ends, s, side="right")  # events of the lane ended by then
        # an instant event ends as it starts: it is not closed for an event that starts with
        # it and comes first (the longer first), nor for itself and the instants after it
        instants = np.sort(s[dur[lo:hi] == 0])
        if len(instants):
            at_start = np.searchsorted(instants, s, "right") - np.searchsorted(instants, s, "left")
            from_here = np.searchsorted(s, s, side="right") - np.arange(hi - lo)
            closed -= np.minimum(at_start, from_here)
        depth[lo:hi] = np.maximum(np.arange(hi - lo) - closed, 0)
    return depth


def _steps_from_markers(trace: Trace) -> list[Step]:
    """Steps as they were marked (``Trace("train", step_num=n, _r=1)``): depth-0 events with a
    ``step_num`` arg, named by it; a marker that covers several steps (a call of
    ``steps_per_execution=N``: markers N apart) is named by its range, ``9-12``."""
    if not trace.args:
        return []
    top = {lane.first_row for lane in trace.lanes}
    found: list[tuple[float, float, int]] = []
    for index, args in enumerate(trace.args):
        if args is None or "step_num" not in args or int(trace.row[index]) not in top:
            continue
        try:
            number = int(args["step_num"])
        except (TypeError, ValueError):
            continue
        begin = float(trace.start[index])
        found.append((begin, begin + float(trace.dur[index]), number))
    found.sort()
    gaps = {b[2] - a[2] for a, b in itertools.pairwise(found)}
    width = gaps.pop() if len(gaps) == 1 and min(gaps) > 1 else 1
    return [
        Step(begin, end, f"{n}-{n + width - 1}" if width > 1 else str(n)) for begin, end, n in found
    ]


def _steps_from_groups(trace: Trace) -> list[Step]:
    """Steps as xprof grouped the events (``args.group_id``, one group per step or tf.function
    call): each group's first event, widened to the depth-0 event of the busiest lane (the
    thread that ran the steps: Python's, in a fit) that holds it."""
    if not trace.args or not trace.lanes:
        return []
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for index, args in enumerate(trace.args):
        group = None if args is None else args.get("group_id")
        if group is None:
            continue
        key = str(group)
        begin = float(trace.start[index])
        end = begin + float(trace.dur[index])
        if key not in first or begin < first[key]:
            first[key] = begin
        if key not in last or end > last[key]:
            last[key] = end
    if not first:
        return []
    main = trace.lanes[0]
    top = np.flatnonzero(trace.row == main.first_row)
    top_start, top_end = trace.start[top], trace.start[top] + trace.dur[top]
    spans: dict[tuple[float, float], None] = {}
    for key in sorted(first, key=first.__getitem__):
        at = int(np.searchsorted(top_start, first[key], side="right")) - 1
        if at >= 0 and top_end[at] >= first[key]:
            spans.setdefault((float(top_start[at]), float(top_end[at])), None)
        else:
            spans.setdefault((first[key], last[key]), None)
    return [Step(begin, end, str(k)) for k, (begin, end) in enumerate(sorted(spans))]


def _numbers(events: list[Mapping[str, Any]], key: str, missing: float) -> npt.NDArray[np.float64]:
    """One numeric field of every event; NaN where it is not a number."""
    try:
        return np.fromiter(
            (e.get(key, missing) for e in events), dtype=np.float64, count=len(events)
        )
    except (TypeError, ValueError, OverflowError):  # text, a list, an int past float: one by one
        return np.array([_float(e.get(key, missing)) for e in events], dtype=np.float64)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):  # JSON's integers have no limit
        return float("nan")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class EventTable:
    """A trace's events as a table: ``name``, ``start_us``, ``duration_us``, ``process``,
    ``thread`` (and ``depth``), in timeline order (lane by lane, then by start).

    Columns are NumPy arrays (``table["duration_us"]``); a row is a dict (``table[0]``);
    ``to_pandas()`` gives a DataFrame when pandas is installed.

    Example:
        >>> prof.events.filter(name="MatMul").total_us()
    """

    COLUMNS = ("name", "start_us", "duration_us", "process", "thread", "depth")

    def __init__(self, trace: Trace, index: npt.NDArray[np.int64] | None = None) -> None:
        self._trace = trace
        self._index = np.arange(len(trace)) if index is None else index

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for position in range(len(self)):
            yield self[position]

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            return self.column(key)
        i = int(self._index[key])
        t = self._trace
        lane = t.lanes[int(t.lane[i])]
        return {
            "name": t.names[int(t.name[i])],
            "start_us": float(t.start[i]),
            "duration_us": float(t.dur[i]),
            "process": lane.process,
            "thread": lane.thread,
            "depth": int(t.row[i]) - lane.first_row,
            "args": t.args_of(i),
        }

    def column(self, name: str) -> npt.NDArray[Any]:
        """One column as an array (names, processes and threads as object arrays of str)."""
        t, index = self._trace, self._index
        if name == "start_us":
            return t.start[index]
        if name == "duration_us":
            return t.dur[index]
        if name == "name":
            return np.array(t.names, dtype=object)[t.name[index]] if len(t.names) else _empty()
        if name in ("process", "thread"):
            labels = np.array([getattr(lane, name) for lane in t.lanes] or [""], dtype=object)
            return labels[t.lane[index]]
        if name == "depth":
            first = np.array([lane.first_row for lane in t.lanes] or [0])
            depth: npt.NDArray[np.int64] = (t.row[index] - first[t.lane[index]]).astype(np.int64)
            return depth
        raise KeyError(f"Expected a column in {list(self.COLUMNS)}. Received: {name!r}")

    def filter(
        self,
        name: str | None = None,
        *,
        thread: str | None = None,
        min_duration_us: float = 0.0,
    ) -> EventTable:
        """Events whose name (and thread) contain the given text, case-insensitively, lasting at
        least ``min_duration_us``."""
        t = self._trace
        keep = t.dur[self._index] >= min_duration_us
        if name is not None:
            wanted = [i for i, n in enumerate(t.names) if name.lower() in n.lower()]
            keep &= np.isin(t.name[self._index], wanted)
        if thread is not None:
            lanes = [i for i, x in enumerate(t.lanes) if thread.lower() in x.thread.lower()]
            keep &= np.isin(t.lane[self._index], lanes)
        return EventTable(t, self._index[keep])

    def total_us(self) -> float:
        """The summed duration of these events (nested events counted in each)."""
        return float(self._trace.dur[self._index].sum())

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (pandas must be installed)."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError(
                "Expected pandas for EventTable.to_pandas(): pip install pandas. The columns are "
                "also arrays: table['name'], table['duration_us'], ..."
            ) from error
        return pd.DataFrame({name: self.column(name) for name in self.COLUMNS})

    def __repr__(self) -> str:
        threads = len({int(x) for x in self._trace.lane[self._index]})
        return f"<EventTable: {len(self):,} events on {threads} threads>"

    def _repr_html_(self) -> str:
        import html

        rows = []
        for position in range(min(len(self), 20)):
            row = self[position]
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(v))}</td>"
                    for v in (
                        row["name"],
                        f"{row['start_us']:,.1f}",
                        f"{row['duration_us']:,.1f}",
                        row["thread"],
                    )
                )
                + "</tr>"
            )
        head = "".join(f"<th>{c}</th>" for c in ("name", "start µs", "duration µs", "thread"))
        more = f"<p>… {len(self) - 20:,} more</p>" if len(self) > 20 else ""
        return (
            f"<div><b>{html.escape(repr(self))}</b><table><tr>{head}</tr>"
            f"{''.join(rows)}</table>{more}</div>"
        )


def _empty() -> npt.NDArray[Any]:
    return np.array([], dtype=object)
