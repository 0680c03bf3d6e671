"""Static pictures of curves, as light inline SVG: the ``text/html`` of a run's final chart and of
``workbench.runs(...).plot()``, for front ends without plotly's renderer (nbconvert, GitHub)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.curves.downsample import lttb

POINTS = 400  # per line: a few KB of SVG per line, enough for a 360 px wide panel
WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 46, 8, 20, 20
COLORS = {"train": "#1f77b4", "validation": "#ff7f0e"}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


@dataclass
class Line:
    label: str
    steps: np.ndarray
    values: np.ndarray
    color: str | None = None
    dashed: bool = False  # a run's validation line beside its training line, in one color


@dataclass
class Mark:
    """A NaN/Inf value: drawn as a red mark at its step, at the top of the panel."""

    step: float
    label: str


def panels_html(
    panels: dict[str, list[Line]],
    *,
    title: str = "",
    marks: dict[str, list[Mark]] | None = None,
) -> str:
    """One SVG per panel, in a self-contained ``<div>`` (no scripts, no external files)."""
    marks = marks or {}
    svgs = "".join(_panel(name, lines, marks.get(name, [])) for name, lines in panels.items())
    heading = f"<div style='font-weight:600;margin-bottom:2px'>{html.escape(title)}</div>"
    return (
        f"<div class='workbench-curves-snapshot' style='font-family:sans-serif;"
        f"font-size:11px'>{heading if title else ''}"
        f"<div style='display:flex;flex-wrap:wrap;gap:8px'>{svgs}</div></div>"
    )


def _panel(name: str, lines: Sequence[Line], marks: Sequence[Mark]) -> str:
    drawn = [_thin(line) for line in lines]
    finite = [
        (s[np.isfinite(v)], v[np.isfinite(v)]) for s, v in ((d.steps, d.values) for d in drawn)
    ]
    xs = np.concatenate([s for s, _ in finite]) if finite else np.array([])
    ys = np.concatenate([v for _, v in finite]) if finite else np.array([])
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
        f"viewBox='0 0 {WIDTH} {HEIGHT}'><title>{html.escape(name)}</title>",
        f"<text x='{LEFT}' y='12' fill='#444'>{html.escape(name)}</text>",
    ]
    if len(xs) == 0:
        parts.append(f"<text x='{LEFT}' y='{HEIGHT // 2}' fill='#888'>no finite values</text>")
        return "".join(parts) + "</svg>"
    x0, x1 = float(xs.min()), float(xs.max())
    y0, y1 = float(ys.min()), float(ys.max())
    x1 = x1 if x1 > x0 else x0 + 1
    if y1 <= y0:
        y0, y1 = y0 - 1, y1 + 1
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: np.ndarray) -> np.ndarray:
        return LEFT + (x - x0) / (x1 - x0) * w

    def py(y: np.ndarray) -> np.ndarray:
        return TOP + h - (y - y0) / (y1 - y0) * h

    parts.append(f"<rect x='{LEFT}' y='{TOP}' width='{w}' height='{h}' fill='none' stroke='#ccc'/>")
    for value, y in ((y1, TOP + 4), (y0, TOP + h)):
        parts.append(f"<text x='2' y='{y:.0f}' fill='#666'>{_fmt(value)}</text>")
    parts.append(f"<text x='{LEFT}' y='{HEIGHT - 4}' fill='#666'>{_fmt(x0)}</text>")
    parts.append(
        f"<text x='{LEFT + w}' y='{HEIGHT - 4}' fill='#666' text-anchor='end'>{_fmt(x1)}</text>"
    )
    legend_x = LEFT + 70
    for index, (line, (s, v)) in enumerate(zip(drawn, finite, strict=True)):
        color = line.color or PALETTE[index % len(PALETTE)]
        if len(s):
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px(s), py(v), strict=True))
            dash = " stroke-dasharray='5 3'" if line.dashed else ""
            parts.append(
                f"<polyline fill='none' stroke='{color}' stroke-width='1.4'{dash} "
                f"points='{points}'/>"
            )
        parts.append(f"<text x='{legend_x}' y='12' fill='{color}'>{html.escape(line.label)}</text>")
        legend_x += 7 * len(line.label) + 12
    for mark in marks:
        x = float(px(np.array([min(max(mark.step, x0), x1)]))[0])
        parts.append(
            f"<text x='{x - 4:.1f}' y='{TOP + 10}' fill='#d62728'><title>"
            f"{html.escape(mark.label)}</title>▼</text>"
        )
    return "".join(parts) + "</svg>"


def _thin(line: Line) -> Line:
    steps = np.asarray(line.steps, dtype=np.float64)
    values = np.asarray(line.values, dtype=np.float64)
    if len(steps) > POINTS:
        keep = lttb(steps, values, POINTS)
        steps, values = steps[keep], values[keep]
    return Line(line.label, steps, values, line.color, line.dashed)


def _fmt(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.1e}"
    return f"{value:.4g}"
