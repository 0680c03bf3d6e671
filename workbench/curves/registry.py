"""The runs this process is writing, for the side panel and for closing runs a cell left open.

Keras calls no callback when ``fit`` is interrupted, so a run fed by a callback can outlive its
cell; the kernel helper closes such runs after the cell (``close_running``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.curves.store import Run

_runs: dict[int, Run] = {}  # every run opened in this process, by id, newest last
_closers: dict[int, Callable[[str], None]] = {}
_listeners: list[Callable[[], None]] = []
KEEP = 50


def opened(run: Run, close: Callable[[str], None]) -> None:
    """A run started; ``close(state)`` ends it if its cell ends first."""
    _runs[id(run)] = run
    _closers[id(run)] = close
    while len(_runs) > KEEP:
        oldest = next(iter(_runs))
        _runs.pop(oldest)
        _closers.pop(oldest, None)
    changed()


def closed(run: Run) -> None:
    _closers.pop(id(run), None)
    changed()


def runs() -> list[Run]:
    return list(_runs.values())


def close_running(state: str) -> None:
    for close in list(_closers.values()):
        close(state)


def on_change(listener: Callable[[], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def changed() -> None:
    for listener in list(_listeners):
        listener()
