"""``evaluate`` reports a model's loss of the user's own (a function given to ``compile``) per
slice, as Keras computes it: labels without the outputs' last axis of one are given it, as
Keras' loss wrapper does, for a vector output and for a sequence of them."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

import workbench


def absolute(y: tf.Tensor, p: tf.Tensor) -> tf.Tensor:
    """A loss written by hand: it broadcasts whatever shapes it is given."""
    return tf.reduce_mean(tf.abs(y - p), axis=-1)


def _model(shape: tuple[int, ...]) -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape), keras.layers.Dense(1)])
    model.compile(loss=absolute, metrics=["mae"])
    return model


def test_a_loss_of_the_users_own_is_reported_as_keras_computes_it() -> None:
    rng = np.random.default_rng(0)
    groups = {"g": np.array(["a", "b"] * 32)}
    x = rng.normal(size=(64, 2)).astype(np.float32)
    # labels as (n, 1) and as (n,), outputs (n, 1); a sequence: labels (n, 3), outputs (n, 3, 1)
    sequences = rng.normal(size=(64, 3, 2)).astype(np.float32)
    cases = [
        (_model((2,)), x, x.sum(1, keepdims=True)),
        (_model((2,)), x, x.sum(1)),
        (_model((3, 2)), sequences, sequences.sum(2)),
    ]
    for model, inputs, labels in cases:
        got = workbench.evaluate(model, (inputs, labels), ["g"], slice_data=groups, bootstrap=2)
        frame = got.to_frame()
        want = model.evaluate(inputs, labels, verbose=0)[0]
        assert abs(frame.loc["overall", "loss"] - want) < 1e-5
        a = model.evaluate(inputs[::2], labels[::2], verbose=0)[0]
        assert abs(frame.loc["g=a", "loss"] - a) < 1e-5


class Absolute(keras.losses.Loss):
    """A loss class of the user's own: Keras reduces its per-example values to one number."""

    def call(self, y: tf.Tensor, p: tf.Tensor) -> tf.Tensor:
        return tf.reduce_mean(tf.abs(y - p), axis=-1)


def test_a_loss_object_is_read_per_example_not_reduced() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    labels = (x.sum(1, keepdims=True) > 0).astype(np.float32)
    groups = {"g": np.array(["a", "b"] * 32)}
    losses = [
        keras.losses.BinaryCrossentropy(from_logits=True),
        keras.losses.MeanSquaredError(),
        Absolute(),
    ]
    for loss in losses:
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(loss=loss)
        got = workbench.evaluate(model, (x, labels), ["g"], slice_data=groups, bootstrap=2)
        frame = got.to_frame()
        want = model.evaluate(x, labels, verbose=0)
        assert abs(frame.loc["overall", "loss"] - want) < 1e-5, type(loss).__name__
        b = model.evaluate(x[1::2], labels[1::2], verbose=0)
        assert abs(frame.loc["g=b", "loss"] - b) < 1e-5, type(loss).__name__
