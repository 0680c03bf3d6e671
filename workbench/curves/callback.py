"""A Keras callback that feeds a run (``curves.feed``): per-batch training metrics, per-epoch
training and validation metrics. It draws nothing: the feed tells observers (the live view) at
most every ``interval`` seconds, at once of a new NaN/Inf, and at the end."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import keras

from workbench._cells import after_current_cell
from workbench.curves.feed import Feed, Observer, Progress
from workbench.curves.start import start_run
from workbench.curves.store import DEFAULT_LOGDIR, BadValue, Run
from workbench.profiler.steps import CaptureWatcher, StepCapture, StepWindow, window


class CurvesCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """Collects ``fit``'s metrics into a :class:`~workbench.curves.store.Run`, through a
    :class:`~workbench.curves.feed.Feed`.

    Args:
        logdir: where event files go (``logdir/<run>/train`` and ``.../validation``), read by
            TensorBoard and ``workbench.runs(logdir)``; None keeps the run in memory only.
        run: the run's name; default ``run-<date>-<time>``. A name already used in ``logdir``
            gets a suffix (``big-2``), unless ``resume``.
        metrics: the metrics to keep (``"loss"`` also keeps ``"val_loss"``); default all.
        stop_on_nan: stop training at the first NaN or infinite value.
        interval: seconds between observer updates (the live view's frame rate).
        observers: watchers of each run this callback feeds (a live view).
        resume: continue the run named ``run`` in ``logdir`` (steps and epochs after its own,
            in new event files of its folder) instead of starting a new one.
        profile_steps: profile global steps ``(first, last)`` (1-based, as Keras'
            ``TensorBoard(profile_batch=...)``), one step, or True (steps 11-15); the capture goes
            to ``<run>/train/plugins/profile/`` and is converted off the training thread.
        profile_watcher: told when that capture starts, stops and is ready (a view).
    """

    def __init__(
        self,
        logdir: str | Path | None = DEFAULT_LOGDIR,
        run: str | None = None,
        metrics: Sequence[str] | None = None,
        *,
        stop_on_nan: bool = False,
        interval: float = 0.1,
        observers: Iterable[Observer] = (),
        resume: bool = False,
        profile_steps: tuple[int, int] | int | bool | None = None,
        profile_watcher: CaptureWatcher | None = None,
    ) -> None:
        super().__init__()
        if resume and (run is None or logdir is None):
            raise ValueError(
                "Expected a run name and a logdir with resume=True (the run to continue). "
                f"Received: run={run!r}, logdir={logdir!r}"
            )
        if interval < 0:
            raise ValueError(f"Expected interval to be >= 0 seconds. Received: {interval!r}")
        if isinstance(metrics, str):
            raise TypeError(
                f"Expected metrics to be a list of names, e.g. ['loss']. Received: {metrics!r}"
            )
        self.logdir = Path(logdir) if logdir is not None else None
        self.run_name = run
        self.metrics = None if metrics is None else {m.removeprefix("val_") for m in metrics}
        self.stop_on_nan = stop_on_nan
        self.interval = interval
        self.observers = list(observers)
        self.resume = resume
        self.feed: Feed | None = None
        self._epoch_start = 0  # the global step the current epoch began at
        self._epoch_offset = 0  # epochs a resumed run held before this fit
        self._first_epoch: int | None = None
        self.profile_window: StepWindow | None = (
            None if profile_steps is None or profile_steps is False else window(profile_steps)
        )
        self.profile_watcher = profile_watcher
        self.capture: StepCapture | None = None  # this fit's step capture, if asked
        self._steps_per_epoch: int | None = None

    @property
    def run(self) -> Run | None:
        return None if self.feed is None else self.feed.run

    @property
    def bad(self) -> list[BadValue]:
        return [] if self.feed is None else self.feed.bad

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        # a new feed per fit: a reused callback starts fresh (and a used name is not reused)
        run = start_run(self.run_name, self.logdir, resume=self.resume)
        if self.run_name is not None and run.name != self.run_name:
            print(
                f"LiveCurves: a run {self.run_name!r} is in {self.logdir}; this one is "
                f"{run.name!r} (LiveCurves(..., resume=True) continues {self.run_name!r})"
            )
        held = run.epochs_done()
        feed = self.feed = Feed(
            run,
            source="LiveCurves",
            interval=self.interval,
            observers=self.observers,
            on_bad=self._on_bad,
        )
        params = self.params or {}
        epochs, steps = params.get("epochs"), params.get("steps")
        # a fit resumed by BackupAndRestore or workbench.checkpoint starts at a later epoch
        first = getattr(self.model, "_initial_epoch", None) or 0
        left = epochs - first if epochs else None
        feed.plan(epochs, feed.step + left * steps if left is not None and steps else None)
        self._epoch_start = feed.step  # a resumed run's steps go on after its own
        self._epoch_offset = held
        self._first_epoch = None
        self._steps_per_epoch = steps
        capture = self.capture = self._new_capture(run)

        def after_cell(error: BaseException | None) -> None:
            # fit returned without on_train_end: interrupted, or it raised
            if capture is not None:
                capture.finish("interrupted" if isinstance(error, KeyboardInterrupt) else "failed")
            if feed.open:
                failed = error is not None and not isinstance(error, KeyboardInterrupt)
                feed.close("failed" if failed else "interrupted")

        after_current_cell(after_cell)

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self.feed is not None:
            if self._first_epoch is None:  # fit(initial_epoch=k) counts from k already
                self._first_epoch = epoch
                self._epoch_offset = max(0, self._epoch_offset - epoch)
            self.feed.epoch = epoch
            self._epoch_start = self.feed.step

    def on_train_batch_begin(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self.capture is not None:  # one comparison a batch outside the profiled steps
            self.capture.begin(self._epoch_start + batch + 1)

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self.capture is not None:
            # with steps_per_execution=N Keras reports the call's last batch index, which the
            # epoch's last call overshoots
            last = batch + 1 if not self._steps_per_epoch else min(batch + 1, self._steps_per_epoch)
            self.capture.end(self._epoch_start + last)
        if self.feed is None:
            return
        # Keras passes the index of the last batch the call covered: with steps_per_execution=N
        # this hook fires once per N batches, so counting calls would undercount steps.
        step = self._epoch_start + batch + 1
        self.feed.log(step, self._keep(logs, validation=False), split="train", kind="batch")

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        feed = self.feed
        if feed is None:
            return
        # In memory at the step the epoch ended on; in the event files at the epoch index, as
        # Keras' TensorBoard callback writes them (the convention is in curves/store.py).
        for split, validation in (("train", False), ("validation", True)):
            values = self._keep(logs, validation=validation)
            feed.log(feed.step, values, split=split, kind="epoch", epoch=epoch + self._epoch_offset)

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        if self.capture is not None:
            self.capture.finish("the fit ended")
        self.close("finished")  # the final state reaches observers here, throttle or not

    def close(self, state: str = "finished") -> None:
        """End the run (idempotent): files flushed and closed, observers told."""
        if self.feed is not None:
            self.feed.close(state)

    def progress(self) -> Progress:
        """Epoch, step, ETA and latest values, and the same as one line of text."""
        if self.feed is None:
            raise RuntimeError("Expected a fit to have started: progress() has no run yet.")
        return self.feed.progress()

    def _new_capture(self, run: Run) -> StepCapture | None:
        """This fit's step capture, when profile steps were asked (set up before the steps)."""
        if self.profile_window is None:
            return None
        folder = run.path if run.path is not None else Path(DEFAULT_LOGDIR) / "profiles" / run.name
        capture = StepCapture(
            self.profile_window,
            folder / "train",  # where Keras' TensorBoard(profile_batch=...) writes its captures
            label=f"run {run.name}",
            watcher=self.profile_watcher,
            meta={"run": run.name, "source": "fit"},
        )
        capture.prepare()
        return capture

    def _keep(self, logs: Mapping[str, Any] | None, *, validation: bool) -> dict[str, float]:
        kept = {}
        for name, value in (logs or {}).items():
            if name.startswith("val_") != validation:
                continue
            metric = name.removeprefix("val_")
            if self.metrics is None or metric in self.metrics:
                kept[metric] = float(value)
        return kept

    def _on_bad(self, bad: list[BadValue]) -> str:
        if self.stop_on_nan and self.model is not None:
            self.model.stop_training = True
            return "stopping (stop_on_nan=True)."
        return "training goes on (LiveCurves(stop_on_nan=True) stops it)."
