"""Starting a run: a fresh name unless the user continues a run on purpose.

Reusing a run's folder mixes two runs' points (a re-run cell once left three runs of 200k steps
interleaved under one name, 600k points for 200k steps). A new run whose name is taken gets the
next free one (``big``, ``big-2``, ...); ``resume=True`` continues the named run instead, after
the steps it holds.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from workbench.curves.store import Run


def start_run(name: str | None, logdir: Path | None, *, resume: bool = False) -> Run:
    """A run to feed: ``name`` (default ``run-<date>-<time>``) under ``logdir``, a free variant of
    it if that folder is taken, or, with ``resume``, the existing run of that name continued.

    Raises:
        ValueError: ``resume`` without a name or a logdir to find the run in.
    """
    if resume:
        if name is None or logdir is None:
            raise ValueError(
                "Expected a run name and a logdir with resume=True (the run to continue). "
                f"Received: run={name!r}, logdir={None if logdir is None else str(logdir)!r}"
            )
        if (logdir / name).is_dir():
            return Run.resume(logdir / name)
        return Run(name, logdir)  # nothing to continue yet: the run starts here
    base = name or datetime.now().strftime("run-%Y%m%d-%H%M%S")
    return Run(free_name(logdir, base), logdir)


def free_name(logdir: Path | None, name: str) -> str:
    """``name``, or ``name-2``, ``name-3``... whichever has no folder in ``logdir`` yet."""
    if logdir is None or not (logdir / name).exists():
        return name
    suffix = 2
    while (logdir / f"{name}-{suffix}").exists():
        suffix += 1
    return f"{name}-{suffix}"
