"""Where each step's time went: input, host compute, device compute, transfer, compilation,
other.

From xprof's step table (``input_pipeline_analyzer``, the same as ``overview_page``'s), which it
fills when the steps were marked (``tf.profiler.experimental.Trace("train", step_num=n, _r=1)``,
as ``LiveCurves(profile_steps=...)`` and ``run().profile()`` do). Without step markers xprof
measures no step; the breakdown is then estimated from the timeline: a step per tf.function call
the trace grouped, input as the time it waited in ``IteratorGetNext``, compute the rest of the
call, other the time between calls (Python, callbacks). The breakdown says which it is.

xprof's columns map to the categories as: input = ``infeedTimeMs``; host compute =
``hostComputeTimeMs`` + ``kernelLaunchTimeMs``; device compute = ``deviceComputeTimeMs`` +
``deviceCollectivesTimeMs``; transfer = ``deviceToDeviceTimeMs`` + ``outfeedTimeMs``; compilation =
``compileTimeMs``; other = ``otherTimeMs``. From the timeline, compilation is the time spent
tracing a ``tf.function`` (``tf.function-graph_building``) or compiling it with XLA.

The first steps of a capture often trace or compile what the rest only run: leading steps that
spend half their time or more compiling are left out of the breakdown (``warm_up``), and its
``note`` says so, so that one 400 ms trace does not set the average of 1 ms steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from workbench.profiler.tables import find_table
from workbench.profiler.trace import Trace

__all__ = ["CATEGORIES", "Breakdown", "StepTime", "from_timeline", "from_xprof", "xla_run_ms"]

CATEGORIES = ("input", "host compute", "device compute", "transfer", "compilation", "other")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "input": ("infeedTimeMs",),
    "host compute": ("hostComputeTimeMs", "kernelLaunchTimeMs"),
    "device compute": ("deviceComputeTimeMs", "deviceCollectivesTimeMs"),
    "transfer": ("deviceToDeviceTimeMs", "outfeedTimeMs"),
    "compilation": ("compileTimeMs",),
    "other": ("otherTimeMs",),
}
_INPUT_WAIT = ("IteratorGetNext",)  # names of the events a step waits for data in
# names of events that trace or compile: tf.function tracing, XLA's compilers
_COMPILING = ("graph_building", "JitCompiler::Compile", "XlaCompile", "CompileCpuExecutable")
# an XLA executable running (CpuExecutable::, GpuExecutable::ExecuteAsyncOnStream): the ops it
# fused run inside it, in no TensorFlow op event
_XLA_RUN = "Executable::ExecuteAsyncOnStream"
WARM_UP_SHARE = 0.5  # a leading step compiling this share of its time or more is warm-up


@dataclass
class StepTime:
    """One step: its label (``"11"``), its time and each category's share of it, in ms."""

    label: str
    total_ms: float
    parts: dict[str, float]


@dataclass
class Breakdown:
    """Per-step time by category.

    ``source`` is ``"xprof"`` (xprof's step table), ``"timeline"`` (estimated from the trace, no
    step markers) or ``"none"`` (no steps found; ``note`` says why).
    """

    steps: list[StepTime] = field(default_factory=list)
    source: Literal["xprof", "timeline", "none"] = "none"
    note: str = ""
    hardware: str = ""
    warm_up: list[StepTime] = field(default_factory=list)  # leading steps left out

    @property
    def mean_ms(self) -> float:
        return float(np.mean([s.total_ms for s in self.steps])) if self.steps else 0.0

    def totals(self) -> dict[str, float]:
        """Each category's ms summed over the steps."""
        return {c: sum(s.parts.get(c, 0.0) for s in self.steps) for c in CATEGORIES}

    def shares(self) -> dict[str, float]:
        """Each category's fraction of the summed step time (they add up to 1)."""
        totals = self.totals()
        whole = sum(totals.values())
        return {c: (v / whole if whole > 0 else 0.0) for c, v in totals.items()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "note": self.note,
            "mean_ms": self.mean_ms,
            "shares": self.shares(),
            "steps": [{"label": s.label, "total_ms": s.total_ms, **s.parts} for s in self.steps],
        }


def from_xprof(data: Any) -> Breakdown:
    """The breakdown of xprof's ``input_pipeline_analyzer`` (or ``overview_page``) answer; empty
    (source "none") when xprof measured no step."""
    table = find_table(data, ("stepnum", "stepTimeMs"))
    if table is None:
        return Breakdown(note="xprof's answer has no step table")
    hardware = str(table.properties.get("hardware_type", ""))
    steps = []
    for row in table.rows:
        parts = {
            category: sum(table.number(row, column) for column in columns)
            for category, columns in _COLUMNS.items()
        }
        label = str(row.get("stepnum", "")).split(" ")[-1]  # "train 11" -> "11"
        steps.append(StepTime(label, table.number(row, "stepTimeMs"), parts))
    if not steps:
        note = "xprof measured no step: the steps were not marked"
        return Breakdown(source="none", note=note, hardware=hardware)
    return _without_warm_up(Breakdown(steps=steps, source="xprof", hardware=hardware))


def from_timeline(trace: Trace) -> Breakdown:
    """A breakdown estimated from the trace's steps (see the module docstring)."""
    steps = trace.steps
    if not steps:
        return Breakdown(
            note="no steps found: the capture holds no tf.function calls or marked steps"
        )
    device = any(lane.process.startswith("/device:") for lane in trace.lanes)
    compute = "device compute" if device else "host compute"
    waits = _intervals(trace, lambda name: name.startswith(_INPUT_WAIT))
    compiles = _intervals(trace, lambda name: any(c in name for c in _COMPILING))
    found = []
    for index, step in enumerate(steps):
        following = steps[index + 1].start if index + 1 < len(steps) else step.end
        length = max(step.end - step.start, 0.0)
        waited = _union_within(*waits, step.start, step.end)
        compiled = _union_within(*compiles, step.start, step.end)
        parts = dict.fromkeys(CATEGORIES, 0.0)
        parts["input"] = waited / 1e3
        parts["compilation"] = compiled / 1e3
        parts[compute] = max(length - waited - compiled, 0.0) / 1e3
        parts["other"] = max(following - step.end, 0.0) / 1e3
        total = max(following, step.end) - step.start
        found.append(StepTime(step.label, total / 1e3, parts))
    if trace.steps_from == "markers":
        note = (
            "estimated from the timeline's step markers (xprof measured none: each bar is one "
            "marked call), input = time waiting in IteratorGetNext"
        )
    else:
        note = (
            "estimated from the timeline (no step markers): a step per tf.function call, input "
            "= time waiting in IteratorGetNext"
        )
    return _without_warm_up(Breakdown(steps=found, source="timeline", note=note))


def _intervals(
    trace: Trace, wanted: Callable[[str], bool]
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Starts and ends of the events whose name is ``wanted``."""
    ids = [i for i, name in enumerate(trace.names) if wanted(name)]
    mask = np.isin(trace.name, ids)
    return trace.start[mask], trace.start[mask] + trace.dur[mask]


def _without_warm_up(breakdown: Breakdown) -> Breakdown:
    """The breakdown less its leading steps that mostly compile (at least one step kept)."""
    steps = breakdown.steps
    cut = 0
    while cut < len(steps) - 1 and steps[cut].parts.get("compilation", 0.0) >= (
        WARM_UP_SHARE * steps[cut].total_ms
    ):
        cut += 1
    if not cut:
        return breakdown
    left = steps[:cut]
    labels = ", ".join(s.label for s in left)
    took = sum(s.total_ms for s in left)
    said = (
        f"step{'s' if cut > 1 else ''} {labels} ({took:.3g} ms) traced or compiled what the "
        "others run: left out"
    )
    breakdown.steps = steps[cut:]
    breakdown.warm_up = left
    breakdown.note = f"{breakdown.note}; {said}" if breakdown.note else said
    return breakdown


def _union_within(
    start: np.ndarray[Any, np.dtype[np.float64]],
    end: np.ndarray[Any, np.dtype[np.float64]],
    lo: float,
    hi: float,
) -> float:
    """Time in [lo, hi) covered by any of the intervals (they may overlap)."""
    s = np.clip(start, lo, hi)
    e = np.clip(end, lo, hi)
    keep = e > s
    if not keep.any():
        return 0.0
    s, e = s[keep], e[keep]
    order = np.argsort(s)
    s, e = s[order], e[order]
    reach = np.maximum.accumulate(e)
    gaps = np.clip(s[1:] - reach[:-1], 0.0, None).sum()
    return float(reach[-1] - s[0] - gaps)


def xla_run_ms(trace: Trace) -> float:
    """The time XLA-compiled code ran in the capture, in ms (0: nothing ran XLA-compiled)."""
    ids = [i for i, name in enumerate(trace.names) if name.endswith(_XLA_RUN)]
    if not ids:
        return 0.0
    return float(trace.dur[np.isin(trace.name, ids)].sum()) / 1e3
