"""Static pictures of curves, as light inline SVG: the ``text/html`` of a run's final chart and of
``workbench.runs(...).plot()``, for front ends without plotly's renderer (nbconvert, GitHub).

A run's final chart is drawn from a :class:`Chart`: what the live view showed at its last state
(panels in its grid, its ticks, each series' columns faint and its smoothed line solid, NaN/Inf
marks), which :func:`chart_html` draws as SVG and ``runs_plot.run_chart_figure`` as plotly's
figure. The geometry constants are the live view's (``extensions/widgets/livecurves/draw.ts``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.curves.downsample import lttb
from workbench.widgets.axes import Axis

POINTS = 400  # per line: a few KB of SVG per line, enough for a 360 px wide panel
WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 46, 8, 20, 20
COLORS = {"train": "#1f77b4", "validation": "#ff7f0e"}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
# a series with another split, by its index in the panel (the live view's palette)
OTHER_COLORS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
BAD_COLOR = "#d62728"

# the live view's panels (draw.ts): a grid of PANELS_PER_ROW, each PANEL_HEIGHT px high with its
# plot area inset by PLOT_* px; GRID_WIDTH is the width a saved chart is laid out for
PANEL_HEIGHT = 200
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 48, 16, 18, 22
GAP = 8
GRID_WIDTH = 1000
PANELS_PER_ROW = 2
RAW_OPACITY = 0.3  # the columns' zigzag under the smoothed line, as TensorBoard draws raw data


def series_color(split: str, index: int) -> str:
    return COLORS.get(split) or OTHER_COLORS[index % len(OTHER_COLORS)]


def panels_per_row(panels: int) -> int:
    return max(1, min(PANELS_PER_ROW, panels))


@dataclass
class SeriesDrawing:
    """One series of a panel: its columns as a zigzag (faint) and its smoothed line (solid)."""

    split: str
    label: str  # what the user calls it: "loss", "val_loss"
    color: str
    raw_x: np.ndarray
    raw_y: np.ndarray
    smooth_x: np.ndarray
    smooth_y: np.ndarray

    @property
    def dashed(self) -> bool:
        return self.split != "train"


@dataclass
class PanelDrawing:
    group: str
    series: list[SeriesDrawing]
    x: Axis | None  # None: nothing finite to draw
    y: Axis | None


@dataclass
class Chart:
    panels: list[PanelDrawing]
    note: str = ""  # the view's settings, e.g. "smoothing 0.6"

    @property
    def per_row(self) -> int:
        return panels_per_row(len(self.panels))


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


# --- a run's chart ------------------------------------------------------------------------------


def chart_html(chart: Chart, *, title: str = "", marks: dict[str, list[Mark]] | None = None) -> str:
    """The chart as SVG panels in the live view's grid, in a self-contained ``<div>``."""
    marks = marks or {}
    width = (GRID_WIDTH - GAP * (chart.per_row - 1)) / chart.per_row
    svgs = "".join(_chart_panel(panel, width, marks.get(panel.group, [])) for panel in chart.panels)
    note = f" <span style='color:#888'>· {html.escape(chart.note)}</span>" if chart.note else ""
    heading = f"<div style='margin:2px 0 4px'>{_title_html(title)}{note}</div>"
    return (
        "<div class='workbench-curves-snapshot' style='font-family:sans-serif;font-size:12px;"
        f"background:#fff;color:#222;padding:4px 6px;max-width:{GRID_WIDTH}px'>{heading}"
        f"<div style='display:grid;grid-template-columns:repeat({chart.per_row},minmax(0,1fr));"
        f"gap:{GAP}px'>{svgs}</div></div>"
    )


def _title_html(title: str) -> str:
    name, _, rest = title.partition(" · ")
    return f"<b>{html.escape(name)}</b>" + (html.escape(f" · {rest}") if rest else "")


def _chart_panel(panel: PanelDrawing, width: float, marks: Sequence[Mark]) -> str:
    w, h = round(width), PANEL_HEIGHT
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' width='100%' "
        f"style='font-size:11px;font-family:sans-serif'><title>{html.escape(panel.group)}</title>",
        f"<text x='{PLOT_LEFT}' y='12' fill='#555'>{html.escape(panel.group)}</text>",
    ]
    legend = PLOT_LEFT + 7 * len(panel.group) + 14
    for series in panel.series:
        parts.append(
            f"<text x='{legend}' y='12' fill='{series.color}'>{html.escape(series.split)}</text>"
        )
        legend += 7 * len(series.split) + 12
    x, y = panel.x, panel.y
    if x is None or y is None:
        parts.append(f"<text x='{PLOT_LEFT}' y='{h // 2}' fill='#888'>no finite values</text>")
        return "".join(parts) + "</svg>"
    left, right, top, bottom = PLOT_LEFT, w - PLOT_RIGHT, PLOT_TOP, h - PLOT_BOTTOM

    def px(values: np.ndarray) -> np.ndarray:
        return left + (values - x.lo) / (x.hi - x.lo) * (right - left)

    scale = np.log10 if y.log else np.asarray
    y_lo, y_hi = float(scale(y.lo)), float(scale(y.hi))

    def py(values: np.ndarray) -> np.ndarray:
        return bottom + (scale(values) - y_lo) / (y_hi - y_lo) * (top - bottom)

    for tick, label in zip(px(np.array(x.ticks)), x.labels, strict=True):
        parts.append(
            f"<line x1='{tick:.1f}' x2='{tick:.1f}' y1='{top}' y2='{bottom}' stroke='#eee'/>"
            f"<text x='{tick:.1f}' y='{h - 6}' fill='#666' text-anchor='middle'>{label}</text>"
        )
    for tick, label in zip(py(np.array(y.ticks)), y.labels, strict=True):
        parts.append(
            f"<line x1='{left}' x2='{right}' y1='{tick:.1f}' y2='{tick:.1f}' stroke='#eee'/>"
            f"<text x='{left - 4}' y='{tick + 4:.1f}' fill='#666' text-anchor='end'>{label}</text>"
        )
    parts.append(
        f"<rect x='{left}' y='{top}' width='{right - left}' height='{bottom - top}' "
        "fill='none' stroke='#ccc'/>"
    )
    for series in panel.series:
        for xs, ys, style in (
            (series.raw_x, series.raw_y, f"stroke-width='1' stroke-opacity='{RAW_OPACITY}'"),
            (
                series.smooth_x,
                series.smooth_y,
                "stroke-width='1.5'" + (" stroke-dasharray='5 3'" if series.dashed else ""),
            ),
        ):
            points = _svg_points(*_per_half_pixel(px(xs), py(ys)))
            if points:
                parts.append(
                    f"<polyline fill='none' stroke='{series.color}' {style} points='{points}'/>"
                )
    for mark in marks:
        at = float(px(np.array([min(max(mark.step, x.lo), x.hi)]))[0])
        parts.append(
            f"<line x1='{at:.1f}' x2='{at:.1f}' y1='{top}' y2='{bottom}' stroke='{BAD_COLOR}' "
            f"stroke-dasharray='2 2'/><text x='{at - 4:.1f}' y='{top + 10}' fill='{BAD_COLOR}'>"
            f"<title>{html.escape(mark.label)}</title>▼</text>"
        )
    return "".join(parts) + "</svg>"


def _per_half_pixel(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A polyline (x not decreasing) thinned to the first, lowest, highest and last point of each
    half-pixel column: drawn, it looks the same, in a few KB at any length."""
    if len(xs) < 2:
        return xs, ys
    column = np.floor(xs * 2)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    ends = np.r_[starts[1:], len(xs)]
    group = np.repeat(np.arange(len(starts)), ends - starts)
    lowest = np.minimum.reduceat(ys, starts)[group]
    highest = np.maximum.reduceat(ys, starts)[group]
    picked = np.zeros(len(xs), np.bool_)
    picked[starts] = picked[ends - 1] = True
    for hits in (ys == lowest, ys == highest):
        where = np.flatnonzero(hits)
        picked[where[np.r_[True, group[where][1:] != group[where][:-1]]]] = True
    return xs[picked], ys[picked]


def _svg_points(xs: np.ndarray, ys: np.ndarray) -> str:
    """A polyline's points at a tenth of a pixel, dropping points that repeat the previous one."""
    if not len(xs):
        return ""
    xy = np.round(np.column_stack([xs, ys]), 1)
    keep = np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]
    return " ".join(f"{a:g},{b:g}" for a, b in xy[keep])
