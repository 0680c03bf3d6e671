"""Which objects ``workbench.project`` reads as an Embedding layer's table: a Keras Embedding or a
subclass of one (a user's own layer built on it), built; an unbuilt one is told to build first;
an object that only has an ``embeddings`` attribute, or a class merely named Embedding, is not
one and gets the error any other non-array gets."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from workbench.projector.inputs import ProjectionError, read_points


class ScaledEmbedding(keras.layers.Embedding):  # type: ignore[misc]
    """A user's layer built on Embedding (as TokenAndPosition-style layers are)."""


def test_a_subclass_of_embedding_is_read_as_its_table() -> None:
    layer = ScaledEmbedding(10, 4, name="scaled")
    layer.build((None,))
    points = read_points(layer)
    assert points.source == "embedding layer 'scaled' (10 x 4)"
    np.testing.assert_array_equal(points.data, layer.embeddings.numpy())


def test_an_unbuilt_embedding_layer_is_told_to_build_first() -> None:
    with pytest.raises(ProjectionError) as raised:
        read_points(keras.layers.Embedding(10, 4, name="tokens"))
    assert str(raised.value) == (
        "x: the Embedding layer 'tokens' has no table yet: build it first (call it on a batch "
        "of ids, or fit or call its model)."
    )


class Holder:
    """Not a layer: it only holds an ``embeddings`` attribute."""

    name = "holder"
    embeddings = np.ones((3, 2), np.float32)


class Embedding:
    """Named like the layer, from no Keras package."""

    name = "fake"


@pytest.mark.parametrize("x", [Holder(), Embedding()])
def test_objects_that_only_look_like_an_embedding_are_not_read_as_one(x: object) -> None:
    with pytest.raises(ProjectionError) as raised:
        read_points(x)
    assert str(raised.value) == "x: expected numbers. Received an array of dtype object."
