"""A Keras callback that feeds a run store: per-batch training metrics, per-epoch training and
validation metrics. It draws nothing: observers (the live view) are told at most every
``interval`` seconds, at once of a new NaN/Inf, and at the end."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import keras

from workbench.curves import registry
from workbench.curves.store import DEFAULT_LOGDIR, BadValue, Run


class Observer(Protocol):
    def started(self, run: Run) -> None: ...
    def updated(self, run: Run, progress: dict[str, Any], bad: list[BadValue]) -> None: ...
    def ended(self, run: Run, progress: dict[str, Any]) -> None: ...


def new_run_name(logdir: Path | None) -> str:
    name = datetime.now().strftime("run-%Y%m%d-%H%M%S")
    if logdir is None or not (logdir / name).exists():
        return name
    suffix = 2
    while (logdir / f"{name}-{suffix}").exists():
        suffix += 1
    return f"{name}-{suffix}"


class CurvesCallback(keras.callbacks.Callback):  # type: ignore[misc]
    """Collects ``fit``'s metrics into a :class:`~workbench.curves.store.Run`.

    Args:
        logdir: where event files go (``logdir/<run>/train`` and ``.../validation``), read by
            TensorBoard and ``workbench.runs(logdir)``; None keeps the run in memory only.
        run: the run's name; default ``run-<date>-<time>``.
        metrics: the metrics to keep (``"loss"`` also keeps ``"val_loss"``); default all.
        stop_on_nan: stop training at the first NaN or infinite value.
        interval: seconds between observer updates (the live view's frame rate).
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
    ) -> None:
        super().__init__()
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
        self.run: Run | None = None
        self.bad: list[BadValue] = []
        self._reset()

    def _reset(self) -> None:
        """Per-fit state: set again by every ``on_train_begin``, so a callback can be reused."""
        self.bad = []
        self._step = 0  # global training step: batches done since the fit began
        self._epoch = 0
        self._epoch_start = 0  # the global step the current epoch began at
        self._next_update = 0.0
        self._started = time.monotonic()
        self._latest: dict[str, float] = {}

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        name = self.run_name or new_run_name(self.logdir)
        self._reset()
        self.run = Run(name, self.logdir)
        registry.opened(self.run)
        for observer in self.observers:
            observer.started(self.run)

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._epoch = epoch
        self._epoch_start = self._step

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self.run is None:
            return
        # Keras passes the index of the last batch the call covered: with steps_per_execution=N
        # this hook fires once per N batches, so counting calls would undercount steps.
        self._step = self._epoch_start + batch + 1
        values = self._keep(logs, validation=False)
        self._latest.update(values)
        bad = self.run.log(self._step, values, split="train", kind="batch")
        if bad:
            self._bad(bad)
        self._maybe_update(bad)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self.run is None:
            return
        train = self._keep(logs, validation=False)
        validation = self._keep(logs, validation=True)
        # In memory at the step the epoch ended on; in the event files at the epoch index, as
        # Keras' TensorBoard callback writes them (the convention is in curves/store.py).
        bad = self.run.log(self._step, train, split="train", kind="epoch", epoch=epoch)
        bad += self.run.log(self._step, validation, split="validation", kind="epoch", epoch=epoch)
        self._latest.update(train)
        self._latest.update({f"val_{k}": v for k, v in validation.items()})
        if bad:
            self._bad(bad)
        self._maybe_update(bad)

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        self.close("finished")  # the final state reaches observers here, throttle or not

    def close(self, state: str = "finished") -> None:
        """End the run (idempotent): files flushed and closed, observers told."""
        run = self.run
        if run is None or run.state != "running":
            return
        run.close(state)
        registry.closed(run)
        progress = self.progress()
        for observer in self.observers:
            observer.ended(run, progress)

    def progress(self) -> dict[str, Any]:
        """Epoch, step, ETA and latest values, and the same as one line of text."""
        params = self.params or {}
        epochs, steps = params.get("epochs"), params.get("steps")
        elapsed = time.monotonic() - self._started
        total = epochs * steps if epochs and steps else None
        eta = elapsed / self._step * (total - self._step) if total and self._step else None
        parts = []
        if epochs:
            parts.append(f"epoch {min(self._epoch + 1, epochs)}/{epochs}")
        parts.append(f"step {self._step}" + (f"/{total}" if total else ""))
        if self.run is not None and self.run.state == "running" and eta is not None:
            parts.append(f"ETA {_duration(eta)}")
        else:
            parts.append(f"took {_duration(elapsed)}")
        parts.extend(f"{k} {v:.4g}" for k, v in sorted(self._latest.items()))
        return {
            "epoch": self._epoch + 1,
            "epochs": epochs,
            "step": self._step,
            "steps": total,
            "eta_seconds": eta,
            "latest": dict(self._latest),
            "text": " · ".join(parts),
        }

    def _keep(self, logs: Mapping[str, Any] | None, *, validation: bool) -> dict[str, float]:
        kept = {}
        for name, value in (logs or {}).items():
            if name.startswith("val_") != validation:
                continue
            metric = name.removeprefix("val_")
            if self.metrics is None or metric in self.metrics:
                kept[metric] = float(value)
        return kept

    def _bad(self, bad: list[BadValue]) -> None:
        self.bad.extend(bad)
        for value in bad:
            what = value.metric if value.split == "train" else f"val_{value.metric}"
            print(
                f"LiveCurves: {what} became {value.value} at step {value.step}; "
                + (
                    "stopping (stop_on_nan=True)."
                    if self.stop_on_nan
                    else "training goes on (LiveCurves(stop_on_nan=True) stops it)."
                )
            )
        if self.stop_on_nan and self.model is not None:
            self.model.stop_training = True

    def _maybe_update(self, bad: list[BadValue]) -> None:
        """The throttled path: at most every ``interval`` seconds, or at once for a bad value
        (rare: the first NaN/Inf of a series), so the plot marks it at the step it happened."""
        now = time.monotonic()
        if not bad and now < self._next_update:
            return
        self._next_update = now + self.interval
        self._update(bad)

    def _update(self, bad: list[BadValue]) -> None:
        if self.run is None:
            return
        registry.progressed(self.run)
        if not self.observers:
            return
        progress = self.progress()
        for observer in self.observers:
            observer.updated(self.run, progress, bad)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
