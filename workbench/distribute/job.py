"""A launched job, whatever runs it: its workers' states, steps, metrics and logs, how it ended,
and its results.

A backend (``local``: processes on this machine; ``ray``: Ray Train) starts the workers and tells
the job what happens (a message, output, an exit) from its own thread; the job decides. The
first fault ends it (``diagnosis.root_cause`` names the worker to blame, not a peer whose
collective failed because of it): every worker is stopped at once, and ``wait()`` raises the
fault. The chief's metrics feed a run (``curves.feed.Feed``), so curves and the side panel's Runs
show it; observers (the live view) hear of changes at most every ``interval`` seconds.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from workbench.distribute import diagnosis, jobs
from workbench.distribute.cluster import Task
from workbench.distribute.diagnosis import Fault, Liveness
from workbench.distribute.errors import JobCancelled, RemoteTraceback, WorkerError, WorkerHung

JobState = Literal["starting", "running", "finished", "failed", "cancelled"]
ENDED = ("finished", "failed", "cancelled")
TAIL = 1000  # lines of each worker's output kept in memory


class Backend(Protocol):
    """What runs a job's workers."""

    name: str

    def stop(self) -> None:
        """Stop every worker (idempotent, from any thread); return when they are gone."""

    def stopped(self, pid: int) -> bool:
        """Whether the worker process ``pid`` is stopped (SIGSTOP, a debugger)."""


class JobObserver(Protocol):
    """What watches a job (its live view): told of changes, throttled, and of its end, once."""

    def job_updated(self, job: Job) -> None: ...
    def job_ended(self, job: Job) -> None: ...


class MetricsSink(Protocol):
    """Where the chief's points go (a run's feed)."""

    def log(
        self, step: int, metrics: dict[str, float], *, split: str, kind: Any, epoch: int | None
    ) -> Any: ...
    def plan(self, epochs: int | None = None, total_steps: int | None = None) -> None: ...
    def close(self, state: str = "finished") -> None: ...


@dataclass
class Worker:
    """One task of the job, as the kernel sees it."""

    task: Task
    state: str = "starting"  # running, serving, finished, failed, killed, hung, stopped
    pid: int | None = None
    step: int = 0
    latest: dict[str, float] = field(default_factory=dict)
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL))
    heard: float | None = None  # monotonic time of its last message
    exit_code: int | None = None
    failure: dict[str, Any] | None = None
    result: str | None = None  # base64 cloudpickle
    problem: str = ""  # why it failed, one sentence
    _partial: str = ""

    @property
    def key(self) -> str:
        return self.task.key


@dataclass(frozen=True)
class WorkerSnapshot:
    key: str
    role: str
    pid: int | None
    state: str
    step: int
    latest: dict[str, float]
    last_line: str
    problem: str


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state, for views and the kernel service."""

    id: str
    name: str
    backend: str
    state: JobState
    elapsed: float
    run: str | None
    error: str
    workers: list[WorkerSnapshot]


class Job:
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
        self._sink_lock = threading.Lock()
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
            return _remote_error(cause, failure)
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

    # --- what backends call (from their own thread) -----------------------------------------

    def attach(self, backend: Backend) -> None:
        self.backend = backend

    def on_message(self, key: str, message: dict[str, Any]) -> None:
        worker = self._by_key.get(key)
        if worker is None:
            return
        kind = message.get("type")
        with self._lock:
            worker.heard = time.monotonic()
            self._dirty = True
            if kind == "hello":
                worker.pid = int(message.get("pid", 0)) or worker.pid
                if worker.state == "starting":
                    worker.state = "running"
                if self.state == "starting":
                    self.state = "running"
                    jobs.changed()
            elif kind == "phase" and worker.state in ("starting", "running", "serving"):
                worker.state = "serving" if message.get("phase") == "serving" else "running"
            elif kind == "points":
                self._points(worker, message.get("points", []))
            elif kind == "log":
                self._lines(worker, str(message.get("text", "")))
            elif kind == "result":
                worker.result = message.get("pickle")
            elif kind == "error":
                worker.failure = message
        if kind == "plan" and worker.task.runs_fn and self._is_chief(worker):
            with self._sink_lock:
                if self.sink is not None and self.state not in ENDED:
                    self.sink.plan(message.get("epochs"), message.get("steps"))
        if kind == "points" and self._is_chief(worker):
            self._feed(message.get("points", []))
        if kind == "error":
            self._error(worker, message)

    def on_output(self, key: str, text: str) -> None:
        worker = self._by_key.get(key)
        if worker is not None:
            with self._lock:
                self._lines(worker, text)
                self._dirty = True

    def on_exit(self, key: str, code: int) -> None:
        """A worker's process ended with ``code`` (negative: killed by that signal)."""
        worker = self._by_key.get(key)
        if worker is None:
            return
        with self._lock:
            worker.exit_code = code
            self._dirty = True
            if self.state in ENDED:
                if worker.state in ("starting", "running", "serving"):
                    worker.state = "stopped"
                return
            if code == 0 and worker.result is not None:
                worker.state = "finished"
                done = all(w.state == "finished" for w in self.workers if w.task.runs_fn)
                fault = None
            elif worker.failure is not None:
                return  # reported when its error came
            else:
                done = False
                worker.state = "killed" if code < 0 else "failed"
                how = diagnosis.exit_description(code)
                if worker.heard is None:
                    worker.problem = f"{worker.key} never started: it {how}"
                else:
                    when = f" at step {worker.step}" if worker.step else ""
                    worker.problem = f"{worker.key} {how}{when}"
                last = worker.tail[-1] if worker.tail else ""
                message = worker.problem + (f"; its last output: {last}" if last else "")
                fault = Fault(worker.key, "crash", message, time.monotonic())
        if fault is not None:
            self._fault(fault)
        elif done:
            self._end("finished")

    def tick(self) -> None:
        """Called every ~0.1 s by the backend: start and hang timeouts, throttled updates."""
        now = time.monotonic()
        faults = []
        with self._lock:
            if self.state in ENDED:
                return
            for worker in self.workers:
                if worker.state in ("finished", "failed", "killed", "hung"):
                    continue
                if worker.heard is None and now - self.started > self.start_timeout:
                    worker.state = "failed"
                    worker.problem = (
                        f"{worker.key} never started: no word from it in {self.start_timeout:g} s"
                    )
                    faults.append(Fault(worker.key, "never_started", worker.problem, now))
                elif worker.heard is not None and now - worker.heard > self.hang_timeout:
                    live = self._liveness(worker, now)
                    worker.state = "hung"
                    worker.problem = diagnosis.hang_message(live)
                    faults.append(Fault(worker.key, "hung", worker.problem, now))
        for fault in faults:
            self._fault(fault)
        if faults:
            return
        if self._dirty and now >= self._next_update:
            self._next_update = now + self.interval
            self._dirty = False
            self._notify_updated()

    # --- decisions ------------------------------------------------------------------------

    def _error(self, worker: Worker, message: dict[str, Any]) -> None:
        error_type = str(message.get("error_type", "Exception"))
        text = str(message.get("message", ""))
        short = error_type.rsplit(".", 1)[-1]
        now = time.monotonic()
        with self._lock:
            if self.state in ENDED:
                return
            worker.state = "failed"
            first = text.strip().splitlines()[0] if text.strip() else ""
            worker.problem = f"{worker.key} raised {short}" + (f": {first}" if first else "")
            collective = diagnosis.is_collective(error_type, text)
            found = []
            if collective:  # name the worker its collective waited for, if one is to blame
                alive = [
                    self._liveness(w, now)
                    for w in self.workers
                    if w is not worker and w.task.runs_fn and w.state in ("running", "starting")
                ]
                for live in diagnosis.suspects(alive, beat=1.0):
                    suspect = self._by_key[live.worker]
                    suspect.state = "hung"
                    suspect.problem = diagnosis.hang_message(
                        live, f"{worker.key}'s collective failed waiting for it ({short})"
                    )
                    found.append(Fault(live.worker, "hung", suspect.problem, now))
        for fault in found:
            self._fault(fault)
        self._fault(Fault(worker.key, "collective" if collective else "error", worker.problem, now))

    def _fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)
            if self.state in ENDED:
                return
            self.cause = diagnosis.root_cause(self.faults)
        self._end("failed")

    def _end(self, state: JobState) -> None:
        with self._lock:
            if self.state in ENDED:
                return
            self.state = state
            self.ended = time.monotonic()
        if self.backend is not None:
            self.backend.stop()
        with self._lock:
            for worker in self.workers:
                if worker.state in ("starting", "running", "serving"):
                    worker.state = "stopped"
        with self._sink_lock:
            if self.sink is not None:
                run_state = {"finished": "finished", "failed": "failed"}.get(state, "interrupted")
                self.sink.close(run_state)
        for observer in list(self.observers):
            observer.job_ended(self)
        jobs.closed(self)
        self._done.set()

    # --- helpers ----------------------------------------------------------------------------

    def _is_chief(self, worker: Worker) -> bool:
        return worker is next((w for w in self.workers if w.task.runs_fn), None)

    def _liveness(self, worker: Worker, now: float) -> Liveness:
        stopped = False
        if self.backend is not None and worker.pid is not None:
            stopped = self.backend.stopped(worker.pid)
        silent = now - (worker.heard if worker.heard is not None else self.started)
        return Liveness(worker.key, silent, stopped, worker.step)

    def _points(self, worker: Worker, points: list[Any]) -> None:
        for step, split, _kind, _epoch, values in points:
            if split == "train":
                worker.step = max(worker.step, int(step))
            prefix = "" if split == "train" else "val_"
            worker.latest.update({prefix + k: float(v) for k, v in values.items()})

    def _feed(self, points: list[Any]) -> None:
        with self._sink_lock:
            if self.sink is None or self.state in ENDED:
                return
            for step, split, kind, epoch, values in points:
                self.sink.log(int(step), values, split=split, kind=kind, epoch=epoch)

    def _lines(self, worker: Worker, text: str) -> None:
        text = worker._partial + text
        *lines, worker._partial = text.split("\n")
        worker.tail.extend(line.rstrip("\r") for line in lines)

    def _notify_updated(self) -> None:
        for observer in list(self.observers):
            observer.job_updated(self)
        jobs.progressed(self)


def _remote_error(cause: Fault, failure: dict[str, Any]) -> BaseException:
    """The worker's exception, as raised there, its remote traceback as the cause; a
    :class:`WorkerError` saying the same when it cannot be rebuilt here."""
    traceback_text = str(failure.get("traceback", ""))
    error: BaseException | None = None
    pickled = failure.get("pickle")
    if pickled:
        try:
            import cloudpickle

            error = cloudpickle.loads(base64.b64decode(pickled))
        except Exception:  # noqa: BLE001 - a class this kernel cannot import: say it in words instead
            error = None
    if not isinstance(error, BaseException):
        error = WorkerError(cause.message, cause.worker)
    elif hasattr(error, "add_note"):
        error.add_note(f"(raised in {cause.worker} of the job)")
    error.__cause__ = RemoteTraceback(traceback_text)
    return error
