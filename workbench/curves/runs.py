"""The runs of a logdir, summarised: names, metrics, steps, last values, times and state."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from workbench.curves.store import SPLITS, Run


@dataclass
class RunSummary:
    name: str
    path: Path
    metrics: list[str]
    steps: int
    last: dict[str, float]  # latest training value of each metric
    started: float | None
    ended: float | None
    state: str


def list_runs(logdir: str | os.PathLike[str]) -> list[RunSummary]:
    """Every run folder under ``logdir`` (one with train/ or validation/ event files), newest first.

    Raises:
        FileNotFoundError: ``logdir`` is not a folder.
        ValueError: an event file cannot be read (names it).
    """
    root = Path(logdir)
    if not root.is_dir():
        raise FileNotFoundError(f"Expected logdir to be a folder. Received: {str(root)!r}")
    summaries = []
    for path in sorted(p for p in root.iterdir() if p.is_dir()):
        if not any((path / split).is_dir() for split in SPLITS):
            continue
        run = Run.load(path)
        last = {}
        for (split, metric), series in run.series.items():
            point = series.last()
            if split == "train" and point is not None:
                last[metric] = point[1]
        summaries.append(
            RunSummary(
                name=run.name,
                path=path,
                metrics=sorted({metric for _, metric in run.series}),
                steps=max((int(s.steps.max()) for s in run.series.values() if len(s)), default=0),
                last=last,
                started=run.started,
                ended=run.ended,
                state=run.state,
            )
        )
    summaries.sort(key=lambda s: s.started or 0.0, reverse=True)
    return summaries
