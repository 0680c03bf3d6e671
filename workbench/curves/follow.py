"""A run folder followed while another process writes it: each :meth:`RunFollower.poll` reads
only the bytes its event files gained since the last one (whole, CRC-checked records: a record
its writer is still writing waits for the next poll), so a dashboard redraws a live run at a
cost that follows the new points, not the run's size (``Run.load`` reads a 100k-step run whole in
~2 s). No TensorFlow: records, protos and numbers only.

What it builds is the same :class:`~workbench.curves.store.Run` that ``Run.load`` gives: one run
store, whoever reads it.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.curves.events import _merge, _Scalars, decode_scalars
from workbench.curves.records import iter_files, read_records
from workbench.curves.store import (
    META,
    SPLITS,
    STATES,
    Run,
    _epoch_end_steps,
    read_meta,
    writer_alive,
)

__all__ = ["RunFollower"]


class RunFollower:
    """A run read from its folder, then kept up to date by :meth:`poll`.

    ``run`` is replaced by a new store (and ``generation`` counts up) when the files no longer
    continue what was read: a file emptied or rewritten, or a new file that starts again at an
    earlier step (the same run name trained again). Damaged bytes are skipped and said in
    ``run.warnings``, never raised.

    Args:
        path: the run's folder (``<logdir>/<run>``).

    Raises:
        FileNotFoundError: ``path`` is not a folder.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise FileNotFoundError(f"Expected a run folder. Received: {str(self.path)!r}")
        self.generation = 0
        self._start()

    def _start(self) -> None:
        self.run = Run(self.path.name, self.path.parent, write=False)
        self._offsets: dict[Path, int] = {}
        self._batch: set[str] = set()  # training metrics with per-batch points
        self._said: set[str] = set()
        self._read(first=True)

    def poll(self) -> int:
        """Reads what the run's files gained; returns how many points came (after a restart
        of the store: all of them)."""
        return self._read(first=False)

    def _read(self, *, first: bool) -> int:
        run = self.run
        meta = read_meta(self.path)
        state = meta.get("state", "finished")
        run.state = state if state in STATES else "finished"  # type: ignore[assignment]
        if run.state == "running" and not writer_alive(meta, self.path):
            run.state = "interrupted"  # its writer is gone without closing it
        started, ended = meta.get("started"), meta.get("ended")
        if isinstance(started, int | float):
            run.started = float(started)
        run.ended = float(ended) if isinstance(ended, int | float) else None
        if (self.path / META).exists() and not meta:
            self._say(f"{META}: unreadable, so the run's state and times are guessed")
        live = run.state == "running"
        scalars: dict[str, _Scalars] = {}
        for split in SPLITS:
            folder = self.path / split
            if not folder.is_dir():
                continue
            for file in iter_files(folder):
                new = self._read_file(split, file, live=live)
                if new is None:  # the file does not continue what was read
                    return self._restart()
                points, fresh = new
                if not first and fresh and self._restarts(split, points):
                    return self._restart()
                problems: list[str] = []
                _merge(scalars.setdefault(split, {}), points, file.name, problems)
                for problem in problems:
                    self._say(f"{split}/{problem}")
        return self._add(scalars)

    def _read_file(self, split: str, file: Path, *, live: bool) -> tuple[_Scalars, bool] | None:
        """The points ``file`` gained and whether it is new to this follower; None when the file
        is shorter than what was read of it."""
        if not file.is_file():
            kind = "a folder" if file.is_dir() else "not a regular file"
            self._say(f"{split}/{file.name}: {kind}, skipped")
            return {}, False
        offset = self._offsets.get(file)
        try:
            size = file.stat().st_size
            if offset is not None and size < offset:
                return None
            if offset is not None and size == offset:
                return {}, False
            records = read_records(file, offset or 0)
        except OSError as exc:
            self._say(f"{split}/{file.name}: cannot be read ({exc.strerror or exc}), skipped")
            return {}, False
        self._offsets[file] = records.end
        if live:  # a cut-off last record is where its writer is now: read it next time
            records.damage = [d for d in records.damage if not d.truncated]
        problems = records.problems()
        not_scalar: set[str] = set()
        points = decode_scalars(records.records, file.name, problems, not_scalar)
        for problem in problems:
            self._say(f"{split}/{problem}")
        for tag in not_scalar:
            points.pop(tag, None)
        return points, offset is None

    def _restarts(self, split: str, points: _Scalars) -> bool:
        """Whether a new file's per-step points start at or before a step already read."""
        for tag, (steps, _walls, _values) in points.items():
            if tag.startswith("epoch_") or not steps:
                continue
            series = self.run.series.get((split, tag.removeprefix("batch_")))
            if series is not None and len(series) and steps[0] <= int(series.steps[-1]):
                return True
        return False

    def _restart(self) -> int:
        self.generation += 1
        self._start()
        return sum(len(s) for s in (*self.run.series.values(), *self.run.epochs.values()))

    def _add(self, scalars: dict[str, _Scalars]) -> int:
        per_step = {
            split: {t: p for t, p in tags.items() if not t.startswith("epoch_")}
            for split, tags in scalars.items()
        }
        per_epoch = {
            split: {t: p for t, p in tags.items() if t.startswith("epoch_")}
            for split, tags in scalars.items()
        }
        self.run.add_scalars(per_step, lambda steps, walls: steps)
        train = per_step.get("train", {})
        self._batch |= {t.removeprefix("batch_") for t in train if t.startswith("batch_")}
        if any(per_epoch.values()):
            # epochs are put at the step they ended on, by wall time, among every step read
            self.run.add_scalars(per_epoch, _epoch_end_steps(self._reference()), self._batch)
        if not read_meta(self.path):
            times = [s.wall_times for s in self.run.series.values() if len(s)]
            if times:
                self.run.started = float(min(t.min() for t in times))
                self.run.ended = float(max(t.max() for t in times))
        return sum(len(steps) for tags in scalars.values() for steps, _w, _v in tags.values())

    def _reference(self) -> dict[str, _Scalars]:
        """The steps read so far in the shape ``_epoch_end_steps`` takes."""
        found: dict[str, _Scalars] = {"train": {}, "validation": {}}
        for (split, metric), series in self.run.series.items():
            if split == "train" and metric in self._batch:
                tag = f"batch_{metric}"
            elif split == "validation" and metric.startswith("evaluation_"):
                tag = metric
            else:
                continue
            found[split][tag] = (series.steps.tolist(), series.wall_times.tolist(), [])
        return found

    def _say(self, warning: str) -> None:
        if warning not in self._said:
            self._said.add(warning)
            self.run.warnings.append(warning)
