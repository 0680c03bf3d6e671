"""What a job's backend tells it (a message, output, an exit, a tick) and what the job decides:
the first fault ends it, blamed on the worker that caused it (``diagnosis.root_cause``), every
worker stopped at once; the chief's points feed its run; observers hear of changes, throttled.

:class:`JobEvents` is the half of :class:`~workbench.distribute.job.Job` that backends call, from
their own thread; ``job.py`` holds what users call.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from workbench.distribute import diagnosis, jobs
from workbench.distribute.diagnosis import Fault, Liveness
from workbench.distribute.job_state import (
    ENDED,
    Backend,
    JobState,
    MetricsSink,
    Worker,
)
from workbench.distribute.sink_thread import SinkThread

VERDICT_GRACE = 2.0  # seconds a peer's collective failure waits for the fault that caused it
STALL = 1.0  # seconds between two ticks that mean the backend's thread was held up


class JobEvents:
    """Events from a backend, and the decisions they lead to (a base of ``Job``)."""

    name: str
    workers: list[Worker]
    state: JobState
    hang_timeout: float
    start_timeout: float
    interval: float
    backend: Backend | None
    faults: list[Fault]
    cause: Fault | None
    started: float
    ended: float | None
    sink: MetricsSink | None
    _sink_thread: SinkThread
    _last_tick: float
    _verdict_due: float | None = None
    _lock: threading.RLock
    _done: threading.Event
    _dirty: bool
    _next_update: float
    _by_key: dict[str, Worker]
    observers: list[Any]  # the job's JobObserver

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
        if kind == "plan" and self._is_chief(worker) and self.state not in ENDED:
            self._sink_thread.plan(message.get("epochs"), message.get("steps"))
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
            gap, self._last_tick = now - self._last_tick, now
            if gap > STALL:  # the kernel was not listening: silence it could not hear is no hang
                for worker in self.workers:
                    if worker.heard is not None:
                        worker.heard = min(now, worker.heard + gap)
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
        if self._verdict_due is not None and now >= self._verdict_due:
            self._decide()
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
        if collective and not found:
            # a consequence: the peer to blame may be dying this moment (its exit comes a tick
            # later than this error). Decide once it had the time to.
            with self._lock:
                self.faults.append(Fault(worker.key, "collective", worker.problem, now))
                self._verdict_due = now + VERDICT_GRACE
            return
        self._fault(Fault(worker.key, "collective" if collective else "error", worker.problem, now))

    def _fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)
        self._decide()

    def _decide(self) -> None:
        """End the job as failed, blaming the root cause of its faults so far."""
        with self._lock:
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
        run_state = {"finished": "finished", "failed": "failed"}.get(state, "interrupted")
        # a finished job's run holds every point when wait() returns; a failed one's fault is
        # told at once, its run closed when its points are in
        self._sink_thread.close(run_state, wait=state == "finished")
        self._tell_ended()
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
        if self.state in ENDED:
            return
        for step, split, kind, epoch, values in points:
            self._sink_thread.log(int(step), values, split=split, kind=kind, epoch=epoch)

    def _lines(self, worker: Worker, text: str) -> None:
        text = worker._partial + text
        *lines, worker._partial = text.split("\n")
        worker.tail.extend(line.rstrip("\r") for line in lines)

    def _notify_updated(self) -> None:
        self._tell_updated()

    def _tell_ended(self) -> None:
        """Tell the job's observers and the kernel's list that it ended (``Job`` does)."""
        raise NotImplementedError

    def _tell_updated(self) -> None:
        """Tell them it changed (throttled; ``Job`` does)."""
        raise NotImplementedError
