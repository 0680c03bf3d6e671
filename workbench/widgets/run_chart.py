"""A run's chart as its live view draws it, from the view's columns: the panels (a metric each,
training before validation), their axes (``axes.py``, the live view's arithmetic), each series'
columns as a faint zigzag and its smoothed line, and each series' first NaN/Inf; and that chart as
plotly's figure (:func:`run_chart_figure`; ``snapshot.chart_html`` draws it as SVG).

It is what a live view leaves in its output when its run ends (``CurvesWidget.final_bundle``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from workbench._protocol import wire_float
from workbench.curves.store import Run
from workbench.widgets.axes import Axis, linear_axis, log_axis
from workbench.widgets.columns import Columns, smooth, zigzag
from workbench.widgets.runs_plot import BAD_COLOR, compact_steps, compact_values
from workbench.widgets.snapshot import (
    GAP,
    GRID_WIDTH,
    PANEL_HEIGHT,
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    RAW_OPACITY,
    Chart,
    Mark,
    PanelDrawing,
    SeriesDrawing,
    series_color,
)

__all__ = ["FirstBad", "chart", "first_bad", "label", "marks", "run_chart_figure"]

HEADER = 26  # px above a run chart's panels: its title line, as the live view's header

FirstBad = tuple[str, str, str, float, str]  # group, split, metric, step, value (wire form)
_Key = tuple[str, str]


def label(split: str, metric: str) -> str:
    """What the user calls a series: ``loss``, ``val_loss``."""
    return metric if split == "train" else f"val_{metric}"


def first_bad(run: Run) -> list[FirstBad]:
    """Each series' first NaN/Inf: (group, split, metric, step, value in its wire form)."""
    found = []
    for group, keys in run.groups().items():
        for split, metric in keys:
            series = run.series[(split, metric)]
            bad = ~np.isfinite(series.values)
            if bad.any():
                first = int(np.argmax(bad))
                value = str(wire_float(float(series.values[first])))
                found.append((group, split, metric, float(series.steps[first]), value))
    return found


def marks(run: Run) -> dict[str, list[Mark]]:
    """Each panel's marks: a series' first NaN/Inf, said as ``loss=NaN at step 5``."""
    found: dict[str, list[Mark]] = {}
    for group, split, metric, step, value in first_bad(run):
        found.setdefault(group, []).append(
            Mark(step, f"{label(split, metric)}={value} at step {step:g}")
        )
    return found


def chart(
    run: Run, columns: Mapping[_Key, Columns], *, smoothing: float, log: bool = False
) -> Chart:
    """The live view's panels for ``run`` from its series' ``columns``, at ``smoothing``, with
    log y axes if ``log`` (positive values only, as the view keeps them)."""
    keep: Callable[[np.ndarray], np.ndarray] = (
        (lambda v: np.isfinite(v) & (v > 0)) if log else np.isfinite
    )
    bad_steps: dict[str, list[float]] = {}
    for group, _split, _metric, step, _value in first_bad(run):
        bad_steps.setdefault(group, []).append(step)
    panels = []
    for group, keys in run.groups().items():
        drawings: list[SeriesDrawing] = []
        starts: list[int] = []
        ends: list[int] = []
        for index, (split, metric) in enumerate(keys):
            found = columns.get((split, metric))
            empty = np.zeros(0)
            raw_x, raw_y = zigzag(found, keep) if found else (empty, empty)
            smooth_x, smooth_y = smooth(found, smoothing) if found else (empty, empty)
            shown = keep(smooth_y)
            drawings.append(
                SeriesDrawing(
                    split,
                    label(split, metric),
                    series_color(split, index),
                    raw_x,
                    raw_y,
                    smooth_x[shown],
                    smooth_y[shown],
                )
            )
            if found is not None and found.first_step is not None and len(raw_y):
                starts.append(found.first_step)
                ends.append(found.first_step if found.last_step is None else found.last_step)
        values = np.concatenate([d.raw_y for d in drawings])
        if not len(values):
            panels.append(PanelDrawing(group, drawings, None, None))
            continue
        marked = bad_steps.get(group, [])  # a NaN after the last finite step is in view
        x = linear_axis(
            min([*starts, *marked]), max([*ends, *marked]), count=5, integer=True, extend=True
        )
        low, high = float(values.min()), float(values.max())
        y = log_axis(low, high) if log else linear_axis(low, high, count=4)
        panels.append(PanelDrawing(group, drawings, x, y))
    return Chart(panels, note=f"smoothing {smoothing:.2f}" + (" · log scale" if log else ""))


def run_chart_figure(
    chart: Chart, *, title: str, marks: dict[str, list[Mark]] | None = None
) -> Any:
    """The live view at its last state as a plotly figure: the same grid of panels (laid out
    for ``GRID_WIDTH`` px and scaled with the output), axes with the same ticks and labels,
    each series' columns faint and its smoothed line solid (validation dashed), a legend of
    splits beside each panel's name, and each series' first NaN/Inf marked.

    SVG traces, not WebGL: a few thousand points at most, and a faint zigzag drawn by WebGL
    darkens where its segments overlap (hatching), where an SVG path is faint all over, as the
    live view's canvas path is."""
    import plotly.graph_objects as go

    marks = marks or {}
    per_row = chart.per_row
    rows = max(1, math.ceil(len(chart.panels) / per_row))
    width = (GRID_WIDTH - GAP * (per_row - 1)) / per_row
    height = HEADER + rows * PANEL_HEIGHT + (rows - 1) * GAP
    figure = go.Figure()
    layout: dict[str, Any] = {}
    annotations: list[dict[str, Any]] = [
        {
            "text": _title_text(title)
            + (f"  <span style='color:#888'>· {chart.note}</span>" if chart.note else ""),
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 1,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 12, "color": "#222"},
        }
    ]
    shapes: list[dict[str, Any]] = []
    for index, panel in enumerate(chart.panels):
        row, col = divmod(index, per_row)
        suffix = "" if index == 0 else str(index + 1)
        left = col * (width + GAP)
        top = HEADER + row * (PANEL_HEIGHT + GAP)
        x_domain = [(left + PLOT_LEFT) / GRID_WIDTH, (left + width - PLOT_RIGHT) / GRID_WIDTH]
        y_domain = [1 - (top + PANEL_HEIGHT - PLOT_BOTTOM) / height, 1 - (top + PLOT_TOP) / height]
        layout[f"xaxis{suffix}"] = _axis(panel.x, x_domain, f"y{suffix}")
        layout[f"yaxis{suffix}"] = _axis(panel.y, y_domain, f"x{suffix}")
        legend = "  ".join(f"<span style='color:{s.color}'>{s.split}</span>" for s in panel.series)
        annotations.append(
            {
                "text": f"{panel.group}   {legend}",
                "xref": "paper",
                "yref": "paper",
                "x": x_domain[0],
                "y": y_domain[1],
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 11, "color": "#555"},
            }
        )
        for series in panel.series:
            axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
            figure.add_trace(
                go.Scatter(
                    x=compact_steps(series.raw_x),
                    y=compact_values(series.raw_y),
                    mode="lines",
                    opacity=RAW_OPACITY,
                    line={"color": series.color, "width": 1},
                    hoverinfo="skip",
                    name=f"{series.split} (columns)",
                    **axes,
                )
            )
            figure.add_trace(
                go.Scatter(
                    x=compact_steps(series.smooth_x),
                    y=compact_values(series.smooth_y),
                    mode="lines",
                    line={
                        "color": series.color,
                        "width": 1.5,
                        "dash": "dash" if series.dashed else "solid",
                    },
                    name=series.split,
                    hovertemplate=f"{series.label} %{{y:.4g}} at step %{{x}}<extra></extra>",
                    **axes,
                )
            )
        if panel.x is not None:
            for mark in marks.get(panel.group, []):
                step = min(max(mark.step, panel.x.lo), panel.x.hi)
                shapes.append(
                    {
                        "type": "line",
                        "xref": f"x{suffix}",
                        "yref": f"y{suffix} domain",
                        "x0": step,
                        "x1": step,
                        "y0": 0,
                        "y1": 1,
                        "line": {"color": BAD_COLOR, "width": 1, "dash": "dot"},
                    }
                )
                annotations.append(
                    {
                        "text": "▼",
                        "xref": f"x{suffix}",
                        "yref": f"y{suffix} domain",
                        "x": step,
                        "y": 1,
                        "yanchor": "top",
                        "showarrow": False,
                        "font": {"color": BAD_COLOR, "size": 12},
                        "hovertext": mark.label,
                    }
                )
    figure.update_layout(
        **layout,
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
        hovermode="closest",
        font={"family": "sans-serif", "size": 11, "color": "#666"},
        annotations=annotations,
        shapes=shapes,
    )
    return figure


def _title_text(title: str) -> str:
    name, _, rest = title.partition(" · ")
    return f"<b>{name}</b>" + (f" · {rest}" if rest else "")


def _axis(axis: Axis | None, domain: list[float], anchor: str) -> dict[str, Any]:
    """A panel's axis with the live view's ticks, its range and frame."""
    common: dict[str, Any] = {
        "domain": domain,
        "anchor": anchor,
        "showline": True,
        "mirror": True,
        "linecolor": "#ccc",
        "linewidth": 1,
        "showgrid": True,
        "gridcolor": "#eee",
        "zeroline": False,
        "ticks": "",
        "tickfont": {"size": 11, "color": "#666"},
    }
    if axis is None:
        return {**common, "visible": False}
    log = axis.log
    return {
        **common,
        "type": "log" if log else "linear",
        "range": [math.log10(axis.lo), math.log10(axis.hi)] if log else [axis.lo, axis.hi],
        "tickmode": "array",
        "tickvals": axis.ticks,
        "ticktext": axis.labels,
    }
