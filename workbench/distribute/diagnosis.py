"""Why a job failed: of everything that went wrong in its workers, the fault that caused the rest.

When one worker dies, its peers fail too, a moment later, in their collective operations
(``UnavailableError: Collective ops is aborted``, or ``DeadlineExceededError`` once the collective
timeout fires). Those are consequences: a job reports the first fault that is not one (a worker's
own error, a crash, a hang, a worker that never started), and only if there is none, the first
collective failure. A peer's collective failure is also how a hang shows: the worker it waited
for is named (:func:`suspects`).
"""

from __future__ import annotations

import signal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["error", "crash", "hung", "never_started", "collective"]

# TensorFlow's errors raised in a worker whose peer went away or timed out
_COLLECTIVE_TYPES = frozenset(
    {"UnavailableError", "DeadlineExceededError", "AbortedError", "CancelledError"}
)
_PRIMARY = ("error", "crash", "hung", "never_started")


@dataclass(frozen=True)
class Fault:
    """Something that went wrong in one worker, seen at monotonic time ``at``."""

    worker: str
    kind: FaultKind
    message: str  # one sentence that names the worker
    at: float


def is_collective(error_type: str, message: str) -> bool:
    """Whether an error is a collective operation failing because of a peer (not a cause)."""
    name = error_type.rsplit(".", 1)[-1]
    text = message.lower()
    return name in _COLLECTIVE_TYPES or (
        "collective" in text and ("abort" in text or "timed out" in text or "deadline" in text)
    )


def root_cause(faults: Iterable[Fault]) -> Fault | None:
    """The first primary fault (an error, crash, hang, or a worker that never started), else the
    first collective failure; ``None`` for no faults."""
    ordered = sorted(faults, key=lambda f: f.at)
    for fault in ordered:
        if fault.kind in _PRIMARY:
            return fault
    return ordered[0] if ordered else None


def exit_description(code: int) -> str:
    """``"was killed by SIGKILL"``, ``"exited with code 3"``."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"exited with code {code}"


@dataclass(frozen=True)
class Liveness:
    """What the kernel knows of a worker still running: for naming the one a collective waited
    for."""

    worker: str
    silent_for: float  # seconds since its last heartbeat
    stopped: bool  # its process is stopped (SIGSTOP, a debugger)
    step: int


def suspects(alive: Iterable[Liveness], beat: float) -> list[Liveness]:
    """The running workers a collective timed out on: the stopped or silent ones (no heartbeat
    for three beats), else those with the fewest steps, if fewer than the others'."""
    alive = list(alive)
    quiet = [w for w in alive if w.stopped or w.silent_for > 3 * beat]
    if quiet:
        return quiet
    if len({w.step for w in alive}) > 1:
        lowest = min(w.step for w in alive)
        return [w for w in alive if w.step == lowest]
    return []


def hang_message(worker: Liveness, cause: str | None = None) -> str:
    """``worker 1 stopped responding: no heartbeat for 10.2 s (its process is stopped)``."""
    if worker.silent_for > 0.5:
        what = f"no heartbeat for {worker.silent_for:.1f} s"
    else:
        what = f"still at step {worker.step} while its peers waited"
    if worker.stopped:
        what += " (its process is stopped: SIGSTOP or a debugger)"
    text = f"{worker.worker} stopped responding: {what}"
    return f"{text}; {cause}" if cause else text
