"""Two captures side by side: step time, where it went, and the ops that changed, in words
("step time 176 ms -> 2.1 ms (84x faster), input wait 99% -> 3%")."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.profiler.breakdown import CATEGORIES
from workbench.profiler.capture import CaptureData
from workbench.profiler.diagnosis import format_ms

__all__ = ["Comparison", "OpChange", "compare"]

SHARE_CHANGE = 0.05  # a category's share must move this much to be said


@dataclass
class OpChange:
    """An op's self time per step before and after (µs; 0 where it did not run)."""

    name: str
    type: str
    before_us: float
    after_us: float


@dataclass
class Comparison:
    """``before`` and ``after``: names, mean step time (ms), category shares, verdicts."""

    before: str
    after: str
    before_ms: float
    after_ms: float
    before_shares: dict[str, float]
    after_shares: dict[str, float]
    before_verdict: str
    after_verdict: str
    ops: list[OpChange] = field(default_factory=list)

    @property
    def speedup(self) -> float:
        return self.before_ms / self.after_ms if self.after_ms > 0 else float("inf")

    def changes(self) -> list[str]:
        """What changed, in words, the step time first."""
        said = [f"step time {format_ms(self.before_ms)} -> {format_ms(self.after_ms)}"]
        if self.before_ms > 0 and self.after_ms > 0:
            ratio = self.speedup
            if ratio >= 1.05:
                said[0] += f" ({ratio:.3g}x faster)"
            elif ratio <= 1 / 1.05:
                said[0] += f" ({1 / ratio:.3g}x slower)"
            else:
                said[0] += " (about the same)"
        for category in CATEGORIES:
            a, b = self.before_shares.get(category, 0.0), self.after_shares.get(category, 0.0)
            if abs(a - b) >= SHARE_CHANGE:
                label = "input wait" if category == "input" else category
                said.append(f"{label} {a:.0%} -> {b:.0%}")
        return said

    def text(self) -> str:
        return f"{self.before} -> {self.after}: " + ", ".join(self.changes())


def compare(before: CaptureData, after: CaptureData, top: int = 10) -> Comparison:
    """The comparison of two loaded captures (their ops matched by operation name)."""
    a, b = before.breakdown, after.breakdown
    steps_a, steps_b = max(len(a.steps), 1), max(len(b.steps), 1)
    per_step: dict[str, list[float]] = {}
    types: dict[str, str] = {}
    for ops, steps, side in ((before.ops, steps_a, 0), (after.ops, steps_b, 1)):
        for op in ops:
            per_step.setdefault(op.short, [0.0, 0.0])[side] += op.self_us / steps
            types[op.short] = op.type
    changes = [OpChange(name, types[name], v[0], v[1]) for name, v in per_step.items()]
    changes.sort(key=lambda c: max(c.before_us, c.after_us), reverse=True)
    return Comparison(
        before=before.name,
        after=after.name,
        before_ms=a.mean_ms,
        after_ms=b.mean_ms,
        before_shares=a.shares(),
        after_shares=b.shares(),
        before_verdict=before.verdict.headline,
        after_verdict=after.verdict.headline,
        ops=changes[:top],
    )
