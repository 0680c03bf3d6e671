"""``evaluate`` on the other inputs users pass: slice features as NumPy bytes and as a DataFrame
with numbered columns, a subclassed model given every feature, metric classes and functions
without a name, and sequence outputs whose loss is each example's mean over its steps."""

from __future__ import annotations

import functools
import re
from typing import Any

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from workbench.data.slices import evaluate

P = np.array([0.9, 0.2, 0.6, 0.4, 0.7], np.float32)[:, None]
Y = np.array([1, 0, 0, 1, 1], np.float32)


def _identity() -> keras.Model:
    inputs = keras.Input((1,), name="p")
    model = keras.Model(inputs, inputs)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


def _names(result: Any) -> list[tuple[str, int]]:
    return [(s.name, s.examples) for s in result.slices]


def test_bytes_and_numbered_columns_name_their_slices() -> None:
    city = np.array([b"Lima", b"Oslo", b"Lima", b"\xe4\xb8\x8a\xe6\xb5\xb7", b"Oslo"])
    assert city.dtype.kind == "S"
    result = evaluate(_identity(), (P, Y), slices=["city"], bootstrap=0, slice_data={"city": city})
    assert _names(result) == [("overall", 5), ("city=Lima", 2), ("city=Oslo", 2), ("city=上海", 1)]
    frame = pd.DataFrame({0: [3, 1, 3, 1, 2]})  # columns named by numbers: read as text
    result = evaluate(_identity(), (P, Y), slices=["0"], bootstrap=0, slice_data=frame)
    assert _names(result) == [("overall", 5), ("0=1", 2), ("0=2", 1), ("0=3", 2)]


class Scorer(keras.Model):
    """A subclassed model: it has no ``input`` to say which features it takes."""

    def call(self, features: dict[str, Any]) -> Any:
        return features["p"]


def test_a_subclassed_model_is_given_every_feature() -> None:
    model = Scorer()
    data = ({"p": P, "group": np.array(["a", "b", "b", "b", "a"])}, Y)
    result = evaluate(model, data, slices=["group"], metrics=["accuracy"], bootstrap=0)
    assert _names(result) == [("overall", 5), ("group=a", 2), ("group=b", 3)]
    assert result["group=a"].metrics == {"accuracy": 1.0}
    assert result["group=b"].metrics == {"accuracy": pytest.approx(1 / 3)}


def test_metric_classes_and_functions_without_a_name() -> None:
    def gap(y_true: Any, y_pred: Any, scale: float) -> Any:
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1) * scale

    metrics = [keras.metrics.AUC, functools.partial(gap, scale=2.0)]
    result = evaluate(_identity(), (P, Y[:, None]), metrics=metrics, bootstrap=0)
    auc, named = result.metrics
    assert auc.startswith("auc")  # Keras numbers a class's instances: auc, auc_1, ...
    assert named == "metric"
    expected = keras.metrics.AUC()
    expected.update_state(Y, P)
    assert result.overall.metrics[auc] == pytest.approx(float(expected.result()))
    assert result.overall.metrics["metric"] == pytest.approx(2 * np.mean(np.abs(Y - P[:, 0])))


def test_the_loss_of_sequence_outputs_is_each_examples_mean_over_its_steps() -> None:
    inputs = keras.Input((3, 1))
    model = keras.Model(inputs, inputs)
    model.compile("sgd", "mse")
    p = np.array([[[0.5], [1.0], [0.0]], [[0.2], [0.2], [0.2]]], np.float32)
    y = np.array([[[1.0], [1.0], [1.0]], [[0.0], [0.0], [0.0]]], np.float32)
    weight = np.array([1.0, 3.0], np.float32)
    result = evaluate(model, (p, y, weight), bootstrap=0)
    # example 0: (0.25 + 0 + 1) / 3; example 1: 0.04; weighted 1 : 3
    expected = ((0.25 + 1.0) / 3 * 1.0 + 0.04 * 3.0) / 4.0
    assert result.overall.metrics == {"loss": pytest.approx(expected, rel=1e-6)}


def test_a_single_input_model_given_a_dict_of_features() -> None:
    # Keras takes the input named like the model's (with a warning); the slice feature is left
    data = ({"p": P, "group": np.array(["a", "b", "b", "b", "a"])}, Y)
    result = evaluate(_identity(), data, slices=["group"], metrics=["accuracy"], bootstrap=0)
    assert _names(result) == [("overall", 5), ("group=a", 2), ("group=b", 3)]
    assert result.overall.metrics == {"accuracy": pytest.approx(0.6)}


class Squeezed(keras.Model):
    """A binary classifier whose output has no last axis: one probability per example."""

    def call(self, features: Any) -> Any:
        return features[:, 0]


def test_accuracy_of_flat_two_class_and_sequence_outputs() -> None:
    # 0.9 0.2 0.6 0.4 0.7 against 1 0 0 1 1: three of five right
    flat = evaluate(Squeezed(), (P, Y), metrics=["accuracy"], bootstrap=0)
    assert flat.overall.metrics == {"accuracy": pytest.approx(0.6)}
    two = np.concatenate([1 - P, P], axis=1)  # softmax over two classes
    inputs = keras.Input((2,))
    result = evaluate(keras.Model(inputs, inputs), (two, Y), metrics=["accuracy"], bootstrap=0)
    assert result.overall.metrics == {"accuracy": pytest.approx(0.6)}
    # a sequence of binary outputs: 4 of 6 steps right (its last axis read as classes: 2)
    steps = np.array([[[0.9], [0.8], [0.3]], [[0.2], [0.6], [0.7]]], np.float32)
    labels = np.array([[[1], [1], [1]], [[0], [1], [0]]], np.float32)
    inputs = keras.Input((3, 1))
    result = evaluate(keras.Model(inputs, inputs), (steps, labels), metrics=["accuracy"],
                      bootstrap=0)  # fmt: skip
    assert result.overall.metrics == {"accuracy": pytest.approx(4 / 6)}
    # a sequence of three-class outputs with class labels: 3 of 4 steps right
    probs = np.array(
        [[[0.1, 0.7, 0.2], [0.2, 0.2, 0.6]], [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]], np.float32
    )
    classes = np.array([[[1], [2]], [[0], [1]]], np.int64)
    inputs = keras.Input((2, 3))
    result = evaluate(keras.Model(inputs, inputs), (probs, classes), metrics=["accuracy"],
                      bootstrap=0)  # fmt: skip
    assert result.overall.metrics == {"accuracy": pytest.approx(3 / 4)}


def test_text_values_that_differ_only_by_a_trailing_nul_are_two_slices() -> None:
    # NumPy's fixed-width strings drop trailing NULs: the keys stay Python strings
    keys = np.array(["id", "id\x00", "id", "id\x00", "x"], dtype=object)
    result = evaluate(_identity(), (P, Y), slices=["key"], bootstrap=0, slice_data={"key": keys})
    assert _names(result) == [("overall", 5), ("key=id", 2), ("key=id\x00", 2), ("key=x", 1)]


def test_a_dataset_with_a_sparse_feature_the_model_does_not_take() -> None:
    tags = tf.sparse.SparseTensor([[0, 0], [2, 1], [3, 0]], [1.0, 2.0, 3.0], [5, 2])
    group = np.array(["a", "b", "b", "b", "a"])
    dataset = tf.data.Dataset.from_tensor_slices(({"p": P, "tags": tags, "group": group}, Y))
    inputs = keras.Input((1,), name="p")
    model = keras.Model({"p": inputs}, inputs)
    result = evaluate(model, dataset.batch(2), slices=["group"], metrics=["accuracy"], bootstrap=0)
    assert _names(result) == [("overall", 5), ("group=a", 2), ("group=b", 3)]
    assert result["group=a"].metrics == {"accuracy": 1.0}


def test_intervals_by_default_are_95_percent_from_100_resamples() -> None:
    model = _identity()
    model.compile("sgd", "mse")  # the loss alone: measured in NumPy, 100 times in a blink
    result = evaluate(model, (P, Y))
    assert (result.bootstrap, result.confidence) == (100, 0.95)
    assert result.text().splitlines()[0] == (
        "<metrics of 0 slices (95% intervals from 100 resamples): 0 slices worse than overall>"
    )
    rng = np.random.default_rng(0)  # the default seed
    draws = []
    for _ in range(100):
        r = rng.poisson(1.0, 5).astype(np.float32)
        draws.append(float(((P[:, 0] - Y) ** 2 * r).sum() / r.sum()) if r.sum() else np.nan)
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    assert result.overall.intervals["loss"] == pytest.approx((low, high), rel=1e-5)


def test_the_first_slice_is_flagged_too() -> None:
    # group a: confident and wrong; group b: confident and right
    p = np.full((40, 1), 0.9, np.float32)
    y = np.array([0.0] * 20 + [1.0] * 20, np.float32)
    group = np.array(["a"] * 20 + ["b"] * 20)
    result = evaluate(_identity(), (p, y), slices=["group"], bootstrap=10,
                      slice_data={"group": group})  # fmt: skip
    assert result.flagged == ["group=a"]
    assert result["group=a"].worse == ["loss", "accuracy"]
    assert result["group=a"].intervals["accuracy"] == (0.0, 0.0)


def test_weights_are_read_as_float32_as_keras_reads_them_in_either_shape() -> None:
    model = _identity()
    model.compile("sgd", "mse")
    weights = np.array([0.1, 0.3, 0.7, 0.2, 0.9])  # float64, not binary fractions
    losses = np.square(P[:, 0] - Y).astype(np.float64)  # Keras' float32 arithmetic
    read = weights.astype(np.float32)
    expected = (losses * read).sum() / read.sum(dtype=np.float64)  # summed without rounding
    for given in (weights, weights[:, None]):
        result = evaluate(model, (P, Y, given), bootstrap=0)
        assert result.overall.metrics["loss"] == pytest.approx(expected, rel=1e-12)
    # and each resample's weights (float32 counts times them) the same way
    rng = np.random.default_rng(4)
    draws = []
    for _ in range(6):
        resampled = read * rng.poisson(1.0, 5).astype(np.float32)
        draws.append((losses * resampled).sum() / resampled.sum(dtype=np.float64))
    low, high = np.nanpercentile(draws, [5.0, 95.0])
    result = evaluate(model, (P, Y, weights), bootstrap=6, confidence=0.9, seed=4)
    assert result.overall.intervals["loss"] == pytest.approx((low, high), rel=1e-12)


def test_features_in_an_array_hold_no_slice_feature() -> None:
    message = (
        "Expected slice features among the data's features []. Received: 'value' "
        "(pass slice_data= for features the model does not take)"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        evaluate(_identity(), (P, Y), slices=["value"], bootstrap=0)


def test_labels_with_or_without_their_last_axis_give_the_same_loss_and_table() -> None:
    model = _identity()
    model.compile("sgd", "mse")
    flat = evaluate(model, (P, Y), bootstrap=0)
    column = evaluate(model, (P, Y[:, None]), bootstrap=0)
    expected = float(np.mean(np.square(P[:, 0] - Y).astype(np.float64)))
    assert flat.overall.metrics["loss"] == pytest.approx(expected, rel=1e-12)
    assert column.overall.metrics["loss"] == pytest.approx(expected, rel=1e-12)
    assert column.to_frame().loc["overall", "loss"] == column.overall.metrics["loss"]
    inputs = keras.Input((3, 1))
    sequences = keras.Model(inputs, inputs)
    sequences.compile("sgd", "mse")
    p = np.array([[[0.5], [1.0], [0.0]], [[0.2], [0.2], [0.2]]], np.float32)
    y = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], np.float32)  # no last axis
    result = evaluate(sequences, (p, y), bootstrap=0)
    assert result.overall.metrics["loss"] == pytest.approx(((0.25 + 1.0) / 3 + 0.04) / 2, rel=1e-6)


def test_a_slice_feature_of_lists_is_named_with_the_fix() -> None:
    model = _identity()
    model.compile("sgd", "mse")
    lists = [["a"], ["b", "c"], [], ["a"], ["c"]]
    message = (
        "Expected a single value per example in slice feature 'tags'. "
        "Received: a list of values per example (a ragged feature)"
    )
    for tags in (tf.ragged.constant(lists), pd.Series(lists)):
        with pytest.raises(ValueError, match="a ragged feature") as raised:
            evaluate(model, (P, Y), ["tags"], slice_data={"tags": tags}, bootstrap=0)
        assert str(raised.value) == message
