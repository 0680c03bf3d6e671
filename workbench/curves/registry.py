"""The runs this process is writing, for the side panel and for closing runs a cell left open.

Keras calls no callback when ``fit`` is interrupted, so a run fed by a callback can outlive its
cell; the kernel helper closes such runs after the cell (``close_running``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.curves.store import Run

_runs: dict[int, Run] = {}  # every run opened in this process, by id, newest last
_closers: dict[int, Callable[[str], None]] = {}
_threads: dict[int, int] = {}  # id(run) -> the thread that opened it
_listeners: list[Callable[[], None]] = []
KEEP = 50
PROGRESS_EVERY = 3.0  # seconds between "a live run progressed" notices (the side panel's rate)
_next_progress = 0.0


def opened(run: Run, close: Callable[[str], None]) -> None:
    """A run started; ``close(state)`` ends it if its cell ends first."""
    _runs[id(run)] = run
    _closers[id(run)] = close
    _threads[id(run)] = threading.get_ident()
    while len(_runs) > KEEP:
        oldest = next(iter(_runs))
        _runs.pop(oldest)
        _closers.pop(oldest, None)
        _threads.pop(oldest, None)
    changed()


def closed(run: Run) -> None:
    _closers.pop(id(run), None)
    _threads.pop(id(run), None)
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


def progressed() -> None:
    """A live run logged more points: tell listeners, at most every ``PROGRESS_EVERY`` seconds.

    Called from the runs' throttled update paths, so the side panel follows a run's steps while
    it trains without a message per update.
    """
    if time.monotonic() >= _next_progress:
        changed()


def close_running(state: str, thread: int | None = None) -> None:
    """End the runs still open, or only those opened by ``thread``: a run training in a
    background thread is not ended by a failing cell of the main thread."""
    for key, close in list(_closers.items()):
        if thread is None or _threads.get(key) == thread:
            close(state)


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
