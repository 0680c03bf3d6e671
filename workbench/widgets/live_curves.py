"""The live curves widget: a run's series as its view draws them, sent as they change.

The kernel keeps the full history (``workbench.curves.store.Run``) and, per series, its step span
in about a pixel's worth of columns (:class:`~workbench.widgets.columns.Columns`: first, lowest,
highest and last value and the mean of each). A push sends only the columns that new points
changed, so traffic follows the view (at most a view's width of columns per series, whatever the
logging rate) within ``BYTES_PER_SECOND``: columns that do not fit wait, newest first, and go
when the budget refills, pushes or not. The front end (``extensions/widgets/livecurves/``) keeps
the columns and draws them all the same way: a faint zigzag through each column, the smoothed
line through the columns' means.

The view asks for everything at its width (``sync``, and ``resize`` when its width changes)
and sends its smoothing and log-scale settings back as traits. While the run's own cell
executes these wait (ipykernel hands a comm's messages to the shell that last sent on it, the
one running the cell; JupyterLab 4.6 sending comms on a subshell does not change that); a run
fed from another thread hears them at once, on the kernel's main thread. So the kernel also
sends what nobody asked for: ``DEFAULT_WIDTH`` columns per series until told otherwise, and
every column again at pushes 2, 4, 8, 16... (a view whose model came to life after the first
pushes catches up, at a cost that shrinks as the run goes on; a refresh waits for columns held
back by the budget, and the run's last push skips it).

When the run ends, the view's output becomes :meth:`CurvesWidget.final_bundle`: the live view at
its last state as plotly's chart, as SVG and as text, which the saved notebook keeps. The widget
stays open until the next cell starts, so that settings the view sent while the cell ran (where
they wait for it) still redraw the chart when they arrive.
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
from workbench.widgets import run_chart
from workbench.widgets.base import Bundle, StreamedView, float64_buffer, handles
from workbench.widgets.budget import Budget, daemon_timer, share
from workbench.widgets.columns import ROW_BYTES, Columns
from workbench.widgets.messages import BadValue, ColumnsHeader, ColumnsMessage, Progress
from workbench.widgets.runs_plot import plotly_bundle
from workbench.widgets.snapshot import (
    GAP,
    PLOT_LEFT,
    PLOT_RIGHT,
    Chart,
    chart_html,
    panels_per_row,
)

__all__ = [
    "BYTES_PER_SECOND",
    "DEFAULT_WIDTH",
    "CurvesWidget",
    "bad_value",
    "series_key",
]

# Columns per series until a view says how wide it draws: a panel's plot area is at most ~430 px
# in the view's grid of two panels a row (a card at most 1000 px wide), ~920 px for a lone panel.
DEFAULT_WIDTH = 500
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
  color-scheme: light; /* a white card in any theme, as the chart that replaces it */
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
        "label": run_chart.label(value.split, value.metric),
        "step": int(value.step),
        "value": wire_float(float(value.value)),
    }


class CurvesWidget(StreamedView[ColumnsMessage]):
    """The live plot of one run: a panel per metric, training and validation overlaid.

    Args:
        run: the run store it draws.
        run_id: unique per view of the run (a run shown twice has two).
        smoothing: the plot's smoothing (0 to 0.99, TensorBoard's weight).
        width: columns per series until a view says its width (then: its plot area's).
        clock: seconds, monotonic (the traffic budget's clock; tests pass their own).
        later: ``later(seconds, fn)`` calls ``fn`` that much later, on another thread (default:
            a daemon timer); it sends columns the budget held back when no push comes.
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
        later: Callable[[float, Callable[[], None]], object] | None = None,
    ) -> None:
        super().__init__(title=run.name, run_id=run_id, smoothing=smoothing, state=run.state)
        self.run = run
        self.width = _clamp_width(width)
        self._columns: dict[_Key, Columns] = {}
        self._taken: dict[_Key, int] = {}  # points of each series in its columns
        self._reset: set[_Key] = set()  # series whose next message replaces the view's copy
        self._pushes = 0
        self._refresh_due = False
        self._budget = Budget(BYTES_PER_SECOND, BURST, clock)
        self._later = later or daemon_timer
        self._flush_due = False  # a call of _flush is coming
        self._lock = threading.Lock()  # pushes come from the training thread, requests not
        self._grid: float | None = None  # the view's grid width, once it said it
        self._concluded: str | None = None  # the final chart's subtitle, once the run ended
        self._drawn: tuple[float, bool] | None = None  # the settings the final chart shows

    # --- streaming ------------------------------------------------------------------------

    def push(self, *, final: bool = False) -> int:
        """Send the columns that changed since the last push; returns how many were sent.

        Within the traffic budget, newest columns first (the rest go when it refills);
        ``final``: every changed column at once (the run's last state), no refresh.
        """
        if self.comm is None:  # closed: nobody to send to
            return 0
        with self._lock:
            self._pushes += 1
            if self._pushes >= 2 and self._pushes & (self._pushes - 1) == 0:
                self._refresh_due = True  # pushes 2, 4, 8...: every column again
            held_back = any(len(c.pending()) for c in self._columns.values())
            if self._refresh_due and not held_back:  # once the last one went out whole
                self._refresh_due = False
                for columns in self._columns.values():
                    columns.touch()
            self._catch_up()
            sent = self._send_columns(None if final else self._budget.available())
            self._flush_soon()
            return sent

    def _flush_soon(self) -> None:
        """If the budget held columns back, send them once it refills, pushes or not (a loop
        that pauses, in an evaluation or at its end, would leave the view half drawn)."""
        if self._flush_due or self.comm is None or self._concluded is not None:
            return
        if any(len(c.pending()) for c in self._columns.values()):
            self._flush_due = True
            self._later(BURST / BYTES_PER_SECOND, self._flush)

    def _flush(self) -> None:
        with self._lock:
            self._flush_due = False
            if self.comm is None or self._concluded is not None:
                return
            self._send_columns(self._budget.available())
            self._flush_soon()

    def reset(self) -> None:
        """Send every series whole, replacing what the views hold (a new view), within the
        traffic budget (what does not fit follows)."""
        with self._lock:
            self._catch_up()
            for key, columns in self._columns.items():
                columns.touch(changed=True)
                self._reset.add(key)
            self._send_columns(self._budget.available())  # the rest follows, as after a push
            self._flush_soon()

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
                if self._fit_width():  # a new panel: the view's panels got narrower
                    columns = self._columns[key]
            start, end = self._taken[key], len(series)
            if end <= start:
                continue
            # slices up to a length read once: a view's request may be handled while another
            # thread logs (a run fed from a background thread)
            if not columns.add(series.steps[start:end], series.values[start:end]):
                self._rebuild(key)  # a step before the first: build them anew
            else:
                self._taken[key] = end

    def _rebuild(self, key: _Key) -> None:
        series = self.run.series[key]
        end = len(series)
        columns = self._columns[key] = Columns(self.width)
        columns.add(series.steps[:end], series.values[:end])
        self._taken[key] = end
        self._reset.add(key)

    def _groups(self) -> dict[str, list[_Key]]:
        """``run.groups()`` of the series in columns: safe while another thread logs."""
        groups: dict[str, list[_Key]] = {}
        for split, metric in list(self._columns):  # in log order, as the run's series
            groups.setdefault(metric, []).append((split, metric))
        for keys in groups.values():
            keys.sort(key=lambda key: store.SPLITS.index(key[0]))
        return groups

    def _send_columns(self, allowed: float | None) -> int:
        """One message with the pending columns of every series, changed ones first, within
        ``allowed`` bytes; None: every changed column (the run's last state), no refresh."""
        groups = self._groups()
        keys = [key for members in groups.values() for key in members]
        dirty = {key: self._columns[key].pending(stale=allowed is not None) for key in keys}
        keys = [key for key in keys if len(dirty[key]) or key in self._reset]
        if not keys:
            return 0
        counts = {key: len(dirty[key]) for key in keys}
        if allowed is not None:
            rows = int((allowed - MESSAGE_BYTES - HEADER_BYTES * len(keys)) // ROW_BYTES)
            if rows < 1 and not any(key in self._reset for key in keys):
                return 0
            counts = share(counts, max(rows, 0))
            keys = [key for key in keys if counts[key] or key in self._reset]
        group_of = {key: group for group, members in groups.items() for key in members}
        headers: list[ColumnsHeader] = []
        buffers: list[bytes] = []
        for key in keys:
            columns = self._columns[key]
            chosen = np.sort(dirty[key][: counts[key]])
            split, metric = key
            headers.append(
                {
                    "key": series_key(split, metric),
                    "group": group_of[key],
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
        """Takes the view's grid width (``ViewGeometry``); whether the columns were built anew."""
        if "width" not in params:
            return False
        grid = params["width"]
        if isinstance(grid, bool) or not isinstance(grid, int | float) or not grid > 0:
            raise ValueError(f"Expected width as a number of pixels. Received: {grid!r}")
        with self._lock:
            self._grid = float(grid)
            return self._fit_width()

    def _fit_width(self) -> bool:
        """Columns as wide as a panel's plot area in the view's grid (two panels a row, as
        many as the run has metric groups); whether they were built anew."""
        if self._grid is None:
            return False
        per_row = panels_per_row(len(self._groups()) or 1)
        panel = (self._grid - GAP * (per_row - 1)) / per_row
        width = _clamp_width(panel - PLOT_LEFT - PLOT_RIGHT)
        if width == self.width:
            return False
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
        again = self._drawn is not None
        self._drawn = (self.smoothing, self.log_scale)
        bundle = self.final_bundle(subtitle=self._concluded)
        if again:
            # JupyterLab's plotly renderer keeps its first figure when its output is updated
            # (it redraws only into an empty node): show the SVG of the chart for a moment, so
            # that the plotly figure gets a new renderer
            self._output.update({k: bundle[k] for k in ("text/html", "text/plain")}, raw=True)
        self._output.update(bundle, raw=True)

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
        figure = run_chart.run_chart_figure(chart, title=title, marks=run_chart.marks(self.run))
        return {
            **plotly_bundle(figure),
            "text/html": self.snapshot_html(subtitle=subtitle),
            "text/plain": self._text(subtitle),
        }

    def snapshot_html(self, *, subtitle: str = "") -> str:
        """The run's chart as light inline SVG, in the live view's grid."""
        marks = run_chart.marks(self.run)
        return chart_html(self.chart(), title=self._title(subtitle), marks=marks)

    def chart(self) -> Chart:
        """The live view at its current state: panels, their axes and lines."""
        with self._lock:
            self._catch_up()
            columns = dict(self._columns)
        return run_chart.chart(self.run, columns, smoothing=self.smoothing, log=self.log_scale)

    def _title(self, subtitle: str) -> str:
        return f"{self.run.name} · {self.run.state}" + (f" · {subtitle}" if subtitle else "")

    def _text(self, subtitle: str) -> str:
        """The final output as text: title, panels, and each series' first NaN/Inf."""
        groups = ", ".join(self.run.groups()) or "no metrics"
        bad = [
            f"\n! {run_chart.label(split, metric)}={value} at step {step:g}"
            for _, split, metric, step, value in run_chart.first_bad(self.run)
        ]
        return f"<curves of {self._title(subtitle)}: {groups}>" + "".join(bad)


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
