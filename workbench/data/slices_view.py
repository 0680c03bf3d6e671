"""Sliced metrics as text and as HTML: a sortable table with each metric's interval, the slices
significantly worse than overall in red, and a forest plot per metric (each slice's value and
interval on one axis, the overall value as a line)."""

from __future__ import annotations

import html
import math
from typing import Any, TypeAlias

from workbench.data.html import BAD, BAR, MUTED, box, cell, new_id, sortable
from workbench.data.text import num

# workbench.data.slices's types, loosely: that module imports this one to draw
# itself, and tests/unit/test_layers.py forbids import cycles
Slice: TypeAlias = Any
SliceMetrics: TypeAlias = Any

PLOT = 160  # px: the forest plot's width


def slices_text(r: SliceMetrics) -> str:
    level = (
        f"{r.confidence:.0%} intervals from {r.bootstrap} resamples"
        if r.bootstrap
        else "no intervals"
    )
    worse = f"{len(r.flagged)} slice{'s' if len(r.flagged) != 1 else ''} worse than overall"
    lines = [f"<metrics of {len(r.slices) - 1} slices ({level}): {worse}>"]
    width = max(len(s.name) for s in r.slices)
    for s in r.slices:
        parts = []
        for m in r.metrics:
            interval = s.intervals.get(m)
            shown = f"{m} {num(s.metrics[m])}"
            if interval:
                shown += f" [{num(interval[0])}, {num(interval[1])}]"
            parts.append(shown)
        mark = "!" if s.worse else " "
        worse_on = f"  worse: {', '.join(s.worse)}" if s.worse else ""
        lines.append(
            f"{mark} {s.name.ljust(width)}  {s.examples:>8,}  " + " · ".join(parts) + worse_on
        )
    return "\n".join(lines)


def _forest(s: Slice, metric: str, low: float, high: float, overall: float) -> str:
    def x(v: float) -> float:
        return 4 + (v - low) / (high - low) * (PLOT - 8) if high > low else PLOT / 2

    color = BAD if metric in s.worse else BAR
    parts = [_mark(x(overall), 0, 1, 16, "#999999")]
    interval = s.intervals.get(metric)
    if interval and all(math.isfinite(v) for v in interval):
        a, b = x(interval[0]), x(interval[1])
        parts.append(_mark(a, 7, max(b - a, 1), 2, color))
    value = s.metrics[metric]
    if math.isfinite(value):
        parts.append(_mark(x(value) - 3, 5, 6, 6, color))
    tip = (
        f"{metric} {num(value)}"
        + (f" [{num(interval[0])}, {num(interval[1])}]" if interval else "")
        + f"; overall {num(overall)}"
    )
    return (
        f"<span title='{html.escape(tip)}' style='position:relative;display:inline-block;"
        f"width:{PLOT}px;height:16px;vertical-align:middle'>{''.join(parts)}</span>"
    )


def _mark(left: float, top: float, width: float, height: float, color: str) -> str:
    return (
        f"<span style='position:absolute;left:{left:.1f}px;top:{top}px;width:{width:.1f}px;"
        f"height:{height}px;background-color:{color}'></span>"
    )


def slices_html(r: SliceMetrics) -> str:
    ranges = {}
    for m in r.metrics:
        seen = [
            v for s in r.slices for v in (s.metrics[m], *s.intervals.get(m, ())) if math.isfinite(v)
        ]
        ranges[m] = (min(seen, default=0.0), max(seen, default=1.0))
    rows = []
    for s in r.slices:
        row = [
            cell(
                f"<b>{html.escape(s.name)}</b>",
                s.name if s.name != "overall" else "",
                "text-align:left",
                raw=True,
            ),
            cell(f"{s.examples:,}", s.examples),
        ]
        for m in r.metrics:
            interval = s.intervals.get(m)
            text = num(s.metrics[m]) + (
                f" [{num(interval[0])}, {num(interval[1])}]" if interval else ""
            )
            style = f"color:{BAD};font-weight:bold" if m in s.worse else ""
            row.append(cell(text, s.metrics[m], style))
            row.append(cell(_forest(s, m, *ranges[m], r.overall.metrics[m]), "", raw=True))
        rows.append(row)
    heads = ["slice", "examples"]
    for m in r.metrics:
        heads += [m, f"{m} (plot)"]
    level = (
        f"{r.confidence:.0%} bootstrap intervals ({r.bootstrap} resamples)"
        if r.bootstrap
        else "no intervals (bootstrap=0)"
    )
    note = (
        f"<div style='{MUTED}'>{html.escape(level)} · red: significantly worse than overall "
        "(the whole interval on the worse side of the overall value, the grey line)</div>"
    )
    title = f"Metrics of {len(r.slices) - 1} slices: {len(r.flagged)} worse than overall"
    return box(new_id("slices"), title, note + sortable(heads, rows), "workbench-data-slices")
