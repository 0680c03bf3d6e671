"""The ``checkpoints`` topic and ``checkpoints.list``: the newest checkpoint of each folder this
kernel has opened (step, epoch, time, size), read from the manifests without hashing them."""

from __future__ import annotations

from workbench._protocol import CheckpointInfo, CheckpointsUpdate, NoParams
from workbench.checkpoints import known, store
from workbench.service import service


def _list(params: NoParams | None = None) -> CheckpointsUpdate:
    found = []
    for folder in reversed(known.folders()):  # the newest opened first
        summary = store.summary(folder)
        if summary is None:
            continue
        newest, count, damaged = summary
        run = newest.run_name
        found.append(
            CheckpointInfo(
                folder=str(folder),
                name=newest.path.name,
                step=newest.step,
                epoch=newest.epoch,
                time=newest.time,
                size=newest.size,
                count=count,
                damaged=damaged,
                run=run,
            )
        )
    return CheckpointsUpdate(checkpoints=found)


def _publish() -> None:
    service.publish("checkpoints")


service.method("checkpoints.list", _list)
service.topic("checkpoints", _list, known.version)
known.on_change(_publish)
