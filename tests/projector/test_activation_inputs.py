"""``(model, inputs, layer_name)`` with the inputs users train on: a model of two inputs fed a
list, a dict, a ``tf.data.Dataset``, a generator of batches or a Keras ``PyDataset``; images
through a model that augments them (activations are in inference mode); a layer of several
outputs; and the mistakes (an unbuilt model, no rows, a text layer). Values are checked against
the layer's own weights."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

from workbench.projector.inputs import ProjectionError, read_points

N = 10  # rows: unlike every layer's width, so a swapped shape shows


@pytest.fixture(scope="module")
def two_inputs() -> tuple[Any, dict[str, np.ndarray], np.ndarray]:
    """A model of two inputs (4 and 3 features) joined by a Dense layer 'joint' of 5 units."""
    keras.utils.set_random_seed(0)
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    joined = keras.layers.Concatenate(name="both")([a, b])
    joint = keras.layers.Dense(5, activation="relu", name="joint")(joined)
    model = keras.Model([a, b], keras.layers.Dense(2, name="out")(joint))
    rng = np.random.default_rng(0)
    data = {"a": rng.normal(size=(N, 4)), "b": rng.normal(size=(N, 3))}
    data = {key: value.astype(np.float32) for key, value in data.items()}
    kernel, bias = model.get_layer("joint").get_weights()
    expected = np.maximum(np.concatenate([data["a"], data["b"]], axis=1) @ kernel + bias, 0)
    return model, data, expected


def _batches(
    data: dict[str, np.ndarray], size: int
) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
    """What a user writes to feed fit: (inputs, targets) batch by batch."""
    for start in range(0, N, size):
        yield {key: value[start : start + size] for key, value in data.items()}, np.zeros(size)


def test_a_model_of_two_inputs_from_a_list_a_dict_a_dataset_or_a_generator(
    two_inputs: tuple[Any, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    model, data, expected = two_inputs
    fed = {
        "list": [data["a"], data["b"]],
        "dict": data,
        "dataset": tf.data.Dataset.from_tensor_slices((data, np.zeros(N))).batch(4),
        "generator": _batches(data, 4),
    }
    for kind, inputs in fed.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # not Keras' "ran out of data" after the generator
            points = read_points((model, inputs, "joint"))
        assert points.source == "activations of layer 'joint' (10 x 5)", kind
        assert points.images is None, kind
        assert points.data.dtype == np.float32
        np.testing.assert_allclose(points.data, expected, rtol=1e-5, atol=1e-6, err_msg=kind)
    assert capsys.readouterr().out == ""  # no progress bar in the cell


class Batches(keras.utils.PyDataset):  # type: ignore[misc]
    """A user's PyDataset that forgets ``super().__init__()`` (Keras warns about it)."""

    def __init__(self, data: dict[str, np.ndarray]) -> None:
        self.data = data

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int) -> tuple[dict[str, np.ndarray]]:
        return ({key: value[index * 4 : index * 4 + 4] for key, value in self.data.items()},)


def test_a_keras_pydataset_and_keras_own_warnings_about_it(two_inputs: tuple[Any, ...]) -> None:
    model, data, expected = two_inputs
    with pytest.warns(UserWarning, match=r"should call `super\(\)\.__init__\(\*\*kwargs\)`"):
        points = read_points((model, Batches(data), "joint"))  # only the end of data is hushed
    np.testing.assert_allclose(points.data, expected, rtol=1e-5, atol=1e-6)


@pytest.fixture(scope="module")
def augmenting() -> tuple[Any, np.ndarray, np.ndarray]:
    """Digits as 8 x 8 x 1 images through a model that flips them at random while it trains."""
    keras.utils.set_random_seed(0)
    images = (load_digits().images[:40] / 16.0).astype(np.float32)[..., None]
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.RandomFlip("horizontal", name="flip"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(6, name="features"),
            keras.layers.Dense(10, name="logits"),
        ]
    )
    kernel, bias = model.get_layer("features").get_weights()
    return model, images, images.reshape(40, -1) @ kernel + bias


def test_activations_are_inference_mode_and_the_images_are_kept(
    augmenting: tuple[Any, ...],
) -> None:
    model, images, expected = augmenting
    for inputs in (images, tf.constant(images)):
        points = read_points((model, inputs, "features"))
        assert points.source == "activations of layer 'features' (40 x 6)"
        np.testing.assert_allclose(points.data, expected, rtol=1e-5, atol=1e-5)  # none flipped
        assert points.images is not None
        np.testing.assert_array_equal(points.images, images)  # the sprites
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(16)
    points = read_points((model, dataset, "features"))
    np.testing.assert_allclose(points.data, expected, rtol=1e-5, atol=1e-5)
    assert points.images is None  # a dataset is read once, by Keras: its images are not kept


@pytest.fixture(scope="module")
def sequences() -> tuple[Any, np.ndarray]:
    """An LSTM that returns its sequence and its states (three outputs) on 5 steps of 1 value."""
    keras.utils.set_random_seed(0)
    steps = keras.Input((5, 1))
    lstm = keras.layers.LSTM(4, return_sequences=True, return_state=True, name="lstm")
    _, last, _ = lstm(steps)
    model = keras.Model(steps, keras.layers.Dense(1, name="score")(last))
    return model, np.random.default_rng(1).normal(size=(6, 5, 1)).astype(np.float32)


def test_a_layer_of_several_outputs_projects_its_first(sequences: tuple[Any, ...]) -> None:
    model, x = sequences
    sequence = keras.ops.convert_to_numpy(model.get_layer("lstm")(x)[0]).reshape(6, 20)
    for inputs in (x, tf.data.Dataset.from_tensor_slices(x).batch(4)):
        points = read_points((model, inputs, "lstm"))
        assert points.source == "activations of layer 'lstm' (6 x 20)"
        np.testing.assert_allclose(points.data, sequence, rtol=1e-5, atol=1e-6)
        assert points.images is None  # 5 steps of 1 value are no images
    one = read_points((model, x[:1], "lstm"))
    np.testing.assert_allclose(one.data, sequence[:1], rtol=1e-5, atol=1e-6)


def test_no_rows_are_named_as_the_inputs(sequences: tuple[Any, ...]) -> None:
    model, x = sequences
    with pytest.raises(ProjectionError) as raised:
        read_points((model, x[:0], "lstm"))
    assert str(raised.value) == "inputs: expected at least one row. Received shape (0, 5, 1)."
    # a dataset (or several inputs) without rows: Keras' predict fails on a name it never bound
    empty = tf.data.Dataset.from_tensor_slices(x[:0]).batch(4)
    for inputs, kind in ((empty, "tf.data.Dataset"), ([x[:0]], "list")):
        with pytest.raises(ProjectionError) as raised:
            read_points((model, inputs, "lstm"))
        assert str(raised.value) == f"inputs: expected at least one row. Received a {kind} of none."


def test_a_model_without_inputs_yet_is_told_to_build() -> None:
    model = keras.Sequential(
        [keras.layers.Dense(3, name="hidden"), keras.layers.Dense(1, name="out")], name="mlp"
    )
    with pytest.raises(ProjectionError) as raised:
        read_points((model, np.ones((4, 2), np.float32), "hidden"))
    assert str(raised.value) == (
        "model: its layer 'hidden' has no defined output yet (Sequential model 'mlp' has no "
        "defined inputs yet.); call the model on data once (or build it with an Input) before "
        "projecting activations."
    )


def test_a_layer_of_text_is_not_numbers() -> None:
    text = keras.Input((1,), dtype="string", name="text")
    words = keras.layers.TextVectorization(vocabulary=["good", "bad"], output_mode="multi_hot")
    model = keras.Model(text, keras.layers.Dense(1, name="score")(words(text)))
    with pytest.raises(ProjectionError) as raised:
        read_points((model, np.array([["good"], ["bad"]]), "text"))
    assert str(raised.value) == (
        "activations of 'text': expected numbers. Received an array of dtype object."
    )


def test_a_half_precision_table_is_read_as_float32() -> None:
    layer = keras.layers.Embedding(10, 4, dtype="float16", name="tokens")
    layer.build((None,))
    points = read_points(layer)
    assert (points.source, points.images) == ("embedding layer 'tokens' (10 x 4)", None)
    assert points.data.dtype == np.float32
    np.testing.assert_array_equal(points.data, layer.embeddings.numpy().astype(np.float32))


def test_the_table_variable_itself_is_an_array() -> None:
    layer = keras.layers.Embedding(10, 4, name="tokens")
    layer.build((None,))
    points = read_points(layer.embeddings)  # a Keras Variable, not the layer
    assert points.source == "array 10 x 4"
    np.testing.assert_array_equal(points.data, layer.embeddings.numpy())
