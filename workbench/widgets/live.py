"""``workbench.LiveCurves`` (Keras callback) and ``workbench.run()`` (custom loops): a run store
fed by training, shown by a live widget that leaves a static snapshot in the saved notebook."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from IPython.display import display

from workbench.curves import registry
from workbench.curves.callback import CurvesCallback, new_run_name
from workbench.curves.store import DEFAULT_LOGDIR, BadValue, Run
from workbench.widgets.snapshot import Line, Mark, panels_html

_ids = itertools.count(1)


class LiveView:
    """Observer of a run: a widget while it runs, then the snapshot beside it."""

    def __init__(self, smoothing: float = 0.6, show: bool = True) -> None:
        self.smoothing = smoothing
        self.show = show
        self.widget: Any = None
        self.run_id = ""

    def started(self, run: Run) -> None:
        from workbench.widgets.live_curves import CurvesWidget

        self.run_id = f"{run.name}-{next(_ids)}"
        self.widget = CurvesWidget(run, run_id=self.run_id, smoothing=self.smoothing)
        if self.show:
            display(self.widget)

    def updated(self, run: Run, progress: dict[str, Any], bad: list[BadValue]) -> None:
        widget = self.widget
        if widget is None:
            return
        widget.push()
        widget.progress = {"text": progress["text"]}
        if bad:
            widget.bad_values = [*widget.bad_values, *(_bad(b) for b in bad)]

    def ended(self, run: Run, progress: dict[str, Any]) -> None:
        widget = self.widget
        if widget is None:
            return
        widget.push()
        widget.progress = {"text": progress["text"]}
        widget.state = run.state
        if self.show:
            html = snapshot(run, run_id=self.run_id, subtitle=progress["text"])
            display({"text/html": html, "text/plain": f"<curves of run {run.name}>"}, raw=True)
            widget.snapshot = True


class LiveCurves(CurvesCallback):
    """Live training curves for ``model.fit``, written to TensorBoard event files as well.

    Per-batch training metrics and per-epoch validation metrics, one panel per metric with
    training and validation overlaid, log scale and smoothing controls, and a progress line.
    The plot is redrawn at most ``1 / interval`` times a second with only the new points;
    collecting a batch's metrics costs microseconds. When training ends or is interrupted, a
    static snapshot of the curves stays in the output, so a saved notebook still shows them.

    Args:
        logdir: where event files go (``logdir/<run>/train``, ``.../validation``); None: memory.
        run: the run's name; default ``run-<date>-<time>``.
        metrics: metrics to keep (``"loss"`` keeps ``val_loss`` too); default all.
        stop_on_nan: stop training at the first NaN or infinite value (default: report it once
            and go on).
        interval: seconds between redraws.
        smoothing: initial smoothing of the plot (0 to 0.99, as in TensorBoard).
        display: show the live plot (False: only the run store and event files).

    Example:
        >>> model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[LiveCurves()])
    """

    def __init__(
        self,
        logdir: str | Path | None = DEFAULT_LOGDIR,
        run: str | None = None,
        metrics: Sequence[str] | None = None,
        *,
        stop_on_nan: bool = False,
        interval: float = 0.1,
        smoothing: float = 0.6,
        display: bool = True,
    ) -> None:
        if not 0 <= smoothing < 1:
            raise ValueError(f"Expected smoothing in [0, 1). Received: {smoothing!r}")
        self.view = LiveView(smoothing=smoothing, show=display)
        super().__init__(
            logdir,
            run,
            metrics,
            stop_on_nan=stop_on_nan,
            interval=interval,
            observers=[self.view],
        )

    @property
    def widget(self) -> Any:
        return self.view.widget

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        super().on_train_begin(logs)
        if self.run is not None:
            _close_if_cell_fails(self, self.run)


def _close_if_cell_fails(callback: CurvesCallback, run: Run) -> None:
    """Under IPython, end ``run`` when the cell running ``fit`` ends before ``fit`` did.

    Keras calls no callback when ``fit`` is interrupted (KeyboardInterrupt) or raises, so
    ``on_train_end`` never closes the run, also when the cell catches the interrupt. A one-shot
    ``post_run_cell`` hook does, with or without ``%load_ext workbench``: event files flushed and
    closed, the plot in its final state and the snapshot left in the output. Only for a ``fit``
    on the cell's own thread: one in a background thread outlives its cell on purpose. Outside
    IPython a script's interrupt ends the process.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def after_cell(result: Any) -> None:
        shell.events.unregister("post_run_cell", after_cell)  # IPython iterates over a copy
        error = getattr(result, "error_in_exec", None)
        if callback.run is run and run.state == "running":  # fit returned without on_train_end
            failed = error is not None and not isinstance(error, KeyboardInterrupt)
            callback.close("failed" if failed else "interrupted")

    shell.events.register("post_run_cell", after_cell)


class RunLogger:
    """What ``workbench.run()`` yields: ``log(step, **metrics)`` for a custom training loop."""

    def __init__(self, run: Run, view: LiveView, interval: float) -> None:
        import time

        self.run = run
        self.view = view
        self.interval = interval
        self._clock = time.monotonic
        self._next = 0.0
        self._step = 0
        self._latest: dict[str, float] = {}
        self.bad: list[BadValue] = []

    def log(self, step: int | None = None, *, split: str = "train", **metrics: float) -> None:
        """Record metrics at ``step`` (default: one after the last); ``split="validation"`` for
        validation values. Cheap: the plot is redrawn at most every ``interval`` seconds."""
        self._step = self._step + 1 if step is None else int(step)
        values = {name: float(value) for name, value in metrics.items()}
        bad = self.run.log(self._step, values, split=split, kind="batch")
        prefix = "" if split == "train" else "val_"
        self._latest.update({prefix + k: v for k, v in values.items()})
        if bad:
            self.bad.extend(bad)
            for value in bad:
                print(
                    f"run {self.run.name}: {value.metric} became {value.value} at step {value.step}"
                )
        now = self._clock()
        if bad or now >= self._next:
            self._next = now + self.interval
            registry.progressed(self.run)
            self.view.updated(self.run, self.progress(), bad)

    def progress(self) -> dict[str, Any]:
        parts = [f"step {self._step}"] + [f"{k} {v:.4g}" for k, v in sorted(self._latest.items())]
        return {"step": self._step, "latest": dict(self._latest), "text": " · ".join(parts)}

    def close(self, state: str = "finished") -> None:
        if self.run.state != "running":
            return
        self.run.close(state)
        registry.closed(self.run)
        self.view.ended(self.run, self.progress())


@contextmanager
def run(
    name: str | None = None,
    logdir: str | Path | None = DEFAULT_LOGDIR,
    *,
    interval: float = 0.1,
    smoothing: float = 0.6,
    display: bool = True,
) -> Iterator[RunLogger]:
    """A run for a custom training loop, with the same live plot and files as LiveCurves.

    Example:
        >>> with workbench.run("sgd-0.1", logdir="runs") as r:
        ...     for step in range(1000):
        ...         r.log(step, loss=train_step())
    """
    path = Path(logdir) if logdir is not None else None
    store = Run(name or new_run_name(path), path)
    view = LiveView(smoothing=smoothing, show=display)
    logger = RunLogger(store, view, interval)
    registry.opened(store)
    view.started(store)
    try:
        yield logger
    except KeyboardInterrupt:
        logger.close("interrupted")
        raise
    except BaseException:
        logger.close("failed")
        raise
    logger.close("finished")


def snapshot(run: Run, *, run_id: str = "", subtitle: str = "") -> str:
    """The run's curves as light inline SVG, one panel per metric group."""
    panels: dict[str, list[Line]] = {}
    marks: dict[str, list[Mark]] = {}
    for group, keys in run.groups().items():
        lines = []
        for split, metric in keys:
            series = run.series[(split, metric)]
            label = split if len(keys) > 1 else metric
            lines.append(Line(label, series.steps, series.values, _color(split)))
            for step, value in zip(series.steps, series.values, strict=True):
                if not (value == value and abs(value) != float("inf")):
                    marks.setdefault(group, []).append(Mark(float(step), f"{metric}={value}"))
                    break  # one mark per series: the first bad value
        panels[group] = lines
    title = f"{run.name} · {run.state}" + (f" · {subtitle}" if subtitle else "")
    return panels_html(panels, title=title, marks=marks, snapshot_of=run_id)


def _color(split: str) -> str | None:
    return {"train": "#1f77b4", "validation": "#ff7f0e"}.get(split)


def _bad(value: BadValue) -> dict[str, Any]:
    key = value.metric if value.split == "train" else f"val_{value.metric}"
    return {
        "key": f"{value.split}/{value.metric}",
        "label": key,
        "step": value.step,
        "value": str(value.value),
    }
