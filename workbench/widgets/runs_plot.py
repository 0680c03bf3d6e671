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
from workbench.widgets.snapshot import (
    COLORS,
    PALETTE,
    Line,
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
                    x=compact_steps(steps),
                    y=compact_values(values),
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


def compact_values(values: np.ndarray) -> np.ndarray:
    """Values with NaN for every non-finite one (a gap in the line), as float32 when each
    finite value fits."""
    finite = np.isfinite(values)
    gapped = np.where(finite, values, np.nan)
    if not finite.any() or np.abs(values[finite]).max() < np.finfo(np.float32).max:
        return gapped.astype(np.float32)
    return gapped


def compact_steps(steps: np.ndarray) -> np.ndarray:
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
    """A figure as plotly's mimetype output: ``{PLOTLY_MIME: figure JSON}``.

    What ``plotly.io.renderers["plotly_mimetype"].to_mimebundle`` returns (its config is empty),
    without importing plotly's renderers: they import nbformat, whose jsonschema compiles dozens
    of grammars at import (2.5-6 s on a 2-core machine: most of a dashboard's first paint).
    """
    import json

    import plotly.io as pio

    figure_json = pio.to_json(figure.to_dict(), validate=False, remove_uids=False)
    return {"application/vnd.plotly.v1+json": json.loads(figure_json)}
