"""``workbench.project`` on what users pass it (a trained model's activations, an Embedding
layer, tensors), the view's messages (binary points, selections back to Python) and what a
saved notebook keeps (the static picture, not the widget)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import comm
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import silhouette_score

from tests.projector.page import StateRecording
from workbench.projector import ProjectionError
from workbench.server.presave import keep_static_forms
from workbench.widgets.projector import project

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def digits_model() -> tuple[Any, np.ndarray, np.ndarray]:
    import keras

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(32, activation="relu", name="hidden"),
            keras.layers.Dense(10, name="logits"),
        ]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=15, batch_size=64, verbose=0)
    return model, x, y


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: StateRecording(**kwargs))


def test_activations_of_a_trained_model_separate_the_classes(digits_model: tuple) -> None:
    model, x, y = digits_model
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Keras warning about the inputs' structure
        project((model, x[:50], "hidden"))
    proj = project(
        (model, x[:600], "hidden"), labels=y[:600], method="tsne", perplexity=20, n_jobs=1
    )
    assert proj.coords.shape == (600, 2)
    assert "activations of layer 'hidden' (600 x 32)" in proj.title
    score = silhouette_score(proj.coords, y[:600])
    baseline = silhouette_score(proj.coords, np.random.default_rng(0).permutation(y[:600]))
    assert score > 0.3
    assert score > baseline + 0.3
    pca = project((model, x, "hidden"), labels=y)
    assert silhouette_score(pca.coords, y) > silhouette_score(pca.coords, np.roll(y, 7)) + 0.1


def test_a_missing_layer_lists_the_models_layers(digits_model: tuple) -> None:
    model, x, _ = digits_model
    with pytest.raises(
        ProjectionError, match=r"layer_name: expected one of .*'hidden', 'logits'\]"
    ):
        project((model, x, "hiden"))


def test_an_embedding_layer_with_its_vocabulary_and_a_tensor() -> None:
    import keras
    import tensorflow as tf

    layer = keras.layers.Embedding(50, 8, name="tokens")
    layer.build((None,))
    vocabulary = [f"word{i}" for i in range(50)]
    proj = project(layer, labels=vocabulary, dims=3)
    assert proj.coords.shape == (50, 3)
    assert "embedding layer 'tokens' (50 x 8)" in proj.title
    found = proj.neighbors("word3", k=4)
    assert len(found) == 4
    assert "word3" not in found.labels
    table = layer.embeddings.numpy()
    brute = np.linalg.norm(table - table[3], axis=1)
    brute[3] = np.inf
    assert found.indices.tolist() == np.argsort(brute)[:4].tolist()
    from_tensor = project(tf.constant(table))
    np.testing.assert_allclose(np.abs(from_tensor.coords), np.abs(project(table).coords), atol=1e-5)


def test_nan_rows_keep_their_place_in_coords() -> None:
    x = np.random.default_rng(0).normal(size=(20, 4))
    x[3, 1] = np.nan
    proj = project(x, labels=list(range(20)))
    assert proj.dropped == 1
    assert np.isnan(proj.coords[3]).all()
    assert np.isfinite(np.delete(proj.coords, 3, axis=0)).all()
    assert "1 row with NaN/Inf left out" in proj.title
    with pytest.raises(ProjectionError, match="row 3 holds NaN or Inf"):
        proj.neighbors(3)
    assert 3 not in proj.neighbors(4, k=19).indices


def test_the_view_sends_binary_points_and_selections_reach_python(recorded: None) -> None:
    x = np.random.default_rng(0).normal(size=(1000, 5)).astype(np.float32)
    x[10] = np.inf
    proj = project(x, metadata={"group": [i % 4 for i in range(1000)]})
    view = proj.view
    view.comm.ask("points", {})
    sent = view.comm.take()
    points, colors, response = sent
    assert points[0] == {"type": "points", "n": 999, "dims": 2}
    assert len(points[1][0]) == 999 * 2 * 4  # float32, not a JSON list
    positions = np.frombuffer(points[1][0], "<f4").reshape(-1, 2)
    assert np.abs(positions).max() == pytest.approx(1.0)
    assert colors[0] == {"type": "colors", "column": "group"}
    assert len(colors[1][0]) == 999
    assert response[0]["result"] == {"n": 999}
    assert [e["count"] for e in view.legend] == [250, 250, 249, 250]  # row 10 left out
    # a lasso's indices arrive as a uint32 buffer; proj.selected holds input rows
    content = {"type": "request", "id": 7, "method": "select", "params": {"count": 3}}
    view.comm.handle_msg(
        {
            "content": {
                "comm_id": view.comm.comm_id,
                "data": {"method": "custom", "content": content},
            },
            "buffers": [np.array([9, 10, 11], "<u4").tobytes()],
        }
    )
    assert proj.selected.tolist() == [9, 11, 12]
    assert view.comm.take()[-1][0]["result"] == {"count": 3}
    view.comm.ask("row", {"index": 10}, id=8)
    assert view.comm.take()[-1][0]["result"] == {"index": 10, "row": {"row": "11", "group": "3"}}
    view.comm.ask("search", {"query": "2"}, id=9)
    highlight, answer = view.comm.take()
    assert highlight[0]["kind"] == "search"
    assert answer[0]["result"] == {"count": 249}
    view.comm.ask("neighbors", {"index": 0, "k": 3}, id=10)
    highlight, answer = view.comm.take()
    assert highlight[0] == {"type": "highlight", "kind": "neighbors", "anchor": 0, "count": 3}
    assert answer[0]["result"]["indices"] == np.frombuffer(highlight[1][0], "<u4").tolist()
    view.comm.ask("color", {"column": "nope"}, id=11)
    assert "Expected a column in ['group']" in view.comm.take()[-1][0]["error"]["message"]
    view.comm.ask("bundle", {}, id=12)
    assert "regl" in view.comm.take()[-1][0]["result"]["code"]


def test_the_widget_state_does_not_carry_the_bundle(recorded: None) -> None:
    proj = project(np.random.default_rng(0).normal(size=(50, 3)))
    state = proj.view.get_state()
    assert len(json.dumps(state["_esm"])) < 4_000
    assert "createScatterplot" not in json.dumps(state)


def test_a_saved_notebook_keeps_the_picture_not_the_widget(recorded: None) -> None:
    x, y = load_digits(return_X_y=True)
    proj = project(x, labels=y)
    data, metadata = proj._repr_mimebundle_()
    assert WIDGET in data
    assert '<img src="data:image/png;base64,' in data["text/html"]
    assert "0 (178)" in data["text/html"]  # the legend, with counts
    notebook = {
        "type": "notebook",
        "content": {
            "cells": [
                {
                    "outputs": [
                        {"output_type": "display_data", "data": dict(data), "metadata": metadata}
                    ]
                }
            ]
        },
    }
    keep_static_forms(notebook)
    saved = notebook["content"]["cells"][0]["outputs"][0]["data"]
    assert WIDGET not in saved
    assert saved["text/html"] == data["text/html"]
