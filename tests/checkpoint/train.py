"""A small deterministic fit run as its own process by the resume tests: ``python -m
tests.checkpoint.train <ckpt dir> <out.npz> <epochs> [--kill-at-step N] [--logdir D]``.

With ``--kill-at-step`` the process SIGKILLs itself at that global step (a dead kernel: no
cleanup, no ``on_train_end``). The final weights go to ``out.npz``.
"""

from __future__ import annotations

import argparse
import os
import signal

import keras
import numpy as np
import tensorflow as tf

import workbench
from workbench.checkpoints.callback import Checkpoint


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("out")
    parser.add_argument("epochs", type=int)
    parser.add_argument("--kill-at-step", type=int, default=0)
    parser.add_argument("--logdir", default=None)
    parser.add_argument("--fit", choices=["keras", "workbench"], default="keras")
    args = parser.parse_args()
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(7)
    x, y = data()
    net = model()
    curves = None
    callbacks: list[keras.callbacks.Callback] = []
    if args.logdir:
        curves = workbench.LiveCurves(logdir=args.logdir, run="exact", display=False)
        callbacks.append(curves)
    callbacks.insert(0, Checkpoint(args.directory, every="epoch", curves=curves))
    if args.kill_at_step:
        callbacks.append(KillAt(args.kill_at_step))
    if args.fit == "keras":
        net.fit(x, y, batch_size=32, epochs=args.epochs, callbacks=callbacks, verbose=0)
    else:
        from workbench.distribute.fit import fit

        ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
        fit(net, ds, epochs=args.epochs, callbacks=callbacks, verbose=0)
    np.savez(args.out, *[v.numpy() for v in net.weights])


if __name__ == "__main__":
    main()
