"""The jobs this kernel launched, for the side panel, and their end when the kernel ends.

A job that runs is held here; an ended one is kept among the last ``KEEP`` (its workers are gone,
what it holds is small). Listeners (the kernel service's ``jobs`` topic) hear when a job starts or
ends at once, and of progress at most every ``PROGRESS_EVERY`` seconds. When the kernel's Python
exits, every running job is stopped: no worker outlives the kernel that launched it.
"""

from __future__ import annotations

import atexit
import itertools
import time
from collections.abc import Callable
from typing import Protocol

from workbench.distribute.job_state import JobSnapshot


class Job(Protocol):
    """What the list needs of a job (``workbench.distribute.job.Job``)."""

    id: str

    @property
    def done(self) -> bool: ...
    def cancel(self, reason: str = "cancelled") -> None: ...
    def snapshot(self) -> JobSnapshot: ...


KEEP = 20
PROGRESS_EVERY = 1.0  # seconds between "a job progressed" notices

_jobs: dict[str, Job] = {}  # id -> job, oldest first
_listeners: list[Callable[[], None]] = []
_ids = itertools.count(1)
_next_progress = 0.0
_version = 0  # bumped on every change: the topic's version


def new_id() -> str:
    return f"job-{next(_ids)}"


def opened(job: Job) -> None:
    _jobs[job.id] = job
    ended = [key for key, j in _jobs.items() if j.done]
    while len(_jobs) > KEEP and ended:
        del _jobs[ended.pop(0)]
    changed()


def closed(job: Job) -> None:
    changed()


def progressed(job: Job) -> None:
    """A job's workers moved (from its backend's thread, throttled by the job)."""
    if time.monotonic() >= _next_progress:
        changed()


def all_jobs() -> list[Job]:
    """This kernel's jobs, oldest first."""
    return list(_jobs.values())


def find(job_id: str) -> Job | None:
    return _jobs.get(job_id)


def version() -> int:
    return _version


def on_change(listener: Callable[[], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Callable[[], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def changed() -> None:
    global _next_progress, _version
    _next_progress = time.monotonic() + PROGRESS_EVERY
    _version += 1
    for listener in list(_listeners):
        listener()


@atexit.register
def _stop_all() -> None:
    for job in list(_jobs.values()):
        job.cancel("stopped because its kernel exited")
