"""A custom loop resumes mid-data: its ``tf.data`` iterator, ``tf.random.Generator``, the model's
dropout seed and the optimizer's slots all come back, so steps 11-20 after a restore are the
steps 11-20 of a straight run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

import workbench
from tests.checkpoint.train import data, model


class Loop:
    """A model, optimizer, generator and iterator made from one seed, and its training step."""

    def __init__(self, seed: int, generator_seed: int) -> None:
        # the pipeline is rebuilt as it was: a restored iterator finishes its pass exactly, but
        # the next pass's shuffle seed comes from the dataset (global seed and op seed)
        keras.utils.set_random_seed(5)
        x, y = data()
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=1).repeat().batch(16)
        keras.utils.set_random_seed(seed)
        self.net = model()
        self.optimizer = keras.optimizers.SGD(0.1, momentum=0.9)
        self.gen = tf.random.Generator.from_seed(generator_seed)
        self.it: Iterator[Any] = iter(ds)
        self.loss = keras.losses.SparseCategoricalCrossentropy()

    def checkpoint(self, directory: Path) -> workbench.Checkpoint:
        return workbench.checkpoint(
            directory, every=5, model=self.net, optimizer=self.optimizer, gen=self.gen, it=self.it
        )

    def train(self, steps: range, ck: workbench.Checkpoint | None = None) -> None:
        for step in steps:
            xb, yb = next(self.it)
            noise = self.gen.normal(xb.shape) * 0.01
            with tf.GradientTape() as tape:
                loss = self.loss(yb, self.net(xb + noise, training=True))
            grads = tape.gradient(loss, self.net.trainable_variables)
            self.optimizer.apply(grads, self.net.trainable_variables)
            if ck is not None:
                ck.save(step)

    def weights(self) -> list[np.ndarray]:
        return [v.numpy() for v in self.net.weights]


def test_custom_loop_resumes_mid_data(tmp_path: Path) -> None:
    straight = Loop(5, 1)
    straight.train(range(1, 21))
    interrupted = Loop(5, 1)
    ck = interrupted.checkpoint(tmp_path)
    interrupted.train(range(1, 13), ck)  # saves at 5 and 10; steps 11 and 12 are lost
    assert ck.last is not None
    assert ck.last.step == 10
    resumed = Loop(77, 42)  # other weights, another generator, an iterator at the start
    ck = resumed.checkpoint(tmp_path)
    saved = ck.restore()
    assert saved is not None
    assert saved.step == 10
    assert ck.step == 10
    resumed.train(range(11, 21), ck)
    for a, b in zip(straight.weights(), resumed.weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    latest = ck.latest()
    assert latest is not None
    assert latest.step == 20
    # the check is not vacuous: the same 10 steps from the resumed loop's own start differ
    other = Loop(77, 42)
    other.train(range(11, 21))
    assert not np.array_equal(other.weights()[0], straight.weights()[0])
