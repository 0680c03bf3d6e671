"""The step-time diagnosis in words: what bounds the steps, by how much, and what to change.

Thresholds (shares of the summed step time): input >= 50% is input-bound, 20-50% partly
input-bound; compilation >= 30% is compilation-bound (retracing, or XLA compiling each new shape);
time outside TensorFlow's ops >= 40% is overhead-bound (Python between steps); otherwise the
steps are compute-bound on the host or the device, whichever holds more. For input, the fixes
named are those the pipeline lacks (its iterator names say whether it prefetches, caches or maps
in parallel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from workbench.profiler.breakdown import Breakdown
from workbench.profiler.ops import TopOp
from workbench.profiler.pipeline import Stage

__all__ = ["Verdict", "diagnose", "format_ms"]

Kind = Literal[
    "input-bound",
    "partly input-bound",
    "compilation-bound",
    "overhead-bound",
    "compute-bound",
    "no steps",
]
INPUT_BOUND = 0.5
PARTLY_INPUT_BOUND = 0.2
COMPILATION_BOUND = 0.3
OVERHEAD_BOUND = 0.4

PREFETCH = "add `.prefetch(tf.data.AUTOTUNE)` at the end of the pipeline"
PARALLEL_MAP = "pass `num_parallel_calls=tf.data.AUTOTUNE` to `map`"
CACHE = "`.cache()` after the expensive steps when the data fits in memory"
NO_STEPS_FIX = (
    "profile steps of a fit with `LiveCurves(profile_steps=(10, 15))`, or mark each step of a "
    "custom loop with `tf.profiler.experimental.Trace('train', step_num=step, _r=1)`"
)


@dataclass
class Verdict:
    """What bounds the steps (``kind``), a one-line ``headline``, the evidence (``details``) and
    what to change (``fixes``, with code in backticks)."""

    kind: Kind
    headline: str
    details: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    input_share: float = 0.0

    def text(self) -> str:
        """The verdict as one paragraph."""
        parts = [self.headline + "."]
        parts += [_sentence(d) for d in self.details]
        if self.fixes:
            parts.append("Try: " + "; ".join(self.fixes) + ".")
        return " ".join(parts)


def format_ms(ms: float) -> str:
    """A duration in ms as people read it: ``176 ms``, ``2.3 ms``, ``41 µs``, ``1.2 s``."""
    shown = float(f"{ms:.3g}")  # 999.7 ms reads as 1 s, not 1e+03 ms
    if shown >= 1000:
        return f"{ms / 1000:.3g} s"
    if shown >= 1:
        return f"{ms:.3g} ms"
    return f"{ms * 1000:.3g} µs"


def diagnose(
    breakdown: Breakdown,
    stage: Stage | None = None,
    ops: list[TopOp] | None = None,
    xla_ms: float = 0.0,
) -> Verdict:
    """The verdict for a capture's breakdown, its slowest ``tf.data`` stage, its top ops and the
    time XLA-compiled code ran (``xla_ms``: the ops XLA fused are in no op statistics)."""
    if not breakdown.steps:
        why = breakdown.note or "no steps were marked"
        return Verdict("no steps", f"no training steps found ({why})", fixes=[NO_STEPS_FIX])
    shares = breakdown.shares()
    mean = breakdown.mean_ms
    steps = [s.total_ms for s in breakdown.steps]
    low, high = format_ms(min(steps)), format_ms(max(steps))
    spread = f" ({low} to {high})" if low != high else ""  # not "(40 ms to 40 ms)"
    evidence = [
        f"{len(steps)} step{'s' if len(steps) != 1 else ''} of {format_ms(mean)} on average{spread}"
    ]
    if breakdown.note:
        evidence.append(breakdown.note)
    waiting = shares["input"]
    if waiting >= PARTLY_INPUT_BOUND:
        kind: Kind = "input-bound" if waiting >= INPUT_BOUND else "partly input-bound"
        headline = (
            f"{kind}: {waiting:.0%} of step time waits for data "
            f"({format_ms(mean * waiting)} of {format_ms(mean)} a step)"
        )
        if stage is not None:
            evidence.append(
                f"the slowest tf.data stage is {stage.name} ({stage.share:.0%} of input time, "
                f"`{stage.iterator}`)"
            )
        return Verdict(kind, headline, evidence, _input_fixes(stage), waiting)
    if shares["compilation"] >= COMPILATION_BOUND:
        return Verdict(
            "compilation-bound",
            f"compilation-bound: {shares['compilation']:.0%} of step time compiles",
            evidence,
            [
                "keep input shapes fixed (`drop_remainder=True` in `batch`, padded batches) so "
                "functions are not traced and compiled again"
            ],
            waiting,
        )
    if shares["other"] >= OVERHEAD_BOUND:
        return Verdict(
            "overhead-bound",
            f"overhead-bound: {shares['other']:.0%} of step time is outside TensorFlow's ops "
            "(Python between steps, callbacks)",
            evidence,
            [
                "run several steps per call: `model.compile(..., steps_per_execution=32)`",
                "a larger batch",
                "fewer per-batch callbacks",
            ],
            waiting,
        )
    device = shares["device compute"] >= shares["host compute"]
    where = "on the device" if device else "on the host (CPU)"
    share = shares["device compute"] if device else shares["host compute"]
    compute_ops = [op for op in ops or [] if op.type != "Dataset"]  # tf.data runs alongside
    fixes = []
    if xla_ms > 0:
        # its busiest TensorFlow op would be the busiest of what XLA left out, a wrong lead
        evidence.append(
            f"the step runs XLA-compiled ({format_ms(xla_ms)} of compiled code in the capture; "
            "the ops XLA fused appear in no op statistics)"
        )
    else:
        if compute_ops:
            op = compute_ops[0]
            evidence.append(f"the busiest op is {op.short} ({op.type}, {op.share:.0%} of op time)")
        fixes.append(
            "compile the step with XLA: `model.compile(..., jit_compile=True)` (or `%%compile xla`)"
        )
    if device:
        fixes.append("mixed precision: `keras.mixed_precision.set_global_policy('mixed_float16')`")
    fixes.append("a larger batch, when memory allows")
    return Verdict(
        "compute-bound",
        f"compute-bound: {share:.0%} of step time runs TensorFlow ops {where}; input waits "
        f"{waiting:.0%}",
        evidence,
        fixes,
        waiting,
    )


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _input_fixes(stage: Stage | None) -> list[str]:
    """The input fixes the pipeline lacks, judged from its iterator names when known."""
    path = stage.pipeline or stage.iterator if stage is not None else ""
    fixes = []
    if not path or ("Map" in path and "ParallelMap" not in path):
        fixes.append(PARALLEL_MAP)
    if "Prefetch" not in path:
        fixes.append(PREFETCH)
    if "Cache" not in path:
        fixes.append(CACHE)
    else:
        fixes.append(
            "the cache fills during the first epoch: profile a later one to see the cached speed"
        )
    return fixes
