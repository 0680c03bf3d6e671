"""Functions the tests launch in worker processes (imported by module, as a notebook's would be
pickled by value), and what the tests check about processes and ports after a job."""

from __future__ import annotations

import socket
import time
from typing import Any

import psutil

from workbench.distribute.job import Job


def data(n: int = 256, features: int = 8) -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ rng.normal(size=(features, 1))).astype("float32")
    return x, y


def model(strategy: Any = None) -> Any:
    import keras

    keras.utils.set_random_seed(0)
    made = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)]
    )
    made.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return made


def train(
    epochs: int = 2,
    batch: int = 32,
    steps: int | None = None,
    backup: str = "",
    fail_at_epoch: int = -1,
    collective_timeout: float = 60.0,
) -> Any:
    """The training a user launches: a strategy from TF_CONFIG, a model built in its scope,
    ``workbench.fit``; returns the final weights and the history."""
    import keras
    import tensorflow as tf

    import workbench

    strategy = workbench.strategy(collective_timeout=collective_timeout)
    with strategy.scope():
        made = model()
    x, y = data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)
    if steps is not None:
        dataset = dataset.repeat()
    callbacks: list[Any] = []
    if backup:
        callbacks.append(keras.callbacks.BackupAndRestore(backup))
    if fail_at_epoch >= 0:

        class Fail(keras.callbacks.Callback):  # type: ignore[misc]
            def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
                if epoch == fail_at_epoch:
                    raise RuntimeError(f"failing at epoch {epoch}, as asked")

        callbacks.append(Fail())
    history = workbench.fit(
        made,
        dataset,
        epochs=epochs,
        strategy=strategy,
        callbacks=callbacks,
        steps_per_epoch=steps,
    )
    return [w.numpy() for w in made.weights], history.history


def count(steps: int = 100000, pause: float = 0.05) -> int:
    """A loop without TensorFlow that reports a step every ``pause`` seconds."""
    import workbench

    for step in range(1, steps + 1):
        workbench.report(step, loss=1.0 / step)
        time.sleep(pause)
    return steps


def reference(epochs: int = 2, batch: int = 32) -> Any:
    """The same training in this process, on one device, with Keras' own ``model.fit``."""
    import tensorflow as tf

    made = model()
    x, y = data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)
    history = made.fit(dataset, epochs=epochs, verbose=0)
    return [w.numpy() for w in made.weights], history.history


def wait_for_steps(job: Job, step: int, timeout: float = 120) -> None:
    """Until every function-running worker has reported ``step`` (or the job ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not job.done:
        if all(w.step >= step for w in job.workers if w.task.runs_fn):
            return
        time.sleep(0.05)
    cause = job.cause.message if job.cause else "still running"
    raise AssertionError(f"workers did not reach step {step}: {job!r}: {cause}\n{job.logs(0)}")


def assert_nothing_left(job: Job) -> None:
    """No worker process (nor anything in its process group) alive, no port still bound."""
    pids = [w.pid for w in job.workers if w.pid]
    assert len(pids) == len(job.workers), job
    deadline = time.monotonic() + 10
    alive: list[int] = []
    while time.monotonic() < deadline:
        alive = [p for p in psutil.pids() if _in_groups(p, pids)]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, f"processes of the job still alive: {alive}"
    children = {c.pid for c in psutil.Process().children(recursive=True)}
    assert not children & set(pids), children & set(pids)
    listener = getattr(job.backend, "_listener", None)  # the kernel's end of the workers' messages
    while listener is not None and listener.fileno() != -1 and time.monotonic() < deadline:
        time.sleep(0.05)  # closed by the backend's monitor as it ends, a moment after the job
    assert listener is None or listener.fileno() == -1, "the job's listener is still open"
    for worker in job.workers:
        port = worker.task.port
        if not port:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            # connections of the ended job may linger in TIME_WAIT, which is no leak; a socket
            # still listening on the port is, and makes this bind fail
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen()


def _in_groups(pid: int, groups: list[int]) -> bool:
    import os

    try:
        return os.getpgid(pid) in groups and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (ProcessLookupError, psutil.NoSuchProcess):
        return False
