"""``evaluate``: a model's metrics overall and per slice equal the same metrics computed by hand on
each group; a slice where the model is worse is flagged, one where it is not is not; crossed
slices, tf.data input and a missing slice feature."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import workbench


@pytest.fixture(scope="module")
def problem() -> tuple[keras.Model, dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(0)
    n = 1_200
    group = rng.choice(["a", "b", "c"], n)
    size = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    flip = (group == "c") & (rng.random(n) < 0.45)  # group c's labels are mostly noise
    y[flip] = 1 - y[flip]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=3, verbose=0)
    return model, {"x": x, "group": group, "size": size}, y


def _by_hand(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    loss = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    return loss, float(np.mean((p > 0.5) == (y == 1)))


def test_sliced_metrics_equal_metrics_by_hand(problem: tuple) -> None:  # type: ignore[type-arg]
    model, features, y = problem
    result = workbench.evaluate(
        model,
        (features["x"], y),
        slices=["group", ("group", "size")],
        bootstrap=20,
        slice_data={"group": features["group"], "size": features["size"]},
    )
    p = model.predict(features["x"], verbose=0)[:, 0]
    names = [s.name for s in result.slices]
    assert names[:4] == ["overall", "group=a", "group=b", "group=c"]
    assert "group=c, size=1" in names
    for s in result.slices:
        if s.name == "overall":
            mask = np.ones(len(y), bool)
        else:
            mask = np.ones(len(y), bool)
            for part in s.name.split(", "):
                key, value = part.split("=")
                mask &= features[key].astype(str) == value
        loss, accuracy = _by_hand(p[mask], y[mask])
        assert s.examples == mask.sum()
        assert s.metrics["loss"] == pytest.approx(loss, rel=1e-4)
        assert s.metrics["accuracy"] == pytest.approx(accuracy, abs=1e-6)
        low, high = s.intervals["accuracy"]
        assert low <= s.metrics["accuracy"] + 0.02
        assert high >= s.metrics["accuracy"] - 0.02
    assert "group=c" in result.flagged
    assert "group=a" not in result.flagged
    assert result["group=c"].worse == ["loss", "accuracy"]
    text = result.text()
    assert "! group=c" in text
    assert "worse: loss, accuracy" in text
    html = result._repr_html_()
    assert "worse than overall" in html
    assert result.to_frame().loc["group=a", "examples"] == (features["group"] == "a").sum()


def test_tf_data_given_metrics_and_missing_features(problem: tuple) -> None:  # type: ignore[type-arg]
    model, features, y = problem
    inputs = keras.Input((3,), name="x")
    named = keras.Model({"x": inputs}, model(inputs))
    dataset = tf.data.Dataset.from_tensor_slices(
        ({"x": features["x"], "group": features["group"]}, y)
    )
    result = workbench.evaluate(
        named,
        dataset.batch(100),
        slices=["group"],
        metrics=[keras.metrics.AUC(name="auc")],
        bootstrap=0,
    )
    assert result.metrics == ["auc"]
    assert result.overall.intervals == {}
    auc = keras.metrics.AUC()
    auc.update_state(y, model.predict(features["x"], verbose=0))
    assert result.overall.metrics["auc"] == pytest.approx(float(auc.result()), rel=1e-6)
    with pytest.raises(
        ValueError,
        match=r"Expected slice features among the data's features \['group', 'x'\]\. "
        r"Received: 'age'",
    ):
        workbench.evaluate(named, dataset.batch(100), slices=["age"], bootstrap=0)
    with pytest.raises(ValueError, match="Expected a compiled model or metrics"):
        workbench.evaluate(named, dataset.batch(100), bootstrap=0)
