"""The live curves widget: a run's series as its view draws them, sent as they change.

The kernel keeps the full history (``workbench.curves.store.Run``) and, per series, its step span
in about a pixel's worth of columns (:class:`~workbench.widgets.columns.Columns`: first, lowest,
highest and last value and the mean of each). A push sends only the columns that new points
changed, so traffic follows the view (a thousand columns at most per series, whatever the
logging rate) and never exceeds ``BYTES_PER_SECOND``: columns that do not fit wait for the next
push, newest first. The front end (``extensions/widgets/livecurves/``) keeps the columns and
draws them all the same way: a faint zigzag through each column, the smoothed line through the
columns' means.

A request from the front end waits while a cell runs (the kernel reads its messages between
cells), so during a run the kernel sends what nobody asked for: ``DEFAULT_WIDTH`` columns per
series, and every column again at pushes 2, 4, 8, 16... (a view rendered after the first pushes
catches up, at a cost that shrinks as the run goes on; a refresh waits for the columns held back
by the budget to go out first). A view's ``sync`` and ``resize``
requests, when the kernel reads them, size the columns to the view's width.

When the run ends, the view's output becomes :meth:`CurvesWidget.final_bundle`: the live view at
its last state as plotly's chart, as SVG and as text, which the saved notebook keeps. The widget
stays open until the next cell starts: the view's last smoothing and log-scale settings, sent
while the cell ran, reach the kernel only after it, and redraw the chart when they do.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import traitlets

from workbench._protocol import wire_float
from workbench.curves import store
from workbench.widgets.axes import linear_axis, log_axis
from workbench.widgets.base import Bundle, StreamedView, float64_buffer, handles
from workbench.widgets.columns import ROW_BYTES, Columns, smooth, zigzag
from workbench.widgets.messages import BadValue, ColumnsHeader, ColumnsMessage, Progress
from workbench.widgets.runs_plot import plotly_bundle, run_chart_figure
from workbench.widgets.snapshot import (
    Chart,
    Mark,
    PanelDrawing,
    SeriesDrawing,
    chart_html,
    series_color,
)

__all__ = [
    "BYTES_PER_SECOND",
    "DEFAULT_WIDTH",
    "CurvesWidget",
    "bad_value",
    "series_key",
]

DEFAULT_WIDTH = 1000  # columns per series until a view says how wide it draws
MIN_WIDTH, MAX_WIDTH = 64, 4096
# Traffic of one view: at most BURST bytes at once and BYTES_PER_SECOND on average, so any
# second on the websocket carries under ~100 KB with the envelopes and the progress line.
BYTES_PER_SECOND = 40_000
BURST = 20_000
MESSAGE_BYTES = 1_000  # a message's envelope on the websocket (its headers), as counted
HEADER_BYTES = 200  # a series' header in a message

_CSS = """
.workbench-livecurves {
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 12px;
  background: #fff; color: #222; padding: 4px 6px; max-width: 1000px; box-sizing: border-box;
}
.workbench-livecurves-header { margin: 2px 0 4px; }
.workbench-livecurves-bad { color: #d62728; }
.workbench-livecurves-controls { display: flex; gap: 16px; align-items: center; color: #555; }
.workbench-livecurves-controls input { accent-color: #1f77b4; }
.workbench-livecurves-smoothing-value { display: inline-block; width: 3em; }
.workbench-livecurves-panels { display: grid; gap: 8px; margin-top: 2px; }
"""

_Key = tuple[str, str]  # (split, metric)


def series_key(split: str, metric: str) -> str:
    return f"{split}/{metric}"


def bad_value(value: store.BadValue) -> BadValue:
    """A run's NaN/Inf report as an item of the ``bad_values`` trait."""
    return {
        "key": series_key(value.split, value.metric),
        "label": _label(value.split, value.metric),
        "step": int(value.step),
        "value": wire_float(float(value.value)),
    }


def _label(split: str, metric: str) -> str:
    return metric if split == "train" else f"val_{metric}"


class _Budget:
    """A token bucket: ``rate`` bytes a second, at most ``burst`` at once."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = burst
        self.time = clock()

    def available(self) -> float:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.time) * self.rate)
        self.time = now
        return self.tokens

    def spend(self, amount: float) -> None:
        self.tokens -= amount


class CurvesWidget(StreamedView[ColumnsMessage]):
    """The live plot of one run: a panel per metric, training and validation overlaid.

    Args:
        run: the run store it draws.
        run_id: unique per view of the run (a run shown twice has two).
        smoothing: the plot's smoothing (0 to 0.99, TensorBoard's weight).
        width: columns per series until a view says its width.
        clock: seconds, monotonic (the traffic budget's clock; tests pass their own).
    """

    _esm = Bundle("livecurves.js")
    _css = _CSS

    title = traitlets.Unicode("").tag(sync=True)
    state = traitlets.Unicode("running").tag(sync=True)
    run_id = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)  # a messages.Progress
    bad_values: traitlets.List[BadValue] = traitlets.List().tag(sync=True)
    smoothing = traitlets.Float(0.6).tag(sync=True)
    log_scale = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        run: store.Run,
        *,
        run_id: str,
        smoothing: float = 0.6,
        width: int = DEFAULT_WIDTH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(title=run.name, run_id=run_id, smoothing=smoothing, state=run.state)
        self.run = run
        self.width = _clamp_width(width)
        self._columns: dict[_Key, Columns] = {}
        self._taken: dict[_Key, int] = {}  # points of each series in its columns
        self._reset: set[_Key] = set()  # series whose next message replaces the view's copy
        self._pushes = 0
        self._refresh_due = False
        self._budget = _Budget(BYTES_PER_SECOND, BURST, clock)
        self._lock = threading.Lock()  # pushes come from the training thread, requests not
        self._concluded: str | None = None  # the final chart's subtitle, once the run ended
        self._drawn: tuple[float, bool] | None = None  # the settings the final chart shows

    # --- streaming ------------------------------------------------------------------------

    def push(self, *, final: bool = False) -> int:
        """Send the columns that changed since the last push; returns how many were sent.

        Within the traffic budget, newest columns first (the rest wait for the next push),
        unless ``final``: the run's last state goes at once.
        """
        with self._lock:
            self._pushes += 1
            if self._pushes >= 2 and self._pushes & (self._pushes - 1) == 0:
                self._refresh_due = True  # pushes 2, 4, 8...: every column again
            held_back = any(len(c.dirty_columns()) for c in self._columns.values())
            if self._refresh_due and not held_back:  # once the last one went out whole
                self._refresh_due = False
                for columns in self._columns.values():
                    columns.touch()
            self._catch_up()
            return self._send_columns(None if final else self._budget.available())

    def reset(self) -> None:
        """Send every series whole, replacing what the views hold (a new view)."""
        with self._lock:
            self._catch_up()
            for key, columns in self._columns.items():
                columns.touch()
                self._reset.add(key)
            self._send_columns(None)

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

    def _catch_up(self) -> None:
        """Put the points logged since the last call into their series' columns."""
        for key, series in list(self.run.series.items()):
            columns = self._columns.get(key)
            if columns is None:
                columns = self._columns[key] = Columns(self.width)
                self._taken[key] = 0
                self._reset.add(key)
            start, end = self._taken[key], len(series)
            if end <= start:
                continue
            steps, values = series.since(start)
            if not columns.add(steps, values):  # a step before the first: build them anew
                self._rebuild(key)
            self._taken[key] = end

    def _rebuild(self, key: _Key) -> None:
        series = self.run.series[key]
        columns = self._columns[key] = Columns(self.width)
        columns.add(series.steps, series.values)
        self._taken[key] = len(series)
        self._reset.add(key)

    def _send_columns(self, allowed: float | None) -> int:
        """One message with the dirty columns of every series (at most ``allowed`` bytes)."""
        keys = [key for keys in self.run.groups().values() for key in keys if key in self._columns]
        dirty = {key: self._columns[key].dirty_columns() for key in keys}
        keys = [key for key in keys if len(dirty[key]) or key in self._reset]
        if not keys:
            return 0
        counts = {key: len(dirty[key]) for key in keys}
        if allowed is not None:
            rows = int((allowed - MESSAGE_BYTES - HEADER_BYTES * len(keys)) // ROW_BYTES)
            if rows < 1 and not any(key in self._reset for key in keys):
                return 0
            counts = _share(counts, max(rows, 0))
            keys = [key for key in keys if counts[key] or key in self._reset]
        groups = {key: group for group, members in self.run.groups().items() for key in members}
        headers: list[ColumnsHeader] = []
        buffers: list[bytes] = []
        for key in keys:
            columns = self._columns[key]
            chosen = np.sort(dirty[key][len(dirty[key]) - counts[key] :])  # newest first
            split, metric = key
            headers.append(
                {
                    "key": series_key(split, metric),
                    "group": groups.get(key, metric),
                    "split": split,
                    "reset": key in self._reset,
                    "width": columns.width,
                    "size": columns.size,
                    "origin": columns.origin if columns.origin is not None else 0,
                    "first": columns.first_step if columns.first_step is not None else 0,
                    "last": columns.last_step if columns.last_step is not None else 0,
                    "n": len(chosen),
                }
            )
            buffers.append(float64_buffer(columns.rows(chosen)))
            columns.sent(chosen)
            self._reset.discard(key)
        self.send_message({"type": "columns", "series": headers}, buffers)
        size = MESSAGE_BYTES + HEADER_BYTES * len(headers) + sum(len(b) for b in buffers)
        self._budget.spend(size)
        return sum(header["n"] for header in headers)

    # --- requests --------------------------------------------------------------------------

    @handles("sync")
    def _sync(self, params: dict[str, Any]) -> None:
        """A view asks for everything (it was just rendered), at its width."""
        if self._concluded is not None:
            return  # its output is the run's chart now: no view is left to draw
        self._set_width(params)
        self.reset()

    @handles("resize")
    def _resize(self, params: dict[str, Any]) -> None:
        """A view's width changed: columns at the new width, if that changes their number."""
        if self._concluded is None and self._set_width(params):
            self.reset()

    def _set_width(self, params: dict[str, Any]) -> bool:
        """Takes the view's width (``ViewGeometry``); whether the columns were built anew."""
        if "width" not in params:
            return False
        width = params["width"]
        if isinstance(width, bool) or not isinstance(width, int | float) or not width > 0:
            raise ValueError(f"Expected width as a number of pixels. Received: {width!r}")
        width = _clamp_width(width)
        if width == self.width:
            return False
        with self._lock:
            self.width = width
            for key in list(self._columns):
                self._rebuild(key)
        return True

    @traitlets.validate("bad_values")
    def _wire_bad_values(self, proposal: dict[str, Any]) -> list[BadValue]:
        # a NaN is not JSON: the value travels in its wire form whatever the caller gave
        return [_wire_bad_value(item) for item in proposal["value"]]

    @traitlets.validate("smoothing")
    def _valid_smoothing(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0 <= value < 1:
            raise traitlets.TraitError(f"Expected smoothing in [0, 1). Received: {value!r}")
        return value

    # --- the final chart -----------------------------------------------------------------

    def conclude(self, *, subtitle: str = "") -> None:
        """The run ended: the run's chart replaces the view in its output.

        The widget stays open until the next cell starts, so that settings the view sent while
        the cell ran (they reach the kernel after it) still redraw the chart; then it closes.
        Off IPython's main thread it closes at once. A view never shown is closed.
        """
        self._concluded = subtitle
        if not self.shown:
            self.close()
        elif _when_next_cell_starts(self._close_after_run):
            self._show_final()
        else:
            self.finish(self.final_bundle(subtitle=subtitle))

    def _show_final(self) -> None:
        if self._output is None or self._concluded is None:
            return
        self._drawn = (self.smoothing, self.log_scale)
        self._output.update(self.final_bundle(subtitle=self._concluded), raw=True)

    @traitlets.observe("smoothing", "log_scale")
    def _settings_changed(self, _change: dict[str, Any]) -> None:
        drawn = getattr(self, "_drawn", None)  # traits are set before __init__ ends
        if drawn is not None and drawn != (self.smoothing, self.log_scale):
            self._show_final()

    def _close_after_run(self) -> None:
        self._output = None
        self.close()

    def final_bundle(self, *, subtitle: str = "") -> dict[str, Any]:
        """What the view's output becomes when the run ends (:meth:`conclude`).

        The live view at its last state: plotly's chart (JupyterLab and Voila draw it,
        interactive, from the saved notebook without a kernel), the same chart as SVG in
        ``text/html`` (nbconvert, GitHub) and a line of text.

        Args:
            subtitle: said after the run's name and state (the progress line).
        """
        chart = self.chart()
        title = self._title(subtitle)
        figure = run_chart_figure(chart, title=title, marks=self._marks())
        return {
            **plotly_bundle(figure),
            "text/html": self.snapshot_html(subtitle=subtitle),
            "text/plain": self._text(subtitle),
        }

    def snapshot_html(self, *, subtitle: str = "") -> str:
        """The run's chart as light inline SVG, in the live view's grid."""
        marks = self._marks()
        return chart_html(self.chart(), title=self._title(subtitle), marks=marks)

    def chart(self) -> Chart:
        """The live view at its current state: panels, their axes and lines."""
        with self._lock:
            self._catch_up()
        log = self.log_scale
        keep: Callable[[np.ndarray], np.ndarray] = (
            (lambda v: np.isfinite(v) & (v > 0)) if log else np.isfinite
        )
        bad_steps: dict[str, list[float]] = {}
        for group, _split, _metric, step, _value in self._first_bad():
            bad_steps.setdefault(group, []).append(step)
        panels = []
        for group, keys in self.run.groups().items():
            drawings: list[SeriesDrawing] = []
            starts: list[int] = []
            ends: list[int] = []
            for index, (split, metric) in enumerate(keys):
                columns = self._columns.get((split, metric))
                raw_x, raw_y = zigzag(columns, keep) if columns else (np.zeros(0), np.zeros(0))
                smooth_x, smooth_y = (
                    smooth(columns, self.smoothing) if columns else (np.zeros(0), np.zeros(0))
                )
                shown = keep(smooth_y)
                drawings.append(
                    SeriesDrawing(
                        split,
                        _label(split, metric),
                        series_color(split, index),
                        raw_x,
                        raw_y,
                        smooth_x[shown],
                        smooth_y[shown],
                    )
                )
                if columns is not None and columns.first_step is not None and len(raw_y):
                    starts.append(columns.first_step)
                    ends.append(
                        columns.first_step if columns.last_step is None else columns.last_step
                    )
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
        note = f"smoothing {self.smoothing:.2f}" + (" · log scale" if log else "")
        return Chart(panels, note=note)

    def _marks(self) -> dict[str, list[Mark]]:
        marks: dict[str, list[Mark]] = {}
        for group, split, metric, step, value in self._first_bad():
            marks.setdefault(group, []).append(
                Mark(step, f"{_label(split, metric)}={value} at step {step:g}")
            )
        return marks

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
            f"\n! {_label(split, metric)}={value} at step {step:g}"
            for _, split, metric, step, value in self._first_bad()
        ]
        return f"<curves of {self._title(subtitle)}: {groups}>" + "".join(bad)


def _share(wanted: dict[_Key, int], total: int) -> dict[_Key, int]:
    """``total`` rows shared fairly among series wanting ``wanted`` each (none gets more)."""
    given = dict.fromkeys(wanted, 0)
    left = total
    hungry = [key for key, n in wanted.items() if n]
    while left > 0 and hungry:
        each = max(1, left // len(hungry))
        for key in list(hungry):
            take = min(each, wanted[key] - given[key], left)
            given[key] += take
            left -= take
            if given[key] == wanted[key]:
                hungry.remove(key)
            if not left:
                break
    return given


def _clamp_width(width: float) -> int:
    return int(min(MAX_WIDTH, max(MIN_WIDTH, math.floor(width))))


def _when_next_cell_starts(callback: Callable[[], None]) -> bool:
    """Call ``callback`` once when IPython starts the next cell; False off its main thread or
    outside IPython (nothing registered)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return False

    def started(_info: Any) -> None:
        shell.events.unregister("pre_run_cell", started)  # IPython iterates over a copy
        callback()

    shell.events.register("pre_run_cell", started)
    return True


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
