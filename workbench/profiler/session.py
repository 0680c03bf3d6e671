"""Starting and stopping TensorFlow's profiler, one capture at a time, with clear errors.

``tf.profiler.experimental.start(logdir)`` writes ``logdir/plugins/profile/<time>/<host>.xplane.pb``
when stopped: the layout TensorBoard's profile plugin reads. A second ``start`` raises
``AlreadyExistsError: Another profiler is running.`` and a ``stop`` with none running
``UnavailableError``: both become a ``ProfilerError`` that says who holds the profiler and what
to do. A capture is bounded in time (``max_seconds``: a timer thread stops it; TensorFlow's
profiler can be stopped from another thread while one trains).

TensorFlow names the capture's folder after the second it stopped in: two captures stopped in one
second would share a folder and the second would overwrite the first's file. ``stop`` waits for
the next second when a folder of this second exists. The first start in a process also sets the
profiler up (a few tenths of a second): ``warm_up`` does that once, outside what is measured, as
Keras' ``TensorBoard(profile_batch=...)`` does.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Any

from workbench._version import __version__
from workbench.profiler import known
from workbench.profiler.errors import ProfilerError

__all__ = ["META", "Session", "active", "warm_up"]

META = "workbench_profile.json"  # what the workbench knows of a capture, beside its files
_lock = threading.RLock()
_active: Session | None = None
_warmed = False


def active() -> Session | None:
    """The capture this process is running, if any."""
    return _active


def warm_up() -> None:
    """Sets TensorFlow's profiler up once per process (a start and a stop that save nothing)."""
    global _warmed
    with _lock:
        if _warmed or _active is not None:
            return
        import tensorflow as tf

        try:
            tf.profiler.experimental.start("")
            tf.profiler.experimental.stop(save=False)
        except tf.errors.OpError:  # someone else's profiler runs: no warm-up, no harm
            return
        _warmed = True


def _folders(logdir: Path) -> dict[Path, float]:
    root = logdir / "plugins" / "profile"
    try:
        return {p: p.stat().st_mtime for p in root.iterdir() if p.is_dir()}
    except OSError:
        return {}


class Session:
    """One capture: ``start()``, the profiled work, ``stop()`` -> the capture's folder.

    Args:
        logdir: where TensorFlow writes (``logdir/plugins/profile/<time>/``).
        label: what started it, for messages ("workbench.profile()", "LiveCurves steps 10-15").
        max_seconds: stop after this long (None: when asked).
        meta: written beside the capture as ``workbench_profile.json``.
    """

    def __init__(
        self,
        logdir: str | Path,
        *,
        label: str,
        max_seconds: float | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        if max_seconds is not None and not max_seconds > 0:
            raise ValueError(f"Expected max_seconds > 0 or None. Received: {max_seconds!r}")
        self.logdir = Path(logdir)
        self.label = label
        self.max_seconds = max_seconds
        self.meta: dict[str, Any] = dict(meta or {})
        self.started: float | None = None
        self.seconds = 0.0
        self.folder: Path | None = None
        self.stopped_by: str | None = None  # "timeout" when max_seconds ended it
        self._before: dict[Path, float] = {}
        self._timer: threading.Timer | None = None
        self._stop_lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.started is not None and self.folder is None and self.stopped_by is None

    def start(self) -> None:
        """Starts TensorFlow's profiler.

        Raises:
            ProfilerError: a capture is already running (ours or another tool's).
        """
        global _active
        import tensorflow as tf

        with _lock:
            if _active is not None:
                elapsed = time.monotonic() - (_active.started or time.monotonic())
                raise ProfilerError(
                    f"Expected no capture to be running. Received: {_active.label} has been "
                    f"capturing for {elapsed:.0f} s; wait for it to end (or interrupt the cell "
                    "that runs it) before starting another."
                )
            try:
                self.logdir.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise ProfilerError(
                    f"Could not create the profile folder {self.logdir}: {error}"
                ) from error
            self._before = _folders(self.logdir)
            try:
                tf.profiler.experimental.start(str(self.logdir))
            except tf.errors.AlreadyExistsError:
                raise ProfilerError(
                    "Expected TensorFlow's profiler to be free. Received: another profiler is "
                    "running in this kernel, not started by the workbench "
                    "(keras.callbacks.TensorBoard(profile_batch=...), "
                    "tf.profiler.experimental.start(), or a capture server). Stop it with "
                    "tf.profiler.experimental.stop(), then capture again."
                ) from None
            self.started = time.monotonic()
            _active = self
        known.add_logdir(self.logdir)
        known.set_pending(self.label, "capturing")
        if self.max_seconds is not None:
            self._timer = threading.Timer(self.max_seconds, self._timeout)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> Path:
        """Stops the profiler (once; again returns the same folder) and returns the capture's
        folder.

        Raises:
            ProfilerError: the profiler was stopped by something else, or wrote nothing.
        """
        global _active
        import tensorflow as tf

        with self._stop_lock:
            if self.folder is not None:
                return self.folder
            if self.started is None:
                raise ProfilerError(f"Expected {self.label} to have started. Received: stop()")
            if self._timer is not None and threading.current_thread() is not self._timer:
                self._timer.cancel()
            self._wait_for_a_fresh_second()
            try:
                tf.profiler.experimental.stop()
            except tf.errors.UnavailableError:
                raise ProfilerError(
                    f"Expected {self.label}'s capture to be running. Received: no profiler was "
                    "running (tf.profiler.experimental.stop() was called elsewhere, e.g. in "
                    "another cell or a callback); nothing was saved."
                ) from None
            finally:
                with _lock:
                    if _active is self:
                        _active = None
                    self.seconds = time.monotonic() - self.started
                known.set_pending(self.label, None)
            self.folder = self._new_folder()
            self._write_meta()
            return self.folder

    def _timeout(self) -> None:
        try:
            self.stopped_by = "timeout"
            self.stop()
        except ProfilerError:  # the owner hears of it when it stops
            pass

    def _wait_for_a_fresh_second(self) -> None:
        root = self.logdir / "plugins" / "profile"
        while (root / time.strftime("%Y_%m_%d_%H_%M_%S")).exists():
            time.sleep(1.0 - time.time() % 1.0 + 0.01)

    def _new_folder(self) -> Path:
        after = _folders(self.logdir)
        new = [p for p in after if p not in self._before]
        changed = [p for p, mtime in after.items() if self._before.get(p, mtime) != mtime]
        found = sorted(new or changed, key=lambda p: after[p])
        if not found:
            raise ProfilerError(
                f"TensorFlow's profiler stopped but wrote nothing under "
                f"{self.logdir / 'plugins' / 'profile'}"
            )
        return found[-1]

    def _write_meta(self) -> None:
        assert self.folder is not None
        meta = {
            "label": self.label,
            "seconds": round(self.seconds, 3),
            "stopped_by": self.stopped_by or "stop",
            "workbench": __version__,
            **self.meta,
        }
        with contextlib.suppress(OSError):  # a read-only folder: the capture itself is fine
            (self.folder / META).write_text(json.dumps(meta, indent=1))
