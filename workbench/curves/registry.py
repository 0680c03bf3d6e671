"""The runs this process is writing, for the side panel and for readers in this process.

A run that ``fit`` left open (Keras calls no callback on an interrupt) is closed by the live view
that fed it, after its cell (``widgets.live``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.curves.store import Run

_runs: dict[int, Run] = {}  # every run opened in this process, by id, newest last
_listeners: list[Callable[[], None]] = []
KEEP = 50
PROGRESS_EVERY = 3.0  # seconds between "a live run progressed" notices (the side panel's rate)
_next_progress = 0.0


def opened(run: Run) -> None:
    """A run started."""
    _runs[id(run)] = run
    while len(_runs) > KEEP:
        _runs.pop(next(iter(_runs)))
    changed()


def closed(run: Run) -> None:
    changed()


def runs() -> list[Run]:
    return list(_runs.values())


def find(path: Path) -> Run | None:
    """The newest run of this process written to the folder ``path``, if any."""
    resolved = path.resolve()
    for run in reversed(_runs.values()):
        if run.path is not None and run.path.resolve() == resolved:
            return run
    return None


def progressed(run: Run) -> None:
    """A live run logged more points; from its throttled update path (never per batch).

    Its files are flushed every ``store.FLUSH_EVERY`` seconds, so readers of the files see a live
    run, and listeners (the side panel) are told at most every ``PROGRESS_EVERY`` seconds.
    """
    run.flush_if_due()
    if time.monotonic() >= _next_progress:
        changed()


def on_change(listener: Callable[[], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Callable[[], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def changed() -> None:
    global _next_progress
    _next_progress = time.monotonic() + PROGRESS_EVERY
    for listener in list(_listeners):
        listener()
