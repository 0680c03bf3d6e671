"""The job's metrics on their way to its run, off the monitor's thread.

Feeding a run can take long: the first point of a run with a logdir opens its event files, which
imports TensorFlow (seconds, tens of seconds on a loaded machine). The thread that watches the
workers must not wait for that: while it waits it hears no heartbeat, and would then call every
worker hung. So the points go through a queue to a thread of their own, in order, and the run
is closed after the last of them.
"""

from __future__ import annotations

import queue
import threading
import traceback
from collections.abc import Callable
from typing import Any

from workbench.distribute.job_state import MetricsSink

CLOSE_TIMEOUT = 60.0  # seconds the job's end waits for its queued points to reach the run


class SinkThread:
    """Calls ``sink()``'s methods in order on a daemon thread (started at the first call)."""

    def __init__(self, sink: Callable[[], MetricsSink | None], name: str) -> None:
        self._sink = sink
        self._name = name
        self._queue: queue.SimpleQueue[tuple[str, tuple[Any, ...], dict[str, Any]] | None] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def log(self, *args: Any, **kwargs: Any) -> None:
        self._put("log", args, kwargs)

    def plan(self, *args: Any, **kwargs: Any) -> None:
        self._put("plan", args, kwargs)

    def close(self, state: str, *, wait: bool = True) -> None:
        """Close the run after every queued point; with ``wait``, return when done (or after a
        bound)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._thread is None:  # nothing was queued: close here
            self._call("close", (state,), {})
            return
        self._queue.put(("close", (state,), {}))
        self._queue.put(None)
        if wait:
            self._thread.join(CLOSE_TIMEOUT)

    def _put(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put((method, args, kwargs))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            self._call(*item)

    def _call(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        sink = self._sink()
        if sink is None:
            return
        try:
            if method == "log" and kwargs.get("kind") == "epoch" and hasattr(sink, "epoch"):
                # the run's progress line counts epochs from the epoch its points are in (a
                # Keras callback sets it at each epoch's start; a job's points carry it)
                sink.epoch = kwargs.get("epoch")
            getattr(sink, method)(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a run that cannot be written must not stop the job
            traceback.print_exc()
