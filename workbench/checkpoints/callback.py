"""``workbench.checkpoint``: a Keras callback (``model.fit``, ``workbench.fit``) and an object
for custom loops that saves everything training needs to go on exactly, and finds it again."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import keras

from workbench.checkpoints import known, runs, state, store
from workbench.checkpoints.errors import CheckpointError
from workbench.checkpoints.store import Saved

_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|min|m|h)\s*$")


def parse_every(every: Any) -> tuple[str, float]:
    """``("epoch", 0)``, ``("steps", n)`` or ``("seconds", s)``.

    Raises:
        ValueError: anything else.
    """
    if every == "epoch":
        return "epoch", 0.0
    if isinstance(every, timedelta) and every.total_seconds() > 0:
        return "seconds", every.total_seconds()
    if isinstance(every, int) and not isinstance(every, bool) and every > 0:
        return "steps", float(every)
    if isinstance(every, str) and (match := _DURATION.match(every)):
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
        if seconds > 0:
            return "seconds", seconds
    raise ValueError(
        "Expected every to be 'epoch', a number of steps > 0 (100), or a duration ('30s', "
        f"'10min', '1h', a timedelta). Received: {every!r}"
    )


class Checkpoint(keras.callbacks.Callback):  # type: ignore[misc]
    """Saves training state to ``directory`` and resumes from the newest good checkpoint.

    A checkpoint holds the model's variables (weights, its layers' seed generators, metric
    state), the optimizer's, the epoch and global step, Keras' global seed generator,
    TensorFlow's global ``tf.random.Generator``, Python's and NumPy's random state, the
    ``tf.data`` iterators and trackables you pass, and the live-curves run it fed (so a resumed
    fit's curves continue that run). Each is written under a temporary name, checksummed, then
    renamed: a save killed mid-write never looks like a checkpoint, and a damaged one is named,
    set aside and the previous good one used.

    As a callback, the fit's first step restores the newest checkpoint and the fit goes on at
    its epoch (Keras' ``fit`` starts epochs at their first batch: a checkpoint saved mid-epoch
    restarts that epoch, which is said). In a custom loop, ``restore()`` once, then
    ``save(step)`` every step: it saves when ``every`` says so.

    Args:
        directory: the folder of checkpoints (created; must be empty or one of ours).
        every: ``"epoch"`` (default), a number of steps, or a duration (``"10min"``, ``"30s"``,
            a ``timedelta``).
        keep: how many checkpoints to keep (newest); default 3.
        model: the model (a callback gets it from ``fit``).
        optimizer: its optimizer; default ``model.optimizer``.
        curves: the ``LiveCurves`` of the same fit: on resume it continues the saved run.
        restore: restore at the start of ``fit`` (default True).
        report: where messages go (default ``print``: the cell's output).
        **trackables: more state to save by name: ``tf.data`` iterators
            (``iterator=iter(ds)``), ``tf.random.Generator``\\ s, ``tf.Variable``\\ s.

    Example:
        >>> ck = workbench.checkpoint("ckpts", every="epoch", keep=3)
        >>> model.fit(x, y, epochs=10, callbacks=[ck])  # run again after a crash: it resumes
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        every: Any = "epoch",
        keep: int = 3,
        *,
        model: Any = None,
        optimizer: Any = None,
        curves: Any = None,
        restore: bool = True,
        report: Callable[[str], None] = print,
        **trackables: Any,
    ) -> None:
        super().__init__()
        self.kind, self.amount = parse_every(every)
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
            raise ValueError(f"Expected keep to be an integer >= 1. Received: {keep!r}")
        self.directory = store.open_folder(directory)
        known.opened(self.directory)  # listed in the side panel's Checkpoints
        self.every = every
        self.keep = keep
        self._model = model
        self.optimizer = optimizer
        self.curves = curves
        self.restore_on_fit = restore
        self.report = report
        self.trackables = dict(trackables)
        self.restored: Saved | None = None  # what the last restore() put back
        self.last: Saved | None = None  # the last save
        self._step = 0
        self._epoch = 0
        self._epoch_start = 0
        self._last_time = time.monotonic()
        self._pending: Saved | None = None  # chosen before fit's callbacks start
        self._set_epoch = False
        self._flush: Any = None  # the run to flush at the next epoch's start
        self._pointed: Path | None = None  # the checkpoint whose run was pointed at

    # ---- custom loops -------------------------------------------------------------------
    @property
    def target(self) -> Any:
        return self.model  # given to the constructor, or set by fit

    @property
    def step(self) -> int:
        """The global step of the last restore or save (0 before either)."""
        return self._step

    def listing(self) -> list[Saved]:
        """The checkpoints of the folder that verify, newest first."""
        return store.listing(self.directory)

    def latest(self) -> Saved | None:
        """The newest checkpoint that verifies (damaged ones are reported and set aside)."""
        return next(store.good(self.directory, self.report), None)

    def restore(self) -> Saved | None:
        """Restore the newest good checkpoint into the model, optimizer and trackables; returns
        it, or None when the folder has none (training starts from scratch).

        Raises:
            CheckpointError: the checkpoint is of another model (counts or shapes differ).
        """
        import tensorflow as tf

        while True:
            saved = self._pending or self.latest()
            self._pending = None
            if saved is None:
                return None
            try:
                self._restore(saved)
            except tf.errors.OpError as error:  # TensorFlow's reader found what sums could not
                first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                store.set_aside(saved.path, f"{saved.path}: unreadable ({first})", self.report)
                continue
            except (ValueError, AssertionError) as error:
                raise CheckpointError(
                    f"{saved.path}: does not fit this model ({error}). Expected the model that "
                    "was saved (same layers, built the same way)."
                ) from error
            self.restored = saved
            self._step, self._epoch = saved.step, saved.epoch
            self._epoch_start = int(saved.meta.get("epoch_start", saved.step))
            if self._pointed != saved.path:  # a custom loop's (fit's was pointed in set_model)
                self._point_curves(saved)
            self.report(f"workbench.checkpoint: resumed from {saved.describe()}.")
            return saved

    def save(self, step: int, *, epoch: int | None = None, force: bool = False) -> Saved | None:
        """Save at global ``step`` when ``every`` says it is due (each call for ``"epoch"``; each
        ``every`` steps; after ``every`` seconds), or always with ``force``. Returns the
        checkpoint saved, or None."""
        step = int(step)
        if not force and not self._due(step):
            return None
        return self._save(step, epoch=self._epoch if epoch is None else epoch, mid_epoch=False)

    # ---- Keras callback ---------------------------------------------------------------
    def set_model(self, model: Any) -> None:
        super().set_model(model)
        if self.restore_on_fit and self._writes():
            # chosen now, before any callback's on_train_begin, so LiveCurves can be pointed
            # at the run the checkpoint fed, whichever comes first in the list
            self._pending = self.latest()
            self._point_curves(self._pending)

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        self._last_time = time.monotonic()
        self._set_epoch = False
        if not self.restore_on_fit:
            return
        from tensorflow.python.eager import context

        seed_now = context.global_seed()  # what fit shuffled this fit's arrays with
        saved = self.restore()
        if saved is None:
            return
        seed_then = saved.meta.get("rng", {}).get("tf_global_seed")
        if seed_then is not None and seed_now != seed_then:
            self.report(
                f"workbench.checkpoint: TensorFlow's global seed is {seed_now}, the checkpointed "
                f"run's was {seed_then}: if this fit shuffles its data (fit's shuffle of arrays "
                "is built from it before any callback runs), the order differs from an "
                "uninterrupted run's. For an exact resume, call "
                f"keras.utils.set_random_seed({seed_then}) before fit, as the first run did."
            )
        self.model._initial_epoch = saved.epoch  # how BackupAndRestore moves fit on
        self._set_epoch = True
        epochs = (self.params or {}).get("epochs")
        if isinstance(epochs, int) and saved.epoch >= epochs:
            self.report(
                f"workbench.checkpoint: training is already at epoch {saved.epoch} of {epochs}: "
                "this fit has nothing to do (fit(epochs=...) higher trains on; another folder "
                "starts over)."
            )
        if saved.meta.get("mid_epoch"):
            self.report(
                f"workbench.checkpoint: {saved.path.name} was saved mid-epoch (step {saved.step}); "
                f"Keras' fit starts epoch {saved.epoch + 1} again from its first batch, so this "
                "resume is not exact (every='epoch' checkpoints are)."
            )
            self._step = self._epoch_start

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self._flush is not None:  # the last epoch's points, logged after the save by
            self._flush.flush()  # LiveCurves if it comes later in the list, reach the files
            self._flush = None
        self._epoch = epoch
        self._epoch_start = self._step

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        # Keras passes the last batch index a call covered (steps_per_execution): count from it
        self._step = self._epoch_start + batch + 1
        if self.kind != "epoch" and self._due(self._step) and self._writes():
            self._save(self._step, epoch=self._epoch, mid_epoch=True)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._epoch = epoch + 1
        if self.kind == "epoch" and self._writes():
            self._save(self._step, epoch=epoch + 1, mid_epoch=False)

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        if self._set_epoch:
            self.model._initial_epoch = None  # a later fit of this model starts where it says
        last = self.last
        if self._writes() and (last is None or last.step != self._step or last.meta["mid_epoch"]):
            self._save(self._step, epoch=self._epoch, mid_epoch=False)  # the final state

    # ---- internals ----------------------------------------------------------------------
    def _writes(self) -> bool:
        from workbench.distribute import context

        return context.is_chief()  # other workers of a job restore the chief's, never write

    def _due(self, step: int) -> bool:
        if self.kind == "epoch":
            return True
        if self.kind == "steps":
            return step % int(self.amount) == 0
        return time.monotonic() - self._last_time >= self.amount

    def _objects(self, saved: list[str] | None = None) -> dict[str, Any]:
        model = self.target
        optimizer = self.optimizer or getattr(model, "optimizer", None)
        return state.objects(model, optimizer, self.trackables, saved=saved)

    def _save(self, step: int, *, epoch: int, mid_epoch: bool) -> Saved:
        import tensorflow as tf

        found = self._objects()
        saved_at = time.time()
        meta: dict[str, Any] = {
            "step": step,
            "epoch": epoch,
            "epoch_start": self._epoch_start if mid_epoch else step,
            "mid_epoch": mid_epoch,
            "time": saved_at,
            "objects": sorted(found),
            "counts": state.counts(found),
            "rng": state.python_rng(),
            "run": self._run_position(),
            "model": getattr(self.target, "name", None),
        }
        with store.writing(self.directory, step) as folder:
            tf.train.Checkpoint(**found).write(str(folder / store.PREFIX))
            size = store.seal(folder, meta)
        store.prune(self.directory, self.keep)
        known.changed()
        self._last_time = time.monotonic()
        self._step = step
        path = self.directory / f"ckpt-{step}"
        self.last = Saved(path=path, step=step, epoch=epoch, time=saved_at, size=size, meta=meta)
        return self.last

    def _restore(self, saved: Saved) -> None:
        import tensorflow as tf

        names = list(saved.meta.get("objects", []))
        found = self._objects(saved=names)
        state.check_counts(saved.meta.get("counts", {}), found, str(saved.path))
        missing = sorted(set(names) - set(found))
        if missing:
            self.report(
                f"workbench.checkpoint: {saved.path.name} also holds {', '.join(missing)}, not "
                "given here (pass them to workbench.checkpoint(...) to restore them)."
            )
        # the global seed first: the generators' states read next are the ones that count
        state.set_python_rng(saved.meta.get("rng", {}))
        status = tf.train.Checkpoint(**found).read(saved.prefix)
        status.assert_existing_objects_matched()

    def _run_position(self) -> dict[str, Any] | None:
        feed = getattr(self.curves, "feed", None)
        run = getattr(feed, "run", None)
        if run is None:
            from workbench.curves import registry

            live = [r for r in registry.runs() if r.state == "running"]
            run = live[0] if len(live) == 1 else None  # the one run this process feeds
        if run is None or run.state != "running":
            return None
        self._flush = run
        return runs.position(run)

    def _point_curves(self, saved: Saved | None) -> None:
        """Point the given LiveCurves at the run the checkpoint fed, and take that run's files
        back to the checkpoint (its later points are of steps trained again)."""
        position = None if saved is None else saved.meta.get("run")
        if saved is None or not position or not position.get("logdir"):
            return
        self._pointed = saved.path
        run_dir = Path(position["logdir"]) / position["name"]
        from workbench.curves import registry

        if run_dir.is_dir() and registry.find(run_dir) is None:  # never under a live writer
            step = int(position["step"])
            if saved.meta.get("mid_epoch"):  # fit redoes the whole epoch
                step -= saved.step - int(saved.meta.get("epoch_start", saved.step))
            dropped = runs.rewind(run_dir, step, saved.epoch)
            if dropped:
                self.report(
                    f"workbench.checkpoint: run {position['name']!r} went on past this "
                    f"checkpoint; its {dropped} points after step {step} were dropped (those "
                    "steps are trained again)."
                )
        if self.curves is not None:
            self.curves.run_name = position["name"]
            self.curves.logdir = Path(position["logdir"])
            self.curves.resume = True


def checkpoint(
    directory: str | os.PathLike[str], every: Any = "epoch", keep: int = 3, **kwargs: Any
) -> Checkpoint:
    """``Checkpoint(directory, every, keep, ...)``: see :class:`Checkpoint`."""
    return Checkpoint(directory, every, keep, **kwargs)


def resume(model: Any, directory: str | os.PathLike[str], **kwargs: Any) -> Saved | None:
    """Restore the newest good checkpoint of ``directory`` into ``model`` (and its optimizer,
    RNG state and the trackables given); returns it (``.epoch``, ``.step``) or None.

    Example:
        >>> saved = workbench.resume(model, "ckpts")
        >>> model.fit(x, y, epochs=10, initial_epoch=saved.epoch if saved else 0)
    """
    if not Path(directory).is_dir():
        raise CheckpointError(f"Expected a folder of checkpoints. Received: {str(directory)!r}")
    return Checkpoint(directory, model=model, **kwargs).restore()
