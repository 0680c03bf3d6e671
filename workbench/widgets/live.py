"""``workbench.LiveCurves`` (Keras callback) and ``workbench.run()`` (custom loops): a run fed
through one :class:`~workbench.curves.feed.Feed`, shown by a live widget that only observes it and,
when the run ends, is replaced by the run's final chart (what the saved notebook keeps)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.curves.callback import CurvesCallback
from workbench.curves.feed import Feed, Progress
from workbench.curves.start import start_run
from workbench.curves.store import DEFAULT_LOGDIR, BadValue, Run

_ids = itertools.count(1)


class LiveView:
    """Observer of a run: a widget while it runs, replaced by the run's chart when it ends."""

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
            self.widget.show()

    def updated(self, run: Run, progress: Progress, bad: list[BadValue]) -> None:
        if self.widget is not None:
            self.widget.push()
            self.widget.update(progress=progress["text"], bad=bad)

    def ended(self, run: Run, progress: Progress) -> None:
        if self.widget is None:
            return
        self.widget.push(final=True)
        self.widget.update(progress=progress["text"], state=run.state)
        # the run's chart in the view's output: what a saved or reopened notebook shows, kernel
        # or not; an unshown widget is closed (ipywidgets holds an open one, and so its run)
        self.widget.conclude(subtitle=progress["text"])


class LiveCurves(CurvesCallback):
    """Live training curves for ``model.fit``, written to TensorBoard event files as well.

    Per-batch training metrics and per-epoch validation metrics, one panel per metric with
    training and validation overlaid, log scale and smoothing controls, and a progress line.
    The plot is redrawn at most ``1 / interval`` times a second with what changed in the
    picture (traffic bounded at any batch rate); collecting a batch's metrics costs
    microseconds. When training ends or is interrupted, the live plot is replaced by the run's
    final chart as it last looked (plotly, with an SVG for front ends without it), so a saved
    notebook shows the curves without a kernel.

    Args:
        logdir: where event files go (``logdir/<run>/train``, ``.../validation``); None: memory.
        run: the run's name; default ``run-<date>-<time>``. A name already used in ``logdir``
            gets a suffix (``big-2``): two fits never mix their points, unless ``resume``.
        metrics: metrics to keep (``"loss"`` keeps ``val_loss`` too); default all.
        stop_on_nan: stop training at the first NaN or infinite value (default: report it once
            and go on).
        resume: continue the run named ``run`` (its steps and epochs go on; its curves stay).
        interval: seconds between redraws.
        smoothing: initial smoothing of the plot (0 to 0.99, as in TensorBoard).
        display: show the live plot, and the final chart in its place (False: only the run
            store and event files; the widget is closed when the run ends, like a shown one).
        profile_steps: profile global steps ``(first, last)`` (1-based, as Keras'
            ``TensorBoard(profile_batch=...)``), one step, or True (steps 11-15) while the fit
            goes on: the capture goes to ``<run>/train/plugins/profile/`` and shows below the
            curves (verdict, breakdown, timeline) once converted off the training thread.

    Example:
        >>> model.fit(x, y, epochs=5, validation_split=0.2, callbacks=[LiveCurves()])
        >>> model.fit(ds, epochs=2, callbacks=[LiveCurves(profile_steps=(10, 15))])
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
        resume: bool = False,
        profile_steps: tuple[int, int] | int | bool | None = None,
    ) -> None:
        if not 0 <= smoothing < 1:
            raise ValueError(f"Expected smoothing in [0, 1). Received: {smoothing!r}")
        self.view = LiveView(smoothing=smoothing, show=display)
        outputs = None
        if profile_steps is not None and profile_steps is not False:
            from workbench.widgets.profile_output import ProfileOutputs

            outputs = ProfileOutputs(show=display)
        super().__init__(
            logdir,
            run,
            metrics,
            stop_on_nan=stop_on_nan,
            interval=interval,
            observers=[self.view],
            resume=resume,
            profile_steps=profile_steps,
            profile_watcher=outputs,
        )

    @property
    def widget(self) -> Any:
        return self.view.widget

    @property
    def profile(self) -> Any:
        """The profile of the last fit's ``profile_steps`` (a ``workbench.Profile``), or None."""
        if self.capture is None:
            return None
        from workbench.widgets.profile import Profile

        return Profile(capture=self.capture)


class RunLogger:
    """What ``workbench.run()`` yields: ``log(step, **metrics)`` for a custom training loop."""

    def __init__(self, feed: Feed, view: LiveView) -> None:
        self.feed = feed
        self.view = view
        self._profiler: Any = None  # a LoopProfiler once profile() is called

    @property
    def widget(self) -> Any:
        return self.view.widget

    @property
    def run(self) -> Run:
        return self.feed.run

    @property
    def bad(self) -> list[BadValue]:
        return self.feed.bad

    def log(self, step: int | None = None, *, split: str = "train", **metrics: float) -> None:
        """Record metrics at ``step`` (default: one after the last); ``split="validation"`` for
        validation values. Cheap: the plot is redrawn at most every ``interval`` seconds."""
        step = self.feed.step + 1 if step is None else int(step)
        self.feed.log(step, {name: float(value) for name, value in metrics.items()}, split=split)
        if self._profiler is not None and split == "train":  # one comparison outside its steps
            self._profiler.logged(step)

    def profile(self, steps: tuple[int, int] | int | bool = True) -> Any:
        """Profile steps ``(first, last)`` of this loop (True: steps 11-15), counted as ``log``
        counts them; each is marked for xprof from one ``log`` to the next, and the profile shows
        in the cell's output once converted. Returns the ``workbench.Profile`` it fills.

        Example:
            >>> with workbench.run("big") as r:
            ...     r.profile(steps=(20, 25))
            ...     for step in range(1, 101):
            ...         r.log(step, loss=train_step())
        """
        from workbench.widgets.profile_loop import LoopProfiler

        if self._profiler is not None:
            self._profiler.closed("replaced")
        self._profiler = LoopProfiler(self.feed, steps, show=self.view.show)
        return self._profiler.profile

    def progress(self) -> Progress:
        return self.feed.progress()

    def close(self, state: str = "finished") -> None:
        if self._profiler is not None:
            self._profiler.closed(state)
        self.feed.close(state)


@contextmanager
def run(
    name: str | None = None,
    logdir: str | Path | None = DEFAULT_LOGDIR,
    *,
    interval: float = 0.1,
    smoothing: float = 0.6,
    display: bool = True,
    resume: bool = False,
) -> Iterator[RunLogger]:
    """A run for a custom training loop, with the same live plot and files as LiveCurves.

    Args:
        name: the run's name (default ``run-<date>-<time>``); a name already used in ``logdir``
            gets a suffix (``sgd-0.1-2``) unless ``resume``.
        logdir: where its event files go; None keeps it in memory only.
        interval: seconds between redraws.
        smoothing: initial smoothing of the plot (0 to 0.99).
        display: show the live plot.
        resume: continue the run ``name`` of ``logdir``: ``log()`` without a step goes on after
            its last step, and its points stay in the plot.

    Example:
        >>> with workbench.run("sgd-0.1", logdir="runs") as r:
        ...     for step in range(1000):
        ...         r.log(step, loss=train_step())
    """
    path = Path(logdir) if logdir is not None else None
    store = start_run(name, path, resume=resume)
    if name is not None and store.name != name:
        print(f"run {name!r} is in {path}; this one is {store.name!r} (resume=True continues it)")
    view = LiveView(smoothing=smoothing, show=display)
    feed = Feed(store, source=f"run {store.name}", interval=interval, observers=[view])
    logger = RunLogger(feed, view)
    try:
        yield logger
    except KeyboardInterrupt:
        logger.close("interrupted")
        raise
    except BaseException:
        logger.close("failed")
        raise
    logger.close("finished")
