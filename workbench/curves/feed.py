"""One run's feed: the single way metrics reach a run store and everyone watching it.

Keras' ``fit`` (``LiveCurves``), ``workbench.run().log`` in a custom loop, and later the workers
of a launched job and a profiler attached to a run all go through a :class:`Feed`. It records
each point in the :class:`~workbench.curves.store.Run` (microseconds: the hot path), reports the
first NaN/Inf of each series once, keeps the progress line, and fans out, at most every
``interval`` seconds (at once for a bad value, and at the end), to its observers (the live
view) and to the registry (files flushed, the kernel service's ``runs`` topic). Closing is
idempotent: on the end of training, an interrupt, or a failure, observers hear it once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, Protocol, TypedDict

from workbench.curves import registry
from workbench.curves.store import BadValue, Run


class Progress(TypedDict):
    """Where a run is: epoch and step (of their totals when known), ETA, latest values, and the
    same as one line of text."""

    epoch: int | None
    epochs: int | None
    step: int
    steps: int | None
    eta_seconds: float | None
    latest: dict[str, float]
    text: str


class Observer(Protocol):
    """What watches a run (a live view): told when it starts, progresses and ends."""

    def started(self, run: Run) -> None: ...
    def updated(self, run: Run, progress: Progress, bad: list[BadValue]) -> None: ...
    def ended(self, run: Run, progress: Progress) -> None: ...


class Feed:
    """Feeds ``run`` and tells its watchers.

    Args:
        run: the run store the points go to (registered as this process's run at once).
        source: how messages name the feeder, e.g. ``"LiveCurves"`` or ``"run big"``.
        interval: seconds between observer updates (the live view's frame rate).
        observers: watchers of the run (views); they only observe.
        on_bad: called with the new bad values (e.g. to stop training); returns the words that
            end the report line ("stopping (stop_on_nan=True)"), or "" for none.
        report: where the NaN/Inf line goes (default ``print``: the cell's output).
    """

    def __init__(
        self,
        run: Run,
        *,
        source: str,
        interval: float = 0.1,
        observers: Iterable[Observer] = (),
        on_bad: Callable[[list[BadValue]], str] | None = None,
        report: Callable[[str], None] = print,
    ) -> None:
        if interval < 0:
            raise ValueError(f"Expected interval to be >= 0 seconds. Received: {interval!r}")
        self.run = run
        self.source = source
        self.interval = interval
        self.observers = list(observers)
        self.on_bad = on_bad
        self.report = report
        self.bad: list[BadValue] = []
        self.step = run.summary()[1]  # the latest step logged (a resumed run's own, at first)
        self._first_step = self.step
        self.epoch: int | None = None  # 0-based, for feeders that know epochs
        self.epochs: int | None = None
        self.total_steps: int | None = None
        self._latest: dict[str, float] = {}
        self._started = time.monotonic()
        self._next_update = 0.0
        registry.opened(run)
        for observer in self.observers:
            observer.started(run)

    @property
    def open(self) -> bool:
        return self.run.state == "running"

    def plan(self, epochs: int | None = None, total_steps: int | None = None) -> None:
        """What the feeder expects (``fit``'s epochs and steps), for the progress line's ETA."""
        self.epochs, self.total_steps = epochs, total_steps

    def log(
        self,
        step: int,
        metrics: Mapping[str, float],
        *,
        split: str = "train",
        kind: Literal["batch", "epoch"] = "batch",
        epoch: int | None = None,
    ) -> list[BadValue]:
        """Record ``metrics`` at ``step`` (see ``Run.log``); returns the new bad values."""
        bad = self.run.log(step, metrics, split=split, kind=kind, epoch=epoch)
        self.step = max(self.step, step) if kind == "epoch" else step
        prefix = "" if split == "train" else "val_"
        for name, value in metrics.items():
            self._latest[prefix + name] = float(value)
        if bad:
            self._bad(bad)
        now = time.monotonic()
        if bad or now >= self._next_update:
            self._next_update = now + self.interval
            self._update(bad)
        return bad

    def close(self, state: str = "finished") -> None:
        """End the run (idempotent): files flushed and closed, watchers told once."""
        if not self.open:
            return
        self.run.close(state)
        registry.closed(self.run)
        progress = self.progress()
        for observer in self.observers:
            observer.ended(self.run, progress)

    def progress(self) -> Progress:
        elapsed = time.monotonic() - self._started
        total, step = self.total_steps, self.step
        done = step - self._first_step
        eta = elapsed / done * (total - step) if total and done > 0 and total >= step else None
        parts = []
        if self.epochs:
            epoch = 0 if self.epoch is None else self.epoch
            parts.append(f"epoch {min(epoch + 1, self.epochs)}/{self.epochs}")
        parts.append(f"step {step}" + (f"/{total}" if total else ""))
        if self.open:
            parts.append(f"ETA {_duration(eta)}" if eta is not None else _duration(elapsed))
        else:
            parts.append(f"took {_duration(elapsed)}")
        parts.extend(f"{k} {v:.4g}" for k, v in sorted(self._latest.items()))
        return Progress(
            epoch=None if self.epoch is None else self.epoch + 1,
            epochs=self.epochs,
            step=step,
            steps=total,
            eta_seconds=eta,
            latest=dict(self._latest),
            text=" · ".join(parts),
        )

    def _bad(self, bad: list[BadValue]) -> None:
        self.bad.extend(bad)
        ending = self.on_bad(bad) if self.on_bad is not None else ""
        for value in bad:
            what = value.metric if value.split == "train" else f"val_{value.metric}"
            line = f"{self.source}: {what} became {value.value} at step {value.step}"
            self.report(line + (f"; {ending}" if ending else ""))

    def _update(self, bad: list[BadValue]) -> None:
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
