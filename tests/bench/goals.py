"""Each benchmark judges its own goals: a goal is a figure measured side by side in one run (a
ratio, never absolute seconds), the bound it must keep, and whether it did. ``make bench`` ends
with one table of every goal (``tests/bench/__main__.py``)."""

from __future__ import annotations

from typing import Any, TypedDict


class Goal(TypedDict):
    figure: str  # what was measured, e.g. "LiveCurves fit / plain fit (tiny steps)"
    value: float
    goal: str  # the bound, as people read it: "<= 1.05"
    met: bool


def at_most(figure: str, value: float, bound: float) -> Goal:
    return Goal(figure=figure, value=round(value, 4), goal=f"<= {bound:g}", met=value <= bound)


def at_least(figure: str, value: float, bound: float) -> Goal:
    return Goal(figure=figure, value=round(value, 4), goal=f">= {bound:g}", met=value >= bound)


def goals_of(result: dict[str, Any]) -> list[Goal]:
    """A benchmark's goals: its ``goals`` list, or its single ``goal``/``goal_met`` pair."""
    if "goals" in result:
        return list(result["goals"])
    if "goal" in result and "goal_met" in result:
        value = result.get("ratio", result.get("value", float("nan")))
        met = bool(result["goal_met"])
        return [Goal(figure=str(result["goal"]), value=value, goal="", met=met)]
    return []


def table(rows: list[tuple[str, Goal]]) -> str:
    """``benchmark  figure  value  goal  met`` as aligned text."""
    cells = [("benchmark", "figure", "value", "goal", "met")] + [
        (bench, g["figure"], f"{g['value']:.4g}", g["goal"], "yes" if g["met"] else "NO")
        for bench, g in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(5)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
