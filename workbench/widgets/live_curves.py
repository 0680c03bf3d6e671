"""The live curves widget: a run's series, streamed as append-only binary messages.

The kernel keeps the full history (``workbench.curves.store.Run``); the front end
(``extensions/widgets/livecurves/``) keeps what it was sent. A push sends only the points added
since the last push; a series that grew past ``LIVE_LIMIT`` points in the front end is replaced by
its LTTB-downsampled history, so a million-point run is drawn from a few thousand. A front end
that renders (a new view, a reopened page) asks for ``sync`` and gets every series again.

When the run ends, the view's output becomes :meth:`CurvesWidget.final_bundle` (plotly's chart
of the run, its SVG for front ends without plotly, and text): what the saved notebook keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import traitlets

from workbench._protocol import wire_float
from workbench.curves import store
from workbench.curves.downsample import lttb
from workbench.widgets.base import Bundle, StreamedView, float64_buffer, handles
from workbench.widgets.messages import BadValue, Progress, SeriesHeader, SeriesMessage
from workbench.widgets.runs_plot import RunsFigure, traces_of
from workbench.widgets.snapshot import COLORS, Line, Mark, panels_html

__all__ = ["LIVE_LIMIT", "RESET_POINTS", "CurvesWidget", "bad_value", "series_key"]

LIVE_LIMIT = 20_000  # points of one series kept by the front end before it is downsampled
RESET_POINTS = 2_000  # points a downsampled series is reset to

_CSS = """
.workbench-livecurves { font-family: var(--jp-ui-font-family, sans-serif); font-size: 12px; }
.workbench-livecurves-header { margin: 2px 0 4px; }
.workbench-livecurves-bad { color: #d62728; }
.workbench-livecurves-controls { display: flex; gap: 16px; align-items: center; }
.workbench-livecurves-panels {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 8px;
}
"""

_Key = tuple[str, str]  # (split, metric)
_Item = tuple[_Key, np.ndarray, np.ndarray]  # a series' key, steps and values


def series_key(split: str, metric: str) -> str:
    return f"{split}/{metric}"


def bad_value(value: store.BadValue) -> BadValue:
    """A run's NaN/Inf report as an item of the ``bad_values`` trait."""
    return {
        "key": series_key(value.split, value.metric),
        "label": value.metric if value.split == "train" else f"val_{value.metric}",
        "step": int(value.step),
        "value": wire_float(float(value.value)),
    }


class CurvesWidget(StreamedView[SeriesMessage]):
    """The live plot of one run: a panel per metric, training and validation overlaid.

    Args:
        run: the run store it draws (the widget keeps no points of its own).
        run_id: unique per view of the run (a run shown twice has two).
        smoothing: the plot's initial smoothing (0 to 0.99).
    """

    _esm = Bundle("livecurves.js")
    _css = _CSS

    title = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Unicode("running").tag(sync=True)
    run_id = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)  # a messages.Progress
    bad_values: traitlets.List[BadValue] = traitlets.List().tag(sync=True)
    smoothing = traitlets.Float(0.6).tag(sync=True)

    def __init__(self, run: store.Run, *, run_id: str, smoothing: float = 0.6) -> None:
        super().__init__(title=run.name, run_id=run_id, smoothing=smoothing, state=run.state)
        self.run = run
        self._sent: dict[_Key, int] = {}  # series -> points of it sent so far
        self._front: dict[_Key, int] = {}  # series -> points the front end holds

    def push(self) -> int:
        """Send the points added since the last push; returns how many were sent."""
        appends: list[_Item] = []
        resets: list[_Item] = []
        for key, series in list(self.run.series.items()):
            start = self._sent.get(key, 0)
            if len(series) <= start:
                continue
            if self._front.get(key, 0) + len(series) - start > LIVE_LIMIT:
                resets.append((key, *_downsampled(series.steps, series.values)))
            else:
                steps, values = series.since(start)
                appends.append((key, steps, values))
            self._sent[key] = len(series)
        for key, steps, _ in appends:
            self._front[key] = self._front.get(key, 0) + len(steps)
        for key, steps, _ in resets:
            self._front[key] = len(steps)
        return self._send_series("append", appends) + self._send_series("reset", resets)

    def reset(self) -> None:
        """Send every series again, downsampled: a new view, or a redraw from scratch."""
        items: list[_Item] = []
        for key, series in list(self.run.series.items()):
            steps, values = _downsampled(series.steps, series.values)
            items.append((key, steps, values))
            self._sent[key] = len(series)
            self._front[key] = len(steps)
        self._send_series("reset", items)

    def update(
        self,
        *,
        progress: str | None = None,
        state: str | None = None,
        bad: Iterable[store.BadValue] = (),
    ) -> None:
        """Sets the progress line, the run's state and new NaN/Inf reports in one front-end update.

        Args:
            progress: the progress text (None: unchanged).
            state: the run's state (None: unchanged).
            bad: NaN/Inf reports to add to ``bad_values``.
        """
        new = [bad_value(value) for value in bad]
        with self.hold_sync():
            if progress is not None:
                self.progress = dict(Progress(text=progress))
            if state is not None:
                self.state = state
            if new:
                self.bad_values = [*self.bad_values, *new]

    @handles("sync")
    def _sync(self, _params: dict[str, Any]) -> None:
        self.reset()

    @traitlets.validate("bad_values")
    def _wire_bad_values(self, proposal: dict[str, Any]) -> list[BadValue]:
        # a NaN is not JSON: the value travels in its wire form whatever the caller gave
        return [_wire_bad_value(item) for item in proposal["value"]]

    def final_bundle(self, *, subtitle: str = "") -> dict[str, Any]:
        """What the view's output becomes when the run ends (:meth:`StreamedView.finish`).

        Plotly's chart of the run (JupyterLab and Voila draw it, interactive, from the saved
        notebook without a kernel), the same curves as SVG in ``text/html`` (nbconvert, GitHub)
        and a line of text. One panel per metric, training solid and validation dashed, each
        series' first NaN/Inf marked.

        Args:
            subtitle: said after the run's name and state (the progress line).
        """
        figure = RunsFigure(traces_of(self.run.name, self.run, None), self._title(subtitle))
        return {
            **figure.plotly_bundle(),
            "text/html": self.snapshot_html(subtitle=subtitle),
            "text/plain": self._text(subtitle),
        }

    def snapshot_html(self, *, subtitle: str = "") -> str:
        """The run's curves as light inline SVG, one panel per metric group."""
        run = self.run
        panels: dict[str, list[Line]] = {}
        for group, keys in run.groups().items():
            panels[group] = [
                Line(
                    split if len(keys) > 1 else metric,
                    run.series[(split, metric)].steps,
                    run.series[(split, metric)].values,
                    COLORS.get(split),
                    dashed=split != "train",
                )
                for split, metric in keys
            ]
        marks: dict[str, list[Mark]] = {}
        for group, _split, metric, step, value in self._first_bad():
            marks.setdefault(group, []).append(Mark(step, f"{metric}={value}"))
        return panels_html(panels, title=self._title(subtitle), marks=marks)

    def _first_bad(self) -> list[tuple[str, str, str, float, str]]:
        """Each series' first NaN/Inf: (group, split, metric, step, value in its wire form)."""
        found = []
        for group, keys in self.run.groups().items():
            for split, metric in keys:
                series = self.run.series[(split, metric)]
                bad = ~np.isfinite(series.values)
                if bad.any():
                    first = int(np.argmax(bad))
                    value = str(wire_float(float(series.values[first])))
                    found.append((group, split, metric, float(series.steps[first]), value))
        return found

    def _title(self, subtitle: str) -> str:
        return f"{self.run.name} · {self.run.state}" + (f" · {subtitle}" if subtitle else "")

    def _text(self, subtitle: str) -> str:
        """The final output as text: title, panels, and each series' first NaN/Inf."""
        groups = ", ".join(self.run.groups()) or "no metrics"
        bad = [
            f"\n! {metric if split == 'train' else 'val_' + metric}={value} at step {step:g}"
            for _, split, metric, step, value in self._first_bad()
        ]
        return f"<curves of {self._title(subtitle)}: {groups}>" + "".join(bad)

    def _send_series(self, kind: Literal["reset", "append"], items: list[_Item]) -> int:
        if not items:
            return 0
        groups = {key: group for group, keys in self.run.groups().items() for key in keys}
        headers: list[SeriesHeader] = []
        buffers: list[bytes] = []
        for (split, metric), steps, values in items:
            headers.append(
                {
                    "key": series_key(split, metric),
                    "group": groups.get((split, metric), metric),
                    "split": split,
                    "n": len(steps),
                }
            )
            buffers += [float64_buffer(steps), float64_buffer(values)]
        self.send_message({"type": kind, "series": headers}, buffers)
        return sum(len(steps) for _, steps, _ in items)


def _wire_bad_value(item: Any) -> BadValue:
    try:
        return {
            "key": str(item["key"]),
            "label": str(item.get("label", item["key"])),
            "step": int(item["step"]),
            "value": wire_float(float(item["value"])),
        }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise traitlets.TraitError(
            f"Expected bad_values items with key, step and value. Received: {item!r}"
        ) from error


def _downsampled(steps: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(steps) <= RESET_POINTS:
        return steps.copy(), values.copy()
    keep = lttb(steps.astype(np.float64), values.astype(np.float64), RESET_POINTS)
    return steps[keep], values[keep]
