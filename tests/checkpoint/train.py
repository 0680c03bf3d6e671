"""The resume tests' data, model and killer: a small classifier with dropout (its seed
generator is state a checkpoint must restore), and a callback that SIGKILLs its process at a
step (a dead kernel: no cleanup, no ``on_train_end``)."""

from __future__ import annotations

import os
import signal

import keras
import numpy as np


class KillAt(keras.callbacks.Callback):  # type: ignore[misc]
    """SIGKILLs this process at a step, after flushing the live runs' points (as the runs'
    2-second flush would have: the files then hold points past the last checkpoint)."""

    def __init__(self, step: int) -> None:
        super().__init__()
        self.step, self.seen = step, 0

    def on_train_batch_end(self, batch: int, logs: object = None) -> None:
        from workbench.curves import registry

        self.seen += 1
        if self.seen == self.step:
            for run in registry.runs():
                run.flush()
            os.kill(os.getpid(), signal.SIGKILL)


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 16)).astype("float32")
    y = (x[:, :4].sum(axis=1) > 0).astype("int32")
    return x, y


def model() -> keras.Model:
    inputs = keras.Input((16,))
    hidden = keras.layers.Dense(32, activation="relu")(inputs)
    hidden = keras.layers.Dropout(0.3)(hidden)  # its seed generator's state is saved too
    outputs = keras.layers.Dense(2, activation="softmax")(hidden)
    net = keras.Model(inputs, outputs)
    net.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return net
