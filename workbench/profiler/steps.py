"""Capturing steps a..b of a running training loop, then converting the capture off the loop's
thread.

A training loop tells a :class:`StepCapture` where it is: ``begin(step)`` before a call that runs
steps ``step``, ``step + 1``, ... and ``end(step)`` after the call whose last step was ``step``
(Keras' batch hooks; with ``steps_per_execution=N`` they fire once per N steps, so the capture
starts at the first call at or after step a and says which steps it got). Outside its window each
call is one comparison: profiling must not slow a fit before or after the steps it captures.
Inside, each call is wrapped in a step marker (``tf.profiler.experimental.Trace("train",
step_num=step, _r=1)``), which is what lets xprof measure steps.

When the window ends (step b, ``max_steps``, ``max_seconds``, the loop ending first, or an
interrupt) the profiler stops on the loop's thread (~0.1 s) and a worker thread, at a lower CPU
priority, converts the capture with xprof and builds its timeline index while training goes on;
the watcher hears of each stage.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from workbench.profiler import known
from workbench.profiler.capture import CaptureData
from workbench.profiler.errors import ProfilerError
from workbench.profiler.session import Session, warm_up

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_STEPS", "MAX_STEPS", "CaptureWatcher", "StepCapture", "StepWindow", "window"]

DEFAULT_STEPS = (11, 15)  # profile_steps=True: five steps after ten of warm-up (tracing, caches)
MAX_STEPS = 100  # steps a window may span unless asked: the TensorFlow guide warns of long captures
MAX_SECONDS = 60.0


@dataclass
class StepWindow:
    """Steps ``first``..``last`` (1-based, inclusive, as Keras counts global batches)."""

    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.first}-{self.last}" if self.last != self.first else str(self.first)


def window(steps: Any) -> StepWindow:
    """``profile_steps`` as a window: ``(a, b)``, an int (one step) or True (``DEFAULT_STEPS``).

    Raises:
        ValueError: anything else, or a window that is empty or starts before step 1.
    """
    if steps is True:
        return StepWindow(*DEFAULT_STEPS)
    if isinstance(steps, int) and not isinstance(steps, bool):
        steps = (steps, steps)
    if (
        isinstance(steps, tuple | list)
        and len(steps) == 2
        and all(isinstance(s, int) and not isinstance(s, bool) for s in steps)
        and 1 <= steps[0] <= steps[1]
    ):
        first, last = steps
        if last - first + 1 > MAX_STEPS:
            raise ValueError(
                f"Expected at most {MAX_STEPS} steps to profile (long captures make huge files "
                f"and slow conversions). Received: {first}-{last} ({last - first + 1} steps)"
            )
        return StepWindow(first, last)
    raise ValueError(
        "Expected profile steps as (first, last) with 1 <= first <= last (1-based global "
        f"steps, as Keras' TensorBoard(profile_batch=...)), one step, or True. Received: {steps!r}"
    )


def _yield_to_training() -> None:
    """Lowers the calling thread's CPU priority (Linux: a thread has its own nice value), so a
    conversion competes less with the training it runs beside; elsewhere, nothing."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class CaptureWatcher(Protocol):
    """Who hears of a step capture (a view). Called on the loop's thread, except ``ready`` and
    ``failed``, which a conversion worker calls."""

    def capturing(self, capture: StepCapture) -> None: ...
    def converting(self, capture: StepCapture) -> None: ...
    def ready(self, capture: StepCapture, data: CaptureData) -> None: ...
    def failed(self, capture: StepCapture, error: BaseException) -> None: ...


class StepCapture:
    """Captures a window of a training loop's steps (see the module docstring).

    Args:
        steps: the window (``window(...)``).
        logdir: where the capture goes (``logdir/plugins/profile/<time>/``).
        label: who asked, for messages ("LiveCurves run big").
        watcher: told when the capture starts, stops, is converted or fails.
        max_seconds: stop after this long even before step b.
        report: where one-line notes go (which steps were captured and why they differ).
    """

    def __init__(
        self,
        steps: StepWindow,
        logdir: str | Path,
        *,
        label: str,
        watcher: CaptureWatcher | None = None,
        max_seconds: float | None = MAX_SECONDS,
        report: Callable[[str], None] = print,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.window = steps
        self.logdir = Path(logdir)
        self.label = label
        self.watcher = watcher
        self.max_seconds = max_seconds
        self.report = report
        self.meta = dict(meta or {})
        self.state = "waiting"  # waiting, capturing, converting, ready, failed
        self.first_step: int | None = None
        self.last_step: int | None = None
        self.reason = ""  # why the capture ended where it did
        self.data: CaptureData | None = None
        self.error: BaseException | None = None
        self.folder: Path | None = None
        self._session: Session | None = None
        self._marker: Any = None
        self._marker_class: Any = None
        self._started = 0.0
        self._worker: threading.Thread | None = None
        self.done_at: float | None = None  # time.monotonic() when the conversion ended

    @property
    def captured(self) -> str:
        """The steps captured so far, ``"11-15"``."""
        if self.first_step is None:
            return ""
        last = self.last_step if self.last_step is not None else self.first_step
        return f"{self.first_step}-{last}" if last != self.first_step else str(last)

    def prepare(self) -> None:
        """Sets the profiler up before the loop (once per process): not in the measured steps."""
        with contextlib.suppress(ImportError):  # no TensorFlow: begin() says so
            warm_up()

    # --- the loop's hooks: one comparison outside the window ----------------------------------

    def begin(self, step: int) -> None:
        """A call that runs ``step`` (and maybe the next few) is about to start."""
        if self.state == "waiting":
            if step < self.window.first:
                return
            self._start(step)
        if self.state == "capturing":
            self._marker = self._marker_class("train", step_num=step, _r=1)
            self._marker.__enter__()

    def end(self, step: int) -> None:
        """The call whose last step was ``step`` ended."""
        if self.state != "capturing":
            return
        self._close_marker()
        if self.last_step is None and self.first_step is not None and self._session is not None:
            # the first call's length: Keras runs steps_per_execution steps a call
            self._session.meta["steps_per_call"] = step - self.first_step + 1
        self.last_step = step
        if step >= self.window.last:
            self.stop("")
        elif self._session is not None and self._session.stopped_by == "timeout":
            self.stop(f"stopped after {self.max_seconds:g} s (max_seconds)")
        elif self.first_step is not None and step - self.first_step + 1 >= MAX_STEPS:
            self.stop(f"stopped at {MAX_STEPS} steps")

    def finish(self, reason: str) -> None:
        """The loop ended (``reason``: "the fit ended", "interrupted"): a capture still running
        stops and is converted; one that never started says so."""
        if self.state == "capturing":
            self._close_marker()
            self.stop(reason)
        elif self.state == "waiting":
            self.state = "skipped"
            self.report(
                f"{self.label}: no steps profiled: {reason} before step {self.window.first} "
                f"(profile_steps={self.window})."
            )

    # --- capture --------------------------------------------------------------------------------

    def _start(self, step: int) -> None:
        try:
            import tensorflow as tf

            self._marker_class = tf.profiler.experimental.Trace
            self._session = Session(
                self.logdir,
                label=self.label,
                max_seconds=self.max_seconds,
                meta={**self.meta, "window": [self.window.first, self.window.last]},
            )
            self._session.start()
        except ProfilerError as error:
            self._fail(error, on_loop=True)
            return
        self.state = "capturing"
        self.first_step = step
        self._started = time.monotonic()
        if self.watcher is not None:
            self.watcher.capturing(self)

    def stop(self, reason: str) -> None:
        """Stops the capture now and converts it on a worker thread."""
        if self.state != "capturing" or self._session is None:
            return
        self.reason = reason
        self._session.meta["steps"] = [self.first_step, self.last_step or self.first_step]
        try:
            self.folder = self._session.stop()
        except ProfilerError as error:
            self._fail(error, on_loop=True)
            return
        self.state = "converting"
        known.set_pending(self.label, "converting")
        note = self._note()
        if note:
            self.report(note)
        if self.watcher is not None:
            self.watcher.converting(self)
        self._worker = threading.Thread(
            target=self._convert, name="workbench-profile-convert", daemon=True
        )
        self._worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Waits for the conversion (tests, scripts); True when it is done."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
            return not worker.is_alive()
        return self.state not in ("capturing", "converting")

    def _convert(self) -> None:
        assert self.folder is not None
        _yield_to_training()
        try:
            data = CaptureData.open(self.folder).load()
        except Exception as error:  # noqa: BLE001 - ProfilerError, or xprof failing unforeseen
            self._fail(error, on_loop=False)
            return
        self.data = data
        self.done_at = time.monotonic()
        self.state = "ready"
        known.set_pending(self.label, None)
        if self.watcher is not None:
            try:
                self.watcher.ready(self, data)
            except Exception:  # a view failing to show it must not kill the worker silently
                log.exception("workbench: showing a profile failed")

    def _fail(self, error: BaseException, *, on_loop: bool) -> None:
        self.state = "failed"
        self.error = error
        known.set_pending(self.label, None)
        if self.watcher is not None:
            self.watcher.failed(self, error)
        elif on_loop:
            self.report(f"{self.label}: {error}")

    def _close_marker(self) -> None:
        if self._marker is not None:
            marker, self._marker = self._marker, None
            marker.__exit__(None, None, None)

    def _note(self) -> str:
        """Says which steps were captured when they are not the ones asked for."""
        asked = str(self.window)
        got = self.captured
        if got == asked and not self.reason:
            return ""
        why = f" ({self.reason})" if self.reason else ""
        spe = ""
        if self.first_step != self.window.first:
            spe = (
                "; the loop calls its hooks every few steps (steps_per_execution), so the "
                "capture began at the first call at or after step "
                f"{self.window.first}"
            )
        return f"{self.label}: profiled steps {got} of {asked}{why}{spe}."
