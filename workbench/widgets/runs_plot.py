"""The runs comparison chart: plotly's mimetype output, with a static SVG beside it.

JupyterLab and Voila render ``application/vnd.plotly.v1+json`` interactively (hover values, zoom,
a legend that hides a run on click) and save only the figure's data with the notebook; nbconvert,
GitHub and any front end without plotly's renderer show the ``text/html`` SVG of the same curves.
Not ``FigureWidget`` (FINDINGS.md: ~5 MB of saved state, points not saved).

A live view leaves the chart of its run in its output when the run ends
(``CurvesWidget.final_bundle``): :func:`run_chart_figure` draws the live view at its last state
(``snapshot.Chart``: its grid of panels, its ticks, each series' columns faint under its smoothed
line, validation dashed, the first NaN/Inf of each series marked in red at its step).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench._protocol import wire_float
from workbench.curves.downsample import lttb
from workbench.widgets.axes import Axis
from workbench.widgets.snapshot import (
    COLORS,
    GAP,
    GRID_WIDTH,
    PALETTE,
    PANEL_HEIGHT,
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    RAW_OPACITY,
    Chart,
    Line,
    Mark,
    panels_html,
)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
POINTS = 2_000  # per trace: smooth at any width, ~16 KB per trace in the notebook
COLUMNS = 2
ROW_HEIGHT = 300
BAD_COLOR = "#d62728"  # a NaN/Inf mark, as in the SVG and the live view
HEADER = 26  # px above a run chart's panels: its title line, as the live view's header


@dataclass
class Trace:
    run: str
    split: str  # train or validation
    steps: np.ndarray
    values: np.ndarray
    metric: str = "value"  # the series' metric: how its NaN/Inf mark names it


class RunsFigure:
    """Runs' curves overlaid, one panel per metric: ``.figure`` is the plotly ``Figure``."""

    def __init__(self, panels: dict[str, list[Trace]], title: str) -> None:
        self.panels = panels
        self.title = title
        self.figure = _figure(panels, title)

    def plotly_bundle(self) -> dict[str, Any]:
        """The figure as plotly's mimetype output: ``{PLOTLY_MIME: figure JSON}``."""
        return plotly_bundle(self.figure)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.plotly_bundle()
        bundle["text/html"] = self._svg()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        runs = sorted({t.run for traces in self.panels.values() for t in traces})
        return f"<curves of {len(runs)} runs ({', '.join(runs)}): {', '.join(self.panels)}>"

    def _svg(self) -> str:
        colors = _colors(self.panels)
        return panels_html(
            {
                group: [
                    Line(
                        _name(t, colors),
                        t.steps,
                        t.values,
                        colors[t.run, t.split],
                        dashed=t.split != "train",
                    )
                    for t in traces
                ]
                for group, traces in self.panels.items()
            },
            title=self.title,
        )


def _figure(panels: dict[str, list[Trace]], title: str) -> Any:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    groups = list(panels)
    columns = min(COLUMNS, max(1, len(groups)))
    rows = max(1, math.ceil(len(groups) / columns))
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=groups,
        horizontal_spacing=0.08,
        vertical_spacing=0.12 if rows > 1 else 0.0,
    )
    colors = _colors(panels)
    several_runs = len({run for run, _ in colors}) > 1
    shown: set[tuple[str, str]] = set()
    for index, group in enumerate(groups):
        row, col = divmod(index, columns)
        for trace in panels[group]:
            steps, values = _thin(trace.steps, trace.values)
            name = _name(trace, colors)
            figure.add_trace(
                go.Scattergl(
                    # steps as int32 and values as float32 when that loses nothing a chart shows:
                    # half the bytes in the saved notebook
                    x=_compact_steps(steps),
                    y=_compact_values(values),
                    name=name,
                    legendgroup=name,
                    showlegend=(trace.run, trace.split) not in shown,
                    mode="lines",
                    line={
                        "color": colors[trace.run, trace.split],
                        "dash": "solid" if trace.split == "train" else "dash",
                        "width": 1.6,
                    },
                    hovertemplate=f"{name}<br>{group} %{{y:.4g}} at step %{{x}}<extra></extra>",
                ),
                row=row + 1,
                col=col + 1,
            )
            shown.add((trace.run, trace.split))
            mark = _first_bad(trace, several_runs=several_runs)
            if mark is not None:
                _add_mark(figure, *mark, row=row + 1, col=col + 1)
    figure.update_xaxes(title_text="step", showgrid=True, gridcolor="#eee", zeroline=False)
    figure.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False, exponentformat="e")
    figure.update_layout(
        title={"text": title, "font": {"size": 13}},
        height=ROW_HEIGHT * rows + 60,
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.15 if rows == 1 else -0.08},
        font={"family": "sans-serif", "size": 11},
    )
    return figure


def _colors(panels: dict[str, list[Trace]]) -> dict[tuple[str, str], str]:
    """(run, split) -> color: one color per run, its validation line dashed; one run alone in
    the live view's colors, a color per split."""
    keys = list(dict.fromkeys((t.run, t.split) for traces in panels.values() for t in traces))
    runs = list(dict.fromkeys(run for run, _ in keys))
    if len(runs) == 1:
        return {(run, split): COLORS.get(split, PALETTE[0]) for run, split in keys}
    return {(run, split): PALETTE[runs.index(run) % len(PALETTE)] for run, split in keys}


def _name(trace: Trace, colors: dict[tuple[str, str], str]) -> str:
    """The legend's name of a trace: the run (and its split) among runs, the split alone."""
    if len({run for run, _ in colors}) == 1:
        return trace.split
    return trace.run if trace.split == "train" else f"{trace.run} (validation)"


def _first_bad(trace: Trace, *, several_runs: bool) -> tuple[float, str] | None:
    """The step of the trace's first NaN/Inf and its hover text (``loss=NaN at step 5``)."""
    bad = ~np.isfinite(np.asarray(trace.values, dtype=np.float64))
    if not bad.any():
        return None
    first = int(np.argmax(bad))
    step = trace.steps[first]
    value = wire_float(float(trace.values[first]))
    metric = trace.metric if trace.split == "train" else f"val_{trace.metric}"
    text = f"{metric}={value} at step {int(step) if float(step).is_integer() else step}"
    return float(step), f"{trace.run}: {text}" if several_runs else text


def _add_mark(figure: Any, step: float, text: str, *, row: int, col: int) -> None:
    """A red dotted line at ``step`` with a red triangle at the panel's top; hover: ``text``."""
    figure.add_vline(x=step, line={"color": BAD_COLOR, "width": 1, "dash": "dot"}, row=row, col=col)
    figure.add_annotation(
        x=step,
        y=1,
        yref="y domain",
        text="▼",
        showarrow=False,
        yanchor="bottom",
        font={"color": BAD_COLOR, "size": 12},
        hovertext=text,
        row=row,
        col=col,
    )


def _compact_values(values: np.ndarray) -> np.ndarray:
    """Values with NaN for every non-finite one (a gap in the line), as float32 when each
    finite value fits."""
    finite = np.isfinite(values)
    gapped = np.where(finite, values, np.nan)
    if not finite.any() or np.abs(values[finite]).max() < np.finfo(np.float32).max:
        return gapped.astype(np.float32)
    return gapped


def _compact_steps(steps: np.ndarray) -> np.ndarray:
    """Steps as int32 when they are whole and fit, else as they are."""
    if len(steps) and np.all(np.isfinite(steps)) and np.all(np.abs(steps) < 2**31):
        whole = steps.astype(np.int32)
        if np.array_equal(whole, steps):
            return whole
    return steps


def _thin(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    steps = np.asarray(steps, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if len(steps) > POINTS:
        keep = lttb(steps, values, POINTS)
        steps, values = steps[keep], values[keep]
    return steps, values


def traces_of(name: str, run: Any, metrics: Sequence[str] | None) -> dict[str, list[Trace]]:
    """A run's series as traces, by metric group (only ``metrics`` if given)."""
    found: dict[str, list[Trace]] = {}
    for group, keys in run.groups().items():
        if metrics is not None and group not in metrics:
            continue
        for split, metric in keys:
            series = run.series[(split, metric)]
            found.setdefault(group, []).append(
                Trace(name, split, series.steps, series.values, metric=metric)
            )
    return found


def plotly_bundle(figure: Any) -> dict[str, Any]:
    """A figure as plotly's mimetype output: ``{PLOTLY_MIME: figure JSON}``."""
    import plotly.io as pio

    bundle: dict[str, Any] = pio.renderers["plotly_mimetype"].to_mimebundle(figure.to_dict())
    return bundle


# --- a run's chart, as its live view showed it -------------------------------------------------


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
                    x=_compact_steps(series.raw_x),
                    y=_compact_values(series.raw_y),
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
                    x=_compact_steps(series.smooth_x),
                    y=_compact_values(series.smooth_y),
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
