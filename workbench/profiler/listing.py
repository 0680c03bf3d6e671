"""Captures in logdirs: every ``<run>/plugins/profile/<time>/`` folder with ``.xplane.pb`` files,
newest first, as TensorBoard's profile plugin finds them (it names each ``<run>/<time>``).

Listing reads folder names, file sizes and the workbench's note beside a capture
(``workbench_profile.json``), never the captures themselves: the side panel lists them often.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.profiler.session import META

__all__ = ["CaptureInfo", "capture_info", "find_captures"]

SUFFIX = ".xplane.pb"
MAX_DEPTH = 6  # folders below a logdir searched for plugins/profile (runs nest a few deep)


@dataclass
class CaptureInfo:
    """One capture folder."""

    folder: Path
    files: list[Path]
    logdir: Path | None  # the logdir it was found in (None: opened directly)
    run: str  # TensorBoard's run: the folder holding plugins/, relative to the logdir
    created: float  # the newest file's modification time
    size: int  # bytes of its .xplane.pb files
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """As TensorBoard's profile plugin names it: ``<run>/<time>``."""
        return f"{self.run}/{self.folder.name}" if self.run not in ("", ".") else self.folder.name

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.created).strftime("%Y-%m-%d %H:%M:%S")

    @property
    def steps(self) -> str | None:
        """The steps captured, as the capture's note says (``"11-15"``), or None."""
        steps = self.meta.get("steps")
        if isinstance(steps, list) and len(steps) == 2:
            return f"{steps[0]}-{steps[1]}" if steps[0] != steps[1] else str(steps[0])
        return None


def capture_info(folder: str | Path, logdir: Path | None = None) -> CaptureInfo:
    """The capture in ``folder`` (``.../plugins/profile/<time>``), or the folder of a file."""
    folder = Path(folder)
    if folder.name.endswith(SUFFIX):
        folder = folder.parent
    files = sorted(p for p in _list(folder) if p.name.endswith(SUFFIX))
    stats = [_stat(p) for p in files]
    meta: dict[str, Any] = {}
    try:
        loaded = json.loads((folder / META).read_text())
        meta = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        pass
    run_dir = folder.parent.parent.parent  # <run>/plugins/profile/<time>
    if logdir is not None:
        try:
            run = str(run_dir.relative_to(logdir))
        except ValueError:
            run = run_dir.name
    elif run_dir.name in ("train", "validation"):  # Keras' layout: <run>/train/plugins/...
        run = f"{run_dir.parent.name}/{run_dir.name}"
    else:
        run = run_dir.name
    return CaptureInfo(
        folder=folder,
        files=files,
        logdir=logdir,
        run=run,
        created=max((s[0] for s in stats), default=_stat(folder)[0]),
        size=sum(s[1] for s in stats),
        meta=meta,
    )


def find_captures(logdirs: list[Path]) -> list[CaptureInfo]:
    """Every capture under ``logdirs``, newest first, each folder once, named from the widest
    logdir that holds it (``slow/train/<time>`` in ``runs``, not ``<time>`` in
    ``runs/slow/train``: as TensorBoard run on the widest one names it)."""
    found: dict[Path, CaptureInfo] = {}
    for logdir in sorted(logdirs, key=lambda p: len(Path(p).resolve().parts)):
        for folder in _capture_folders(Path(logdir)):
            key = folder.resolve()
            if key not in found:
                found[key] = capture_info(folder, Path(logdir))
    return sorted(found.values(), key=lambda c: c.created, reverse=True)


def _capture_folders(logdir: Path) -> list[Path]:
    folders = []
    for root, dirs, _files in os.walk(logdir):
        depth = len(Path(root).relative_to(logdir).parts)
        if depth >= MAX_DEPTH:
            dirs[:] = []
        here = Path(root)
        if here.name == "profile" and here.parent.name == "plugins":
            folders += [here / d for d in dirs if any(_is_capture(here / d))]
            dirs[:] = []
    return folders


def _is_capture(folder: Path) -> list[bool]:
    return [p.name.endswith(SUFFIX) for p in _list(folder)]


def _list(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _stat(path: Path) -> tuple[float, int]:
    try:
        stat = path.stat()
    except OSError:
        return 0.0, 0
    return stat.st_mtime, stat.st_size
