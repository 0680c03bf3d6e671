"""What this kernel knows of profiles: the logdirs it captured into, its captures under way, the
verdicts of the captures it read, and how a capture is opened in a view.

The side panel lists the captures of these logdirs (and of its runs' logdirs); a capture that
starts, stops or is converted bumps ``version``, which the kernel service publishes. Views are
widgets, a layer above the service: ``%load_ext workbench`` registers the function that opens a
capture in one (``set_opener``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "Opener",
    "add_logdir",
    "logdirs",
    "on_change",
    "opener",
    "pending",
    "remember",
    "set_opener",
    "set_pending",
    "verdict_of",
    "version",
]

# folder -> (timeline model id, title, verdict headline)
Opener = Callable[[Path], tuple[str, str, str]]

_lock = threading.Lock()
_logdirs: dict[Path, None] = {}
_pending: dict[str, str] = {}  # label -> state, for captures not converted yet
_version = 0
_listeners: list[Callable[[], None]] = []
_verdicts: dict[Path, str] = {}  # capture folder -> verdict headline, for captures read here
_opener: Opener | None = None


def add_logdir(logdir: str | Path) -> None:
    """A logdir this kernel captured into (listed by the panel from now on)."""
    with _lock:
        _logdirs[Path(logdir)] = None
    _changed()


def logdirs() -> list[Path]:
    with _lock:
        return list(_logdirs)


def set_pending(label: str, state: str | None) -> None:
    """A capture's state (capturing, converting), or None once it is ready or failed."""
    with _lock:
        if state is None:
            _pending.pop(label, None)
        else:
            _pending[label] = state
    _changed()


def pending() -> dict[str, str]:
    with _lock:
        return dict(_pending)


def remember(folder: Path, headline: str) -> None:
    """A capture this kernel read, and its verdict (shown beside it in the panel)."""
    with _lock:
        _verdicts[Path(folder).resolve()] = headline
    _changed()


def verdict_of(folder: Path) -> str | None:
    with _lock:
        return _verdicts.get(Path(folder).resolve())


def set_opener(function: Opener | None) -> None:
    global _opener
    _opener = function


def opener() -> Opener | None:
    return _opener


def version() -> int:
    return _version


def on_change(listener: Callable[[], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def _changed() -> None:
    global _version
    with _lock:
        _version += 1
        listeners = list(_listeners)
    for listener in listeners:
        listener()
