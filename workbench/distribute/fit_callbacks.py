"""The callbacks of a ``workbench.fit``: which ones a worker calls, and the one that reports to
its job.

Every worker of a multi-worker job runs the same ``fit``. Callbacks that decide (``EarlyStopping``,
a learning-rate schedule) run on all of them: they see the same globally reduced metrics, so they
decide alike. Callbacks that write files run on the chief only (two processes writing one
checkpoint file corrupt it): ``ModelCheckpoint``, ``TensorBoard``, ``LiveCurves`` and
``BackupAndRestore``'s saving; its restoring runs everywhere, so every worker resumes from the
chief's last backup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras

from workbench.distribute import context

# written by the chief alone (matched by class name, so a subclass or Keras' own counts)
_CHIEF_ONLY = ("ModelCheckpoint", "TensorBoard", "CSVLogger", "CurvesCallback")


def _kinds(callback: Any) -> set[str]:
    return {cls.__name__ for cls in type(callback).__mro__}


class RestoreOnly(keras.callbacks.Callback):  # type: ignore[misc]
    """A worker's view of ``BackupAndRestore``: it restores (every worker resumes alike) but
    never saves or deletes the backup, which is the chief's."""

    def __init__(self, backup: Any) -> None:
        super().__init__()
        self.backup = backup

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self.backup.set_model(model)

    def set_params(self, params: Any) -> None:
        super().set_params(params)
        self.backup.set_params(params)

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        self.backup.on_train_begin(logs)


class JobReport(keras.callbacks.Callback):  # type: ignore[misc]
    """Sends each step's metrics, and each epoch's, to the job this process is a worker of."""

    def __init__(self, first_step: int = 0) -> None:
        super().__init__()
        self.step = first_step
        self._epoch_start = first_step

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        params = self.params or {}
        epochs, steps = params.get("epochs"), params.get("steps")
        # BackupAndRestore (called before this one) restored the epoch to go on from
        restored = getattr(self.model, "_initial_epoch", None)
        if restored and steps:
            self.step = self._epoch_start = int(restored) * steps
        context.plan(epochs, epochs * steps if epochs and steps else None)

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._epoch_start = self.step

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        self.step = self._epoch_start + batch + 1
        context.log_point(self.step, _floats(logs, validation=False))

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        for split, validation in (("train", False), ("validation", True)):
            values = _floats(logs, validation=validation)
            if values:
                context.log_point(self.step, values, split=split, kind="epoch", epoch=epoch)


def _floats(logs: Mapping[str, Any] | None, *, validation: bool) -> dict[str, float]:
    found = {}
    for name, value in (logs or {}).items():
        if name.startswith("val_") != validation:
            continue
        try:
            found[name.removeprefix("val_")] = float(value)
        except (TypeError, ValueError):
            continue  # a log that is not a number (a learning-rate schedule's object)
    return found


def for_this_worker(callbacks: Sequence[Any], first_step: int = 0) -> list[Any]:
    """The callbacks this process calls: all on the chief (and outside a job), the deciding
    ones and ``BackupAndRestore``'s restoring on other workers; plus the job's reporter."""
    chief = context.is_chief()
    kept: list[Any] = []
    for callback in callbacks:
        kinds = _kinds(callback)
        if chief:
            kept.append(callback)
        elif "BackupAndRestore" in kinds:
            kept.append(RestoreOnly(callback))
        elif not kinds & set(_CHIEF_ONLY):
            kept.append(callback)
    if context.current() is not None:
        kept.append(JobReport(first_step))
    return kept
