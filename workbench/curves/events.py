"""TensorBoard event files: written in Keras' layout so TensorBoard shows our runs beside Keras
runs, and read back record by record (``records``), past damage, with TensorBoard's protos.

Layout (as ``keras.callbacks.TensorBoard`` writes it): ``<run>/train`` and ``<run>/validation``,
tags ``batch_<metric>`` and ``epoch_<metric>``. Values are legacy ``simple_value`` scalars: one
small proto per point, written in batches through TensorFlow's C++ record writer (~3 µs a point;
``tf.summary`` per batch costs far more, FINDINGS.md).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workbench.curves.records import iter_files, read_records

_counter = iter(range(1, 1 << 30))


class EventWriter:
    """Appends scalar events to one event file in ``directory`` (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._writer: Any = None
        self.path: Path | None = None

    def write(self, points: Iterable[tuple[str, int, float, float]]) -> None:
        """Write ``(tag, step, wall_time, value)`` points."""
        from tensorboard.compat.proto import event_pb2, summary_pb2

        if self._writer is None:
            self._open()
        for tag, step, wall_time, value in points:
            event = event_pb2.Event(
                wall_time=wall_time,
                step=step,
                summary=summary_pb2.Summary(
                    value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]
                ),
            )
            self._writer.write(event.SerializeToString())

    def flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _open(self) -> None:
        import tensorflow as tf
        from tensorboard.compat.proto import event_pb2

        self.directory.mkdir(parents=True, exist_ok=True)
        name = (
            f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
            f"{os.getpid()}.{next(_counter):06d}.v2"  # padded: name order is write order
        )
        self.path = self.directory / name
        self._writer = tf.io.TFRecordWriter(str(self.path))
        self._writer.write(
            event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString()
        )


_Scalars = dict[str, tuple[list[int], list[float], list[float]]]


def read_scalars(
    directory: Path, problems: list[str] | None = None, *, live: bool = False
) -> _Scalars:
    """Every scalar of the event files in ``directory``: tag -> (steps, wall times, values).

    Reads legacy scalars and TF 2 ``tf.summary`` tensor summaries alike, every point (TensorBoard's
    reader samples by default), in TensorBoard's file order. Never raises for a damaged file: what
    could not be read is skipped and said in ``problems`` (file, where, how much), and the rest is
    read. Only regular files are opened (a FIFO named like an event file would block forever).

    Args:
        live: the files' writer is still writing: an empty file or a cut-off last record is where
            it is now, not damage.
    """
    problems = [] if problems is None else problems
    found: _Scalars = {}
    not_scalar: set[str] = set()
    for path in iter_files(directory):
        if not path.is_file():
            kind = "a folder" if path.is_dir() else "not a regular file"
            problems.append(f"{path.name}: {kind}, skipped")
            continue
        try:
            records = read_records(path)
        except OSError as exc:
            problems.append(f"{path.name}: cannot be read ({exc.strerror or exc}), skipped")
            continue
        if live:
            records.damage = [d for d in records.damage if not d.truncated]
        elif not records.records and not records.damage:
            problems.append(f"{path.name}: empty (its writer wrote nothing, or it was emptied)")
        problems.extend(records.problems())
        points = decode_scalars(records.records, path.name, problems, not_scalar)
        _merge(found, points, path.name, problems)
    for tag in not_scalar:  # text, histograms, images: not curves
        found.pop(tag, None)
    return found


def decode_scalars(
    records: list[bytes], name: str, problems: list[str], not_scalar: set[str]
) -> _Scalars:
    """The scalar points of one file's records, in order: tag -> (steps, wall times, values).

    Tags of values that are not scalars go to ``not_scalar``; records that are not events are
    counted and said in ``problems`` (naming the file ``name``).
    """
    from google.protobuf.message import DecodeError
    from tensorboard.compat.proto import event_pb2

    undecodable = 0
    points: _Scalars = {}
    for record in records:
        try:
            event = event_pb2.Event.FromString(record)
        except DecodeError:
            undecodable += 1
            continue
        for value in event.summary.value:
            number = _scalar(value)
            if number is None:
                not_scalar.add(value.tag)
                continue
            steps, walls, values = points.setdefault(value.tag, ([], [], []))
            steps.append(event.step)
            walls.append(event.wall_time)
            values.append(number)
    if undecodable:
        problems.append(f"{name}: {undecodable} records are not events, skipped")
    return points


def _merge(found: _Scalars, points: _Scalars, name: str, problems: list[str]) -> None:
    """Add one file's points; where the file starts again, later, at a step already read (the
    same run name written twice, a Keras fit run twice into one log dir), the earlier points from
    that step on give way to the file's, as TensorBoard shows them, and the overlap is said. (A
    file of earlier wall times that sorts after is not a re-run: its points are merged.)"""
    replaced, restart, previous = 0, None, None
    for tag, (steps, walls, values) in points.items():
        old = found.get(tag)
        if (
            old is not None
            and old[0]
            and steps
            and steps[0] <= max(old[0])
            and walls[0] >= max(old[1])
        ):
            keep = [i for i, step in enumerate(old[0]) if step < steps[0]]
            replaced += len(old[0]) - len(keep)
            restart = steps[0] if restart is None else min(restart, steps[0])
            previous = max(old[0]) if previous is None else max(previous, max(old[0]))
            old = ([old[0][i] for i in keep], [old[1][i] for i in keep], [old[2][i] for i in keep])
            found[tag] = old
        if old is None:
            found[tag] = (steps, walls, values)
        else:
            old[0].extend(steps)
            old[1].extend(walls)
            old[2].extend(values)
    if replaced:
        problems.append(
            f"{name}: starts again at step {restart} after earlier files reached step {previous} "
            f"(a run written twice under one name?): {replaced} earlier points from step "
            f"{restart} on are replaced by this file's, as TensorBoard shows them"
        )


def _scalar(value: Any) -> float | None:
    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return float(value.simple_value)
    if kind != "tensor":
        return None
    from tensorboard.util import tensor_util

    try:
        array = tensor_util.make_ndarray(value.tensor)
    except (TypeError, ValueError):
        return None
    if array.size != 1 or array.dtype.kind not in "fiub":
        return None
    return float(array.reshape(()))
