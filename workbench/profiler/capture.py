"""One capture, read: its files checked, converted by xprof, its trace, breakdown, top ops, peak
memory and verdict, and the timeline's index. Plain data; the views draw it.

``CaptureData.open(folder)`` checks the files (cheap, raises a ``ProfilerError`` naming a bad
file); ``load()`` converts (xprof, tens of milliseconds for a small capture, seconds for a large
one) and may run on a worker thread; each part is also computed on first use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.profiler import known
from workbench.profiler.breakdown import Breakdown, from_timeline, from_xprof, xla_run_ms
from workbench.profiler.convert import convert
from workbench.profiler.diagnosis import Verdict, diagnose
from workbench.profiler.errors import ProfilerError
from workbench.profiler.listing import CaptureInfo, capture_info
from workbench.profiler.lod import LodIndex
from workbench.profiler.memory import peak_memory
from workbench.profiler.ops import TopOp, top_ops
from workbench.profiler.pipeline import Stage, slowest_stage
from workbench.profiler.trace import Step, Trace
from workbench.profiler.xplane import XSpaceInfo, check

__all__ = ["CaptureData", "Summary"]


@dataclass
class Summary:
    """A capture in numbers, for code and tests (``Profile.summary()``)."""

    name: str
    folder: str
    events: int
    threads: int
    steps: int
    step_ms: float
    shares: dict[str, float]
    breakdown_source: str
    verdict: str
    kind: str
    top_ops: list[dict[str, Any]]
    peak_memory: dict[str, int]
    conversion_seconds: dict[str, float]

    def __str__(self) -> str:
        shares = ", ".join(f"{k} {v:.0%}" for k, v in self.shares.items() if v >= 0.005)
        ops = ", ".join(f"{o['name']} {o['share']:.0%}" for o in self.top_ops[:3])
        return (
            f"{self.name}: {self.events:,} events on {self.threads} threads, {self.steps} steps "
            f"of {self.step_ms:.3g} ms ({shares or 'no breakdown'}). {self.verdict} "
            f"Top ops: {ops or 'none'}."
        )


class CaptureData:
    """A capture folder's files and what xprof makes of them."""

    def __init__(self, info: CaptureInfo, checked: list[XSpaceInfo]) -> None:
        self.info = info
        self.checked = checked
        self.seconds: dict[str, float] = {}
        self._lock = threading.RLock()
        self._trace: Trace | None = None
        self._index: LodIndex | None = None
        self._breakdown: Breakdown | None = None
        self._stage: Stage | None = None
        self._ops: list[TopOp] | None = None
        self._memory: dict[str, int] | None = None

    @classmethod
    def open(cls, path: str | Path, logdir: Path | None = None) -> CaptureData:
        """The capture in ``path`` (its folder, or one of its ``.xplane.pb`` files), checked.

        Raises:
            ProfilerError: no capture there, or a file is missing, empty, truncated, foreign, or
                holds no events.
        """
        path = Path(path)
        if path.is_file() and not path.name.endswith(".xplane.pb"):
            raise ProfilerError(
                f"Expected a capture folder or an .xplane.pb file. Received: {path}"
            )
        if not path.exists():
            raise ProfilerError(
                f"Expected a capture at {path}. Received: no such file or folder (was it moved "
                "or deleted?). workbench.profiles(logdir) lists the captures of a logdir."
            )
        info = capture_info(path, logdir)
        files = [path] if path.is_file() else info.files
        if not files:
            raise ProfilerError(
                f"Expected .xplane.pb files in {info.folder}. Received: none (a capture folder is "
                "<logdir>/plugins/profile/<time>/; workbench.profiles(logdir) lists them)."
            )
        info.files = files
        checked = [check(p) for p in files]
        if not any(c.has_events for c in checked):
            raise ProfilerError(
                f"{_names(files)}: the capture holds no events. The profiled code ran no "
                "TensorFlow ops, or ran for too short a time to be seen; profile a fit or "
                "tf.function calls."
            )
        return cls(info, checked)

    @property
    def name(self) -> str:
        return self.info.name

    def load(self) -> CaptureData:
        """Converts everything now (for a worker thread); returns self."""
        self.index  # noqa: B018  (the trace, then its index)
        self.breakdown  # noqa: B018
        self.ops  # noqa: B018
        self.memory  # noqa: B018
        known.remember(self.info.folder, self.verdict.headline)
        return self

    # --- the parts, each converted on first use ---------------------------------------------------

    @property
    def trace(self) -> Trace:
        with self._lock:
            if self._trace is None:
                data = self._convert("trace_viewer", parse=False)
                trace = Trace.from_json(data)
                per_call = self.info.meta.get("steps_per_call")
                if trace.steps_from == "markers" and isinstance(per_call, int) and per_call > 1:
                    trace.steps = [_per_call(step, per_call) for step in trace.steps]
                if not len(trace):
                    raise ProfilerError(
                        f"{_names(self.info.files)}: xprof found no timeline events in the "
                        "capture (only metadata): profile code that runs TensorFlow ops."
                    )
                self._trace = trace
            return self._trace

    @property
    def index(self) -> LodIndex:
        with self._lock:
            if self._index is None:
                trace = self.trace
                self._index = LodIndex(trace)
                self._label_steps()
            return self._index

    @property
    def breakdown(self) -> Breakdown:
        with self._lock:
            if self._breakdown is None:
                data = self._convert("input_pipeline_analyzer")
                breakdown = from_xprof(data)
                self._stage = slowest_stage(data)
                if breakdown.note == "xprof's answer has no step table":  # another xprof
                    breakdown = from_xprof(self._convert("overview_page"))
                if not breakdown.steps:
                    estimated = from_timeline(self.trace)
                    breakdown = estimated if estimated.steps else breakdown
                self._breakdown = breakdown
            return self._breakdown

    @property
    def stage(self) -> Stage | None:
        self.breakdown  # noqa: B018
        return self._stage

    @property
    def ops(self) -> list[TopOp]:
        with self._lock:
            if self._ops is None:
                self._ops = top_ops(self._convert("framework_op_stats"), limit=15)
            return self._ops

    @property
    def memory(self) -> dict[str, int]:
        with self._lock:
            if self._memory is None:
                try:
                    self._memory = peak_memory(self._convert("memory_profile"))
                except ProfilerError:  # xprof has no memory profile for every capture
                    self._memory = {}
            return self._memory

    @property
    def verdict(self) -> Verdict:
        return diagnose(self.breakdown, self.stage, self.ops, xla_run_ms(self.trace))

    def summary(self) -> Summary:
        breakdown = self.breakdown
        trace = self.trace
        verdict = self.verdict
        return Summary(
            name=self.name,
            folder=str(self.info.folder),
            events=len(trace),
            threads=len(trace.lanes),
            steps=len(breakdown.steps),
            step_ms=breakdown.mean_ms,
            shares=breakdown.shares(),
            breakdown_source=breakdown.source,
            verdict=verdict.text(),
            kind=verdict.kind,
            top_ops=[
                {
                    "name": op.short,
                    "operation": op.operation,
                    "type": op.type,
                    "count": op.count,
                    "self_us": op.self_us,
                    "share": op.share,
                }
                for op in self.ops
            ],
            peak_memory=dict(self.memory),
            conversion_seconds=dict(self.seconds),
        )

    # --- helpers ------------------------------------------------------------------------------

    def _convert(self, tool: str, parse: bool = True) -> Any:
        result = convert(self.info.files, tool, parse=parse)
        self.seconds[tool] = round(result.seconds, 4)
        return result.data

    def _label_steps(self) -> None:
        """Names the timeline's steps as xprof's step table does (``11``...), aligning the two
        by step time: xprof drops a step cut by the capture's start or end."""
        trace = self._trace
        if trace is None or not trace.steps:
            return
        try:
            breakdown = self.breakdown
        except ProfilerError:
            return
        if breakdown.source != "xprof":
            return
        trace.steps = _aligned(trace.steps, breakdown)


def _aligned(steps: list[Step], breakdown: Breakdown) -> list[Step]:
    rows = breakdown.steps
    if len(steps) < len(rows):
        return steps
    durations = [(s.end - s.start) / 1e3 for s in steps]
    best, best_cost = 0, float("inf")
    for offset in range(len(steps) - len(rows) + 1):
        cost = sum(abs(durations[offset + i] - r.total_ms) for i, r in enumerate(rows))
        if cost < best_cost:
            best, best_cost = offset, cost
    labels: list[str | None] = [None] * len(steps)
    for i, row in enumerate(rows):
        labels[best + i] = row.label
    if rows and all(r.label.isdigit() for r in rows):  # the cut steps around: count on
        first, last = int(rows[0].label), int(rows[-1].label)
        for i in range(best):
            labels[i] = str(first - (best - i))
        for i in range(best + len(rows), len(steps)):
            labels[i] = str(last + i - (best + len(rows)) + 1)
    return [
        Step(s.start, s.end, label if label is not None else s.label)
        for s, label in zip(steps, labels, strict=True)
    ]


def _per_call(step: Step, per_call: int) -> Step:
    """A marker of a call of ``steps_per_execution=N`` steps, named by its range (``9-12``)."""
    first = step.label.split("-")[0]
    if not first.isdigit():
        return step
    return Step(step.start, step.end, f"{first}-{int(first) + per_call - 1}")


def _names(files: list[Path]) -> str:
    return ", ".join(str(p) for p in files)
