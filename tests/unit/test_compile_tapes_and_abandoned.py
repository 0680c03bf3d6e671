"""The two helpers of a compiled cell's trace, on real TensorFlow: a used-up tape made again for
the namespace (``tapes``), and the variables a failed first trace made, initialized as eagerly
(``abandoned``)."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.ops import resource_variable_ops

from workbench.compile.abandoned import MadeVariables
from workbench.compile.tapes import spent_form, spent_tape


def test_a_used_up_tape_is_made_again_used_up_with_what_it_watched() -> None:
    v = tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = v * v
    tape.gradient(y, v)
    form = spent_form(tape)
    assert form == (False, (v,))
    again = spent_tape(form)
    assert isinstance(again, tf.GradientTape)
    assert again.watched_variables() == (v,)
    assert again._watch_accessed_variables is False
    with pytest.raises(RuntimeError, match="can only be used to compute one set of gradients"):
        again.gradient(v * 3.0, v)


def test_a_tape_that_can_still_compute_gradients_is_not_used_up() -> None:
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as persistent:
        y = v * v
    persistent.gradient(y, v)
    assert spent_form(persistent) is None
    with tf.GradientTape() as recorded:
        y = v * v
    assert spent_form(recorded) is None  # recorded, its gradient not taken yet
    assert spent_form(v) is None


def _failing_first_trace(made: MadeVariables, layer: Any) -> None:
    def step(x: Any) -> Any:
        with tf.variable_creator_scope(made.creator):
            layer(x)
        raise ValueError("the trace is abandoned")

    with pytest.raises(ValueError, match="abandoned"):
        tf.function(step)(tf.ones([2, 3]))


def test_variables_a_failed_trace_made_are_initialized_as_eagerly() -> None:
    keras.utils.set_random_seed(3)
    eager = keras.layers.Dense(4)
    eager(tf.ones([2, 3]))
    keras.utils.set_random_seed(3)
    layer = keras.layers.Dense(4)
    made = MadeVariables()
    _failing_first_trace(made, layer)
    assert layer.built
    assert made.abandoned() == 2  # kernel and bias
    for mine, theirs in zip(layer.weights, eager.weights, strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert made.abandoned() == 0  # told once


def test_variables_of_a_trace_that_succeeded_are_left_to_tf_function() -> None:
    made = MadeVariables()
    layer = keras.layers.Dense(2, kernel_initializer="ones")

    def step(x: Any) -> Any:
        with tf.variable_creator_scope(made.creator):
            return layer(x)

    out = tf.function(step)(tf.ones([1, 3]))
    made.kept()
    assert made.abandoned() == 0
    np.testing.assert_array_equal(out.numpy(), [[3.0, 3.0]])


def test_only_what_is_still_uninitialized_and_can_be_is_initialized() -> None:
    layer = keras.layers.Dense(4, kernel_initializer="ones")
    made = MadeVariables()
    raw: list[Any] = []

    def step(x: Any) -> Any:
        with tf.variable_creator_scope(made.creator):
            # computed in the trace from constants: its ops are copied out and run
            raw.append(tf.Variable(tf.ones([2]) * 2.0))
            # computed from the trace's input: it cannot be, and stays uninitialized
            raw.append(tf.Variable(x[0] * 3.0))
            layer(x)
        raise ValueError("the trace is abandoned")

    with pytest.raises(ValueError, match="abandoned"):
        tf.function(step)(tf.ones([2, 3]))
    layer.kernel.assign(tf.fill([3, 4], 5.0))  # the user assigned it meanwhile: kept
    assert made.abandoned() == 2  # the bias and the constant one
    np.testing.assert_array_equal(layer.kernel.numpy(), np.full([3, 4], 5.0))
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros([4]))
    np.testing.assert_array_equal(raw[0].numpy(), [2.0, 2.0])
    assert not bool(resource_variable_ops.var_is_initialized_op(raw[1].handle))
