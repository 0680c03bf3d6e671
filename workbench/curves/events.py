"""TensorBoard event files: written in Keras' layout so TensorBoard shows our runs beside Keras
runs, read back with TensorBoard's own reader.

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
            f"{os.getpid()}.{next(_counter)}.v2"
        )
        self.path = self.directory / name
        self._writer = tf.io.TFRecordWriter(str(self.path))
        self._writer.write(
            event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2").SerializeToString()
        )


def read_scalars(directory: Path) -> dict[str, tuple[list[int], list[float], list[float]]]:
    """Every scalar of the event files in ``directory``: tag -> (steps, wall times, values).

    Reads both legacy scalars and TF 2 ``tf.summary`` tensor summaries, keeping every point
    (TensorBoard's reader samples by default).

    Raises:
        ValueError: an event file cannot be read (names the file).
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    accumulator = EventAccumulator(str(directory), size_guidance={"scalars": 0, "tensors": 0})
    try:
        accumulator.Reload()
    except Exception as exc:
        files = ", ".join(p.name for p in sorted(directory.glob("events.out.tfevents.*")))
        raise ValueError(
            f"Could not read the event files in {directory} ({files}): {type(exc).__name__}: "
            f"{exc}. Move the damaged file aside to read the rest of the run."
        ) from exc
    tags = accumulator.Tags()
    if not any(tags.get(kind) for kind in ("scalars", "tensors")):
        _check_readable(directory)
    found: dict[str, tuple[list[int], list[float], list[float]]] = {}
    for tag in tags.get("scalars", []):
        events = accumulator.Scalars(tag)
        found[tag] = (
            [e.step for e in events],
            [e.wall_time for e in events],
            [float(e.value) for e in events],
        )
    for tag in tags.get("tensors", []):
        events = accumulator.Tensors(tag)
        values = []
        for event in events:
            array = tensor_util.make_ndarray(event.tensor_proto)
            if array.size != 1 or array.dtype.kind not in "fiub":
                break  # not a scalar summary (text, histogram, ...)
            values.append(float(array.reshape(())))
        else:
            found[tag] = ([e.step for e in events], [e.wall_time for e in events], values)
    return found


def _check_readable(directory: Path) -> None:
    """TensorBoard's reader skips what it cannot parse, silently: name a file it got nothing from.

    Every event file starts with a version record, so a non-empty file without one is damaged
    (a truncated *last* record still leaves the records before it readable).
    """
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    for path in sorted(directory.glob("events.out.tfevents.*")):
        if path.stat().st_size and next(iter(EventFileLoader(str(path)).Load()), None) is None:
            raise ValueError(
                f"Could not read the event file {path}: it holds no readable event. Move it "
                "aside to read the rest of the run."
            )
