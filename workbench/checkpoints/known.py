"""The checkpoint folders this kernel has opened, for the side panel's Checkpoints section, and
who to tell when one changes (the kernel service's ``checkpoints`` topic). No TensorFlow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

KEEP = 20  # folders listed at most, newest opened last

_folders: dict[Path, None] = {}
_listeners: list[Callable[[], None]] = []
_version = 0


def opened(folder: Path) -> None:
    _folders.pop(folder.resolve(), None)
    _folders[folder.resolve()] = None
    while len(_folders) > KEEP:
        del _folders[next(iter(_folders))]
    changed()


def folders() -> list[Path]:
    return list(_folders)


def version() -> int:
    return _version


def on_change(listener: Callable[[], None]) -> None:
    _listeners.append(listener)


def changed() -> None:
    """A folder was opened or a checkpoint saved: listeners are told (never raising here)."""
    global _version
    _version += 1
    for listener in list(_listeners):
        listener()
