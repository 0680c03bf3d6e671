"""The runs this process is writing, for the side panel and for readers in this process.

A running run is held here; a finished one only weakly: its points are on disk, and a kernel that
trains many runs must not keep each one's history (a 200k-step run of two metrics is ~10 MB).
Whoever still holds a finished run (a ``LiveCurves`` kept in a variable) keeps it whole; once
nobody does, the panel and ``runs()`` read it from its files.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.curves.store import Run

_live: dict[int, Run] = {}  # runs that have not ended: held
_ended: weakref.WeakValueDictionary[int, Run] = weakref.WeakValueDictionary()
_order: dict[int, None] = {}  # every run's id, newest last
_listeners: list[Callable[[], None]] = []
KEEP = 50
PROGRESS_EVERY = 3.0  # seconds between "a live run progressed" notices (the side panel's rate)
_next_progress = 0.0


def opened(run: Run) -> None:
    """A run started."""
    _order.pop(id(run), None)
    _order[id(run)] = None
    _live[id(run)] = run
    while len(_order) > KEEP:  # a bounded listing; an abandoned "running" run is let go too
        oldest = next(iter(_order))
        del _order[oldest]
        _live.pop(oldest, None)
        _ended.pop(oldest, None)
    changed()


def closed(run: Run) -> None:
    """A run ended: held weakly from now on."""
    if _live.pop(id(run), None) is not None:
        _ended[id(run)] = run
    changed()


def runs() -> list[Run]:
    """This process's runs still in memory, oldest first."""
    found = []
    for key in list(_order):
        run = _live.get(key) or _ended.get(key)
        if run is None:
            _order.pop(key, None)  # nobody holds it any more: it lives on in its files
        else:
            found.append(run)
    return found


def find(path: Path) -> Run | None:
    """The newest run of this process written to the folder ``path`` and still in memory."""
    resolved = path.resolve()
    for run in reversed(runs()):
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
