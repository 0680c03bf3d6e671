"""A training run: every metric's history in memory, written through to TensorBoard event files.

``Run.log`` is called once per training batch, so it only appends to arrays and a pending list;
the pending points go to disk in batches (every ``WRITE_EVERY`` points, and on ``flush``/``close``)
and are flushed at most every ``FLUSH_EVERY`` seconds while the run is live (``flush_if_due``,
called from the throttled update path), so TensorBoard and Voila see a live run, not an empty one.

Steps: one convention, Keras' own (``keras.callbacks.TensorBoard``). Per-batch points are at the
global training step (1 after the first batch). Per-epoch points (``epoch_*`` tags) are at the
epoch index *in the event files*, so TensorBoard draws our runs and Keras runs on one axis; in
memory they sit at the global step the epoch ended on, so one panel can overlay per-batch and
per-epoch curves. ``Run.load`` maps epoch indices back to global steps, for our runs and Keras'
alike (``_epoch_end_steps``).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import socket
import time
import weakref
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from workbench.curves.events import EventWriter, read_scalars
from workbench.curves.series import Series

DEFAULT_LOGDIR = "runs"  # relative to the kernel's working directory, as TensorBoard's examples

SPLITS = ("train", "validation")
STATES = ("running", "finished", "interrupted", "failed")
META = "workbench_run.json"
WRITE_EVERY = 512  # pending points before a write: ~2 ms of writing, a few times per epoch
FLUSH_EVERY = 2.0  # seconds between flushes of a live run: what a reader of the files lags by

State = Literal["running", "finished", "interrupted", "failed"]

# Runs this process writes and has not closed: a reader in this process tells them from runs a
# dead writer left "running" (weak: a run dropped without close is no longer written).
_writing: weakref.WeakSet[Run] = weakref.WeakSet()


@dataclass
class BadValue:
    """A NaN or infinite value, the first of its series."""

    metric: str
    split: str
    step: int
    value: float


class Run:
    """One training run: ``series[(split, metric)]`` holds its per-batch points (per-epoch for
    validation); ``epochs[(split, metric)]`` the per-epoch training values.

    Args:
        name: the run's folder name under ``logdir``.
        logdir: where ``<name>/train`` and ``<name>/validation`` event files go; None: memory only.
        write: False keeps the run in memory even with a logdir (e.g. a run loaded from disk).
    """

    def __init__(
        self, name: str, logdir: str | os.PathLike[str] | None = None, *, write: bool = True
    ) -> None:
        if not name or "/" in name or name in (".", ".."):
            raise ValueError(f"Expected a run name usable as a folder name. Received: {name!r}")
        self.name = name
        self.logdir = Path(logdir) if logdir is not None else None
        if self.logdir is not None and self.logdir.exists() and not self.logdir.is_dir():
            raise NotADirectoryError(
                f"Expected logdir to be a folder. Received: {str(self.logdir)!r}, which is a file."
            )
        self.state: State = "running"
        self.started = time.time()
        self.ended: float | None = None
        self.series: dict[tuple[str, str], Series] = {}
        self.epochs: dict[tuple[str, str], Series] = {}
        # what could not be read back (damaged or missing files), one sentence each
        self.warnings: list[str] = []
        self._seen_bad: set[tuple[str, str]] = set()
        self._pending: list[tuple[str, str, int, float, float]] = []
        self._writers: dict[str, EventWriter] = {}
        self._next_flush = 0.0  # monotonic time of the next flush_if_due that flushes
        self._write = write and self.logdir is not None
        if self._write:
            self._save_meta()
            _writing.add(self)

    @property
    def path(self) -> Path | None:
        return None if self.logdir is None else self.logdir / self.name

    def summary(self) -> tuple[list[str], int, dict[str, float]]:
        """(metrics, last step, latest training value of each metric)."""
        last: dict[str, float] = {}
        for (split, metric), series in self.series.items():
            point = series.last()
            if split == "train" and point is not None:
                last[metric] = point[1]
        metrics = sorted({metric for _, metric in self.series})
        steps = max((int(s.steps.max()) for s in self.series.values() if len(s)), default=0)
        return metrics, steps, last

    def epochs_done(self) -> int:
        """How many epochs the run recorded (the next epoch's index, for a resumed fit)."""
        per_epoch = [*self.epochs.values()]
        per_epoch += [s for (split, _), s in self.series.items() if split == "validation"]
        return max((len(s) for s in per_epoch), default=0)

    def log(
        self,
        step: int,
        metrics: Mapping[str, float],
        *,
        split: str = "train",
        kind: Literal["batch", "epoch"] = "batch",
        wall_time: float | None = None,
        epoch: int | None = None,
    ) -> list[BadValue]:
        """Record ``metrics`` at ``step``; returns the series' first NaN/Inf values, if new.

        Args:
            step: the global step, in memory (for ``kind="epoch"``: the step the epoch ended on).
            epoch: for ``kind="epoch"``, the epoch index, which the event files use as the step
                (Keras' convention); default ``step``.
        """
        if split not in SPLITS:
            raise ValueError(f"Expected split to be one of {list(SPLITS)}. Received: {split!r}")
        wall = time.time() if wall_time is None else wall_time
        store = self.epochs if kind == "epoch" and split == "train" else self.series
        tag_prefix = "epoch_" if kind == "epoch" else "batch_"
        file_step = epoch if kind == "epoch" and epoch is not None else step
        bad: list[BadValue] = []
        for metric, raw in metrics.items():
            try:
                value = float(raw)
            except (TypeError, ValueError):
                raise TypeError(
                    f"Expected metric {metric!r} to be a number. Received: {raw!r}"
                ) from None
            key = (split, metric)
            series = store.get(key)
            if series is None:
                series = store[key] = Series()
            series.append(step, wall, value)
            if self._write:
                self._pending.append((split, tag_prefix + metric, file_step, wall, value))
            if not math.isfinite(value) and key not in self._seen_bad:
                self._seen_bad.add(key)
                bad.append(BadValue(metric, split, step, value))
        if len(self._pending) >= WRITE_EVERY:
            self._write_pending()
        return bad

    def groups(self) -> dict[str, list[tuple[str, str]]]:
        """Metric group -> its series (training and validation of one metric), in log order."""
        groups: dict[str, list[tuple[str, str]]] = {}
        for split, metric in self.series:
            groups.setdefault(metric, []).append((split, metric))
        for keys in groups.values():
            keys.sort(key=lambda key: SPLITS.index(key[0]))
        return groups

    def flush(self) -> None:
        """Everything logged so far is on disk and readable."""
        self._write_pending()
        for writer in self._writers.values():
            writer.flush()

    def flush_if_due(self) -> bool:
        """Flush if the last flush is ``FLUSH_EVERY`` seconds old; returns whether it flushed.

        For the throttled update path of a live run: a reader of the files then lags by at most
        ``FLUSH_EVERY`` seconds, and a flush (a few ms) is paid at most that often.
        """
        now = time.monotonic()
        if not self._write or now < self._next_flush:
            return False
        self._next_flush = now + FLUSH_EVERY
        self.flush()
        return True

    def close(self, state: str = "finished") -> None:
        """Flush, close the files and record how the run ended. Idempotent."""
        if state not in STATES[1:]:
            raise ValueError(f"Expected state to be one of {list(STATES[1:])}. Received: {state!r}")
        if self.state != "running":
            return
        self.flush()
        for writer in self._writers.values():
            writer.close()
        self.state = state  # type: ignore[assignment]
        self.ended = time.time()
        if self._write:
            self._save_meta()
            _writing.discard(self)

    def _write_pending(self) -> None:
        if not self._pending or self.path is None:
            self._pending.clear()
            return
        by_split: dict[str, list[tuple[str, int, float, float]]] = {}
        for split, tag, step, wall, value in self._pending:
            by_split.setdefault(split, []).append((tag, step, wall, value))
        self._pending.clear()
        for split, points in by_split.items():
            writer = self._writers.get(split)
            if writer is None:
                writer = self._writers[split] = EventWriter(self.path / split)
            writer.write(points)

    def _save_meta(self) -> None:
        assert self.path is not None
        self.path.mkdir(parents=True, exist_ok=True)
        meta = {
            "name": self.name,
            "state": self.state,
            "started": self.started,
            "ended": self.ended,
            # who writes it: a reader tells a quiet live run from an interrupted one by these
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        (self.path / META).write_text(json.dumps(meta))

    @classmethod
    def resume(cls, run_dir: str | os.PathLike[str]) -> Run:
        """The run of ``run_dir`` read back and open again: new points go to new event files in
        the same folder, after the steps it holds (``Run.load`` raises what it raises)."""
        run = cls.load(run_dir)
        run._write = run.logdir is not None
        run.state, run.ended = "running", None
        stores = (*run.series.items(), *run.epochs.items())
        run._seen_bad = {key for key, s in stores if not np.isfinite(s.values).all()}
        run._save_meta()
        _writing.add(run)
        return run

    def add_scalars(
        self,
        scalars: Mapping[str, _Scalars],
        to_step: Callable[[list[int], list[float]], list[int]],
        batch_metrics: Collection[str] = (),
    ) -> None:
        """Append points read from event files (split -> tag -> points) to the run's series, as
        Keras' layout names them: ``batch_<metric>`` per step, ``epoch_<metric>`` per epoch put
        at the step ``to_step`` says the epoch ended on (kept apart in ``epochs`` when the
        metric also has per-batch points, here or in ``batch_metrics``: training metrics
        read with per-batch points before, by a reader that follows the files)."""
        for split, tags in scalars.items():
            batch = {t.removeprefix("batch_") for t in tags if t.startswith("batch_")}
            batch |= set(batch_metrics)
            for tag, (steps, walls, values) in tags.items():
                if tag.startswith("batch_"):
                    metric, store = tag.removeprefix("batch_"), self.series
                elif tag.startswith("epoch_"):
                    metric = tag.removeprefix("epoch_")
                    per_batch = split == "train" and metric in batch
                    store = self.epochs if per_batch else self.series
                    steps = to_step(steps, walls)
                else:
                    metric, store = tag, self.series
                series = store.setdefault((split, metric), Series())
                series.extend(steps, walls, values)  # type: ignore[arg-type]

    @classmethod
    def load(cls, run_dir: str | os.PathLike[str]) -> Run:
        """A run read back from its event files (ours or Keras' TensorBoard callback's).

        Damaged files do not fail the load: what could not be read is skipped and said in the
        run's ``warnings``, and everything else is read.

        Raises:
            FileNotFoundError: ``run_dir`` is not a folder.
        """
        path = Path(run_dir)
        if not path.is_dir():
            raise FileNotFoundError(f"Expected a run folder. Received: {str(path)!r}")
        run = cls(path.name, path.parent, write=False)
        meta = read_meta(path)
        state = meta.get("state", "finished")
        run.state = state if state in STATES else "finished"  # type: ignore[assignment]
        if run.state == "running" and not writer_alive(meta, path):
            run.state = "interrupted"  # its writer is gone without closing it
        started, ended = meta.get("started"), meta.get("ended")
        run.started = float(started) if isinstance(started, int | float) else run.started
        run.ended = float(ended) if isinstance(ended, int | float) else None
        if (path / META).exists() and not meta:
            run.warnings.append(f"{META}: unreadable, so the run's state and times are guessed")
        live = run.state == "running"
        scalars = {}
        for split in SPLITS:
            if (path / split).is_dir():
                problems: list[str] = []
                scalars[split] = read_scalars(path / split, problems, live=live)
                run.warnings.extend(f"{split}/{problem}" for problem in problems)
        run.add_scalars(scalars, _epoch_end_steps(scalars))
        if not meta:
            times = [s.wall_times for s in run.series.values() if len(s)]
            if times:
                run.started = float(min(t.min() for t in times))
                run.ended = float(max(t.max() for t in times))
        return run


def read_meta(path: Path) -> dict[str, object]:
    if not (path / META).is_file():  # missing, or a FIFO/folder that must not be opened
        return {}
    try:
        meta = json.loads((path / META).read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _last_write(path: Path) -> float:
    times = [p.stat().st_mtime for p in path.rglob("events.out.tfevents.*")]
    return max(times, default=0.0)


def writer_alive(meta: Mapping[str, object], path: Path) -> bool:
    """Whether the process that writes a "running" run is still there to finish it."""
    pid, host = meta.get("pid"), meta.get("host")
    if not isinstance(pid, int) or host != socket.gethostname():
        # another machine (or an older run without a pid): recent writes are all we can see
        return time.time() - _last_write(path) < 60
    if pid == os.getpid():
        resolved = path.resolve()
        return any(run.path is not None and run.path.resolve() == resolved for run in _writing)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


_Scalars = dict[str, tuple[list[int], list[float], list[float]]]


def _epoch_end_steps(
    scalars: Mapping[str, _Scalars],
) -> Callable[[list[int], list[float]], list[int]]:
    """How to put a run's epoch points (files: epoch index) at the global step the epoch ended on.

    An epoch's summary is written after its last batch, so its step is that of the last training
    batch written before it (by wall time). Without per-batch points (Keras'
    ``update_freq="epoch"``), Keras' ``evaluation_*_vs_iterations`` points (step = optimizer
    iterations, written just before the epoch's summaries) serve; without either, epoch indices
    stay as they are.
    """
    train = scalars.get("train", {})
    reference = max(
        (points for tag, points in train.items() if tag.startswith("batch_")),
        key=lambda points: len(points[0]),
        default=None,
    )
    if reference is None:
        reference = max(
            (
                points
                for tag, points in scalars.get("validation", {}).items()
                if tag.startswith("evaluation_") and tag.endswith("_vs_iterations")
            ),
            key=lambda points: len(points[0]),
            default=None,
        )
    if reference is None or not reference[0]:
        return lambda steps, walls: steps
    order = sorted(range(len(reference[0])), key=lambda i: reference[1][i])
    ref_walls = [reference[1][i] for i in order]
    ref_steps = [reference[0][i] for i in order]

    def to_step(steps: list[int], walls: list[float]) -> list[int]:
        mapped = []
        for step, wall in zip(steps, walls, strict=True):
            before = bisect.bisect_right(ref_walls, wall)
            mapped.append(ref_steps[before - 1] if before else step)
        return mapped

    return to_step
