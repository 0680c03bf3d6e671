"""The runs comparison chart: plotly's mimetype output, with a static SVG beside it.

JupyterLab and Voila render ``application/vnd.plotly.v1+json`` interactively (hover values, zoom,
a legend that hides a run on click) and save only the figure's data with the notebook; nbconvert,
GitHub and any front end without plotly's renderer show the ``text/html`` SVG of the same curves.
Not ``FigureWidget`` (FINDINGS.md: ~5 MB of saved state, points not saved).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.curves.downsample import lttb
from workbench.widgets.snapshot import PALETTE, Line, panels_html

POINTS = 2_000  # per trace: smooth at any width, a few tens of KB per trace in the notebook
COLUMNS = 2
ROW_HEIGHT = 300


@dataclass
class Trace:
    run: str
    split: str  # train or validation
    steps: np.ndarray
    values: np.ndarray


class RunsFigure:
    """Runs' curves overlaid, one panel per metric: ``.figure`` is the plotly ``Figure``."""

    def __init__(self, panels: dict[str, list[Trace]], title: str) -> None:
        self.panels = panels
        self.title = title
        self.figure = _figure(panels, title)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import plotly.io as pio

        bundle: dict[str, Any] = pio.renderers["plotly_mimetype"].to_mimebundle(
            self.figure.to_dict()
        )
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
                        t.run if t.split == "train" else f"{t.run} (validation)",
                        t.steps,
                        t.values,
                        colors[t.run],
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
    shown: set[tuple[str, str]] = set()
    for index, group in enumerate(groups):
        row, col = divmod(index, columns)
        for trace in panels[group]:
            steps, values = _thin(trace.steps, trace.values)
            name = trace.run if trace.split == "train" else f"{trace.run} (validation)"
            figure.add_trace(
                go.Scattergl(
                    x=steps,
                    y=np.where(np.isfinite(values), values, np.nan),  # NaN/Inf: a gap
                    name=name,
                    legendgroup=name,
                    showlegend=(trace.run, trace.split) not in shown,
                    mode="lines",
                    line={
                        "color": colors[trace.run],
                        "dash": "solid" if trace.split == "train" else "dash",
                        "width": 1.6,
                    },
                    hovertemplate=f"{name}<br>{group} %{{y:.4g}} at step %{{x}}<extra></extra>",
                ),
                row=row + 1,
                col=col + 1,
            )
            shown.add((trace.run, trace.split))
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


def _colors(panels: dict[str, list[Trace]]) -> dict[str, str]:
    runs = list(dict.fromkeys(t.run for traces in panels.values() for t in traces))
    return {run: PALETTE[i % len(PALETTE)] for i, run in enumerate(runs)}


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
            found.setdefault(group, []).append(Trace(name, split, series.steps, series.values))
    return found
