"""The live-curves run a checkpoint fed, brought back to the checkpoint's position.

A kernel that dies after a checkpoint has usually written some points past it (the run flushes
every ~2 s); the resumed fit trains those steps again. Left in place, the old points would
overlap the new ones and push every later step along (a resumed run's steps go on after the
last step it holds). So, as TensorBoard purges the orphaned points of a restarted run, the
run's event files are rewritten without the points past the checkpoint: per-batch points after
its global step, per-epoch points (stored at the epoch index) from its epoch on. Each file is
rewritten under a temporary name and renamed over the old one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from workbench.curves.records import iter_files, read_records
from workbench.curves.store import SPLITS


def _keep(event: Any, step: int, epoch: int) -> bool:
    if not event.HasField("summary"):
        return True  # the file's header and other non-scalar events
    tags = [value.tag for value in event.summary.value]
    if any(tag.startswith("epoch_") for tag in tags):
        return bool(event.step < epoch)
    return bool(event.step <= step)


def rewind(run_dir: Path, step: int, epoch: int) -> int:
    """Drop the points of ``run_dir`` past global ``step`` and epoch ``epoch`` (epochs held:
    per-epoch points at indices ``>= epoch`` go). Returns how many points were dropped."""
    import tensorflow as tf
    from google.protobuf.message import DecodeError
    from tensorboard.compat.proto import event_pb2

    dropped = 0
    for split in SPLITS:
        folder = run_dir / split
        if not folder.is_dir():
            continue
        for path in list(iter_files(folder)):
            if not path.is_file():
                continue
            records = read_records(path)
            kept, gone = [], 0
            for record in records.records:
                try:
                    event = event_pb2.Event.FromString(record)
                except DecodeError:
                    kept.append(record)
                    continue
                if _keep(event, step, epoch):
                    kept.append(record)
                else:
                    gone += len(event.summary.value)
            if not gone:
                continue
            tmp = path.with_name(f".{path.name}.rewind")
            with tf.io.TFRecordWriter(str(tmp)) as writer:
                for record in kept:
                    writer.write(record)
            os.replace(tmp, path)
            dropped += gone
    return dropped


def position(run: Any) -> dict[str, Any]:
    """Where a live run is, for a checkpoint's manifest (its points are flushed first, so the
    files hold everything up to the checkpoint)."""
    run.flush()
    logdir = None if run.logdir is None else str(Path(run.logdir).resolve())
    return {"name": run.name, "logdir": logdir, "step": run.summary()[1]}
