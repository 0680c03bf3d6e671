"""A launched job, whatever runs it: what users call (wait, results, cancel, logs) and the
consistent snapshot views read.

A backend (``local``: processes on this machine; ``ray``: Ray Train) starts the workers and tells
the job what happens from its own thread (``job_events.py``: the first fault ends the job, every
worker is stopped at once, and ``wait()`` raises the fault). The chief's metrics feed a run
(``curves.feed.Feed``), so curves and the side panel's Runs show it; observers (the live view)
hear of changes at most every ``interval`` seconds.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from workbench.distribute import jobs
from workbench.distribute.cluster import Task
from workbench.distribute.diagnosis import Fault
from workbench.distribute.errors import JobCancelled, WorkerError, WorkerHung, remote_error
from workbench.distribute.job_events import JobEvents
from workbench.distribute.job_state import (
    ENDED,
    TAIL,
    Backend,
    JobSnapshot,
    JobState,
    MetricsSink,
    Worker,
    WorkerSnapshot,
)
from workbench.distribute.sink_thread import SinkThread

__all__ = [
    "ENDED",
    "TAIL",
    "Backend",
    "Job",
    "JobObserver",
    "JobSnapshot",
    "JobState",
    "MetricsSink",
    "Worker",
    "WorkerSnapshot",
]


class JobObserver(Protocol):
    """What watches a job (its live view): told of changes, throttled, and of its end, once."""

    def job_updated(self, job: Job) -> None: ...
    def job_ended(self, job: Job) -> None: ...


class Job(JobEvents):
    """A job of worker processes, returned by ``workbench.launch`` at once.

    Attributes:
        name: the job's name (also its run's name in ``logdir``).
        state: ``starting``, ``running``, ``finished``, ``failed`` or ``cancelled``.
        workers: one :class:`Worker` per task, the chief first.

    Example:
        >>> job = workbench.launch(train, workers=2)
        >>> results = job.wait()  # by task: [worker 0's return value, worker 1's]
    """

    def __init__(
        self,
        name: str,
        tasks: list[Task],
        *,
        backend: str,
        sink: MetricsSink | None = None,
        run_name: str | None = None,
        observers: Iterable[JobObserver] = (),
        hang_timeout: float = 10.0,
        start_timeout: float = 120.0,
        interval: float = 0.25,
        log_dir: Path | None = None,
    ) -> None:
        self.id = jobs.new_id()
        self.name = name
        self.backend_name = backend
        self.workers = [Worker(task) for task in tasks]
        self.state: JobState = "starting"
        self.hang_timeout = hang_timeout
        self.start_timeout = start_timeout
        self.interval = interval
        self.log_dir = log_dir
        self.run_name = run_name
        self.observers = list(observers)
        self.backend: Backend | None = None
        self.faults: list[Fault] = []
        self.cause: Fault | None = None
        self.started = time.monotonic()
        self.ended: float | None = None
        self.sink = sink
        self._sink_thread = SinkThread(lambda: self.sink, f"workbench-{self.id}-run")
        self._last_tick = time.monotonic()
        self._lock = threading.RLock()
        self._done = threading.Event()
        self._dirty = True
        self._next_update = 0.0
        self._results: list[Any] | None = None
        self._by_key = {w.key: w for w in self.workers}
        jobs.opened(self)

    # --- what users call -------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def wait(self, timeout: float | None = None) -> list[Any]:
        """Wait for the job to end and return each function-running worker's result.

        Interrupting the wait (the cell's stop button) cancels the job.

        Args:
            timeout: seconds to wait at most; default no limit.

        Returns:
            The return values of the workers that run the function, by task index (for a
            parameter-server job: the chief's alone).

        Raises:
            TimeoutError: the job still runs after ``timeout`` seconds (it goes on).
            Exception: the first worker's error, as raised there, with its remote traceback;
                :class:`WorkerError` for a worker that died without one (killed, crashed),
                :class:`WorkerHung` for one that stopped responding, :class:`JobCancelled`.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self._done.wait(0.1):
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"Expected job {self.name!r} to end within {timeout} s. "
                        f"Received: it is {self.state} ({self.progress_text()})"
                    )
        except KeyboardInterrupt:
            self.cancel("the cell waiting for it was interrupted")
            raise
        if self.cause is not None or self.state != "finished":
            raise self.exception()
        return self.results()

    def results(self) -> list[Any]:
        """The results of a finished job (see :meth:`wait`), unpickled once."""
        if self.state != "finished":
            raise RuntimeError(
                f"Expected a finished job. Received: job {self.name!r} is {self.state}"
            )
        if self._results is None:
            import cloudpickle

            self._results = [
                None if w.result is None else cloudpickle.loads(base64.b64decode(w.result))
                for w in self.workers
                if w.task.runs_fn
            ]
        return self._results

    def cancel(self, reason: str = "cancelled") -> None:
        """Stop every worker now (nothing happens to a job that has ended)."""
        with self._lock:
            if self.state in ENDED:
                return
            self.cause = Fault("job", "error", f"job {self.name!r} was {reason}", time.monotonic())
        self._end("cancelled")

    def fail(self, message: str) -> None:
        """End the job as failed for a reason of its own (its backend could not run it)."""
        self._fault(Fault("job", "error", message, time.monotonic()))

    def logs(self, worker: int | str = 0) -> str:
        """The last lines ``worker`` printed (an index into ``workers``, or a key: ``"ps 0"``)."""
        found = self.workers[worker] if isinstance(worker, int) else self._by_key.get(worker)
        if found is None:
            keys = [w.key for w in self.workers]
            raise KeyError(f"Expected a worker among {keys}. Received: {worker!r}")
        with self._lock:
            return "\n".join([*found.tail, found._partial] if found._partial else found.tail)

    def note(self, text: str) -> None:
        """A line of the workbench's own in the chief's output (a NaN its metrics reached)."""
        chief = next((w for w in self.workers if w.task.runs_fn), self.workers[0])
        with self._lock:
            chief.tail.append(f"[workbench] {text}")
            self._dirty = True

    def exception(self) -> BaseException:
        """The error :meth:`wait` raises for a job that did not finish (a new object each time)."""
        cause = self.cause
        if self.state == "cancelled" or cause is None:
            return JobCancelled(cause.message if cause else f"job {self.name!r} was cancelled")
        worker = self._by_key.get(cause.worker)
        failure = worker.failure if worker is not None else None
        if cause.kind in ("error", "collective") and failure is not None:
            return remote_error(cause.message, cause.worker, failure)
        kind = WorkerHung if cause.kind == "hung" else WorkerError
        return kind(cause.message, cause.worker)

    def progress_text(self) -> str:
        """One line: each worker's state and step."""
        return ", ".join(f"{w.key} {w.state} at step {w.step}" for w in self.workers)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(
                id=self.id,
                name=self.name,
                backend=self.backend_name,
                state=self.state,
                elapsed=self.elapsed,
                run=self.run_name,
                error=self.cause.message if self.cause else "",
                workers=[
                    WorkerSnapshot(
                        key=w.key,
                        role=w.task.type if w.task.runs_fn else f"{w.task.type} (serves)",
                        pid=w.pid,
                        state=w.state,
                        step=w.step,
                        latest=dict(w.latest),
                        last_line=w._partial or (w.tail[-1] if w.tail else ""),
                        problem=w.problem,
                    )
                    for w in self.workers
                ],
            )

    def __repr__(self) -> str:
        return f"<Job {self.name!r} ({self.backend_name}): {self.state}; {self.progress_text()}>"

    # --- what the events half calls ---------------------------------------------------------

    def _tell_ended(self) -> None:
        for observer in list(self.observers):
            observer.job_ended(self)
        jobs.closed(self)

    def _tell_updated(self) -> None:
        for observer in list(self.observers):
            observer.job_updated(self)
        jobs.progressed(self)
