"""The runs of a logdir, summarised: names, metrics, steps, last values, times and state.

A run of this process is summarised from memory (``registry``): its files lag by up to
``FLUSH_EVERY`` seconds, and reading them back would cost a live run's training thread. Other runs
are read from their files, and a summary is reused while the run's files stay unchanged, so the
side panel can list a logdir every few seconds.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.curves import registry
from workbench.curves.store import META, SPLITS, Run, read_meta, writer_alive


@dataclass
class RunSummary:
    name: str
    path: Path
    metrics: list[str]
    steps: int  # the largest step logged
    last: dict[str, float]  # latest training value of each metric
    started: float | None
    ended: float | None
    state: str  # running, finished, interrupted, failed; "unreadable" (see ``problem``)
    problem: str | None = None  # why an unreadable run could not be read
    logdir: Path | None = None  # None: a run kept in memory only
    warnings: tuple[str, ...] = ()  # what of it could not be read (damaged files), if anything


log = logging.getLogger(__name__)


_Signature = tuple[tuple[str, int, int], ...]
_cache: dict[Path, tuple[_Signature, RunSummary]] = {}


def list_runs(logdir: str | os.PathLike[str]) -> list[RunSummary]:
    """Every run under ``logdir``, newest first: each folder with our run metadata
    (``workbench_run.json``, there from a run's start) or with train/ or validation/ event files
    (runs of Keras' TensorBoard callback).

    A run that cannot be read at all is listed as ``"unreadable"`` with why; damage within a run
    is skipped and said in its ``warnings``.

    Raises:
        FileNotFoundError: ``logdir`` is not a folder.
    """
    root = Path(logdir)
    if not root.is_dir():
        raise FileNotFoundError(f"Expected logdir to be a folder. Received: {str(root)!r}")
    summaries = [_summarize_or_say_why(path) for path in run_folders(root)]
    summaries.sort(key=lambda s: s.started or 0.0, reverse=True)
    return summaries


def run_folders(root: Path) -> list[Path]:
    """The folders of ``root`` that hold a run, by name."""
    return [
        path
        for path in sorted(p for p in root.iterdir() if p.is_dir())
        if (path / META).is_file() or any((path / split).is_dir() for split in SPLITS)
    ]


def summarize(path: Path) -> RunSummary:
    """One run folder's summary: from memory for a run of this process, else from its files."""
    live = registry.find(path)
    if live is not None:
        return summary_of(live, path)
    signature = _signature(path)
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        summary = cached[1]
        # unchanged files, but a "running" run's state is its writer's: it may have died since
        if summary.state == "running" and not writer_alive(read_meta(path), path):
            summary.state = "interrupted"
        return summary
    summary = summary_of(Run.load(path), path)
    _cache[path] = (signature, summary)
    return summary


def summary_of(run: Run, path: Path) -> RunSummary:
    metrics, steps, last = run.summary()
    return RunSummary(
        name=run.name,
        path=path,
        metrics=metrics,
        steps=steps,
        last=last,
        started=run.started,
        ended=run.ended,
        state=run.state,
        logdir=run.logdir,
        warnings=tuple(run.warnings),
    )


def _signature(path: Path) -> _Signature:
    """What changes when a run's files change: their names, sizes and modification times."""
    files = [path / META, *(f for split in SPLITS for f in (path / split).glob("events.out.*"))]
    found = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        found.append((str(file), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def kernel_runs(logdirs: list[Path] | None = None) -> list[RunSummary]:
    """This process's runs, newest first (from memory), then every other run of the logdirs they
    write to and of ``logdirs`` (from their files, reused while unchanged).

    Never raises for a run: one that cannot be read is listed as ``"unreadable"`` with why, as a
    listing runs on behalf of the side panel while the user trains.
    """
    found: list[RunSummary] = []
    seen: set[Path] = set()
    roots = dict.fromkeys(Path(d) for d in logdirs or ())
    for run in reversed(registry.runs()):
        path = run.path or Path(run.name)
        key = path.resolve() if run.path is not None else path
        if key in seen:
            continue  # an older run of the same folder
        seen.add(key)
        found.append(summary_of(run, path))
        if run.logdir is not None:
            roots.setdefault(run.logdir)
    for root in roots:
        try:
            folders = run_folders(root)
        except OSError as exc:
            log.warning("workbench: cannot list the runs of %s: %s", root, exc)
            continue
        for folder in folders:
            if folder.resolve() in seen:
                continue
            seen.add(folder.resolve())
            found.append(_summarize_or_say_why(folder))
    return found


def _summarize_or_say_why(path: Path) -> RunSummary:
    """``summarize``, or an "unreadable" summary saying why: a listing never fails for one run
    (it runs for the side panel while the user trains)."""
    try:
        return summarize(path)
    # Whatever a file layer raises (TensorFlow's own errors are not OSError) and whatever a
    # damaged file does to a parser: list the run, say why, go on with the others.
    except Exception as exc:  # noqa: BLE001
        log.warning("workbench: cannot read run %s: %s", path, exc)
        return RunSummary(
            name=path.name,
            path=path,
            metrics=[],
            steps=0,
            last={},
            started=None,
            ended=None,
            state="unreadable",
            problem=f"{type(exc).__name__}: {exc}",
            logdir=path.parent,
        )
