"""What a job is made of: its workers as the kernel sees them, the consistent copies views read,
and what a job talks to (its backend, its observers, its metrics' sink)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from workbench.distribute.cluster import Task

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
