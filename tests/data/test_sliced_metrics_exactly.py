"""``evaluate`` exactly, on a model whose predictions the test chooses (it outputs its input):
each slice's metrics and bootstrap intervals equal the same computed by hand with the same
resamples, weights included; a slice is flagged only when its whole interval is worse; numeric
slices in order of value and missing values one slice; batches and datasets of any size; and
each wrong input's error word for word."""

from __future__ import annotations

import re
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

from workbench.data.slices import LOWER_BETTER, SliceMetrics, evaluate, lower_is_better

EPSILON = 1e-7  # Keras' clipping of probabilities in its cross-entropy


def _identity(named: bool = False) -> keras.Model:
    """A compiled binary classifier whose output is its input: the test sets its predictions."""
    inputs = keras.Input((1,), name="p")
    model = keras.Model({"p": inputs} if named else inputs, inputs)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


def _problem(n: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Predictions, labels, weights and a group: group c's labels mostly disagree."""
    rng = np.random.default_rng(7)
    p = rng.uniform(0.05, 0.95, n).astype(np.float32)
    y = (p > 0.5).astype(np.float32)
    group = np.array(["a", "b", "c"] * (n // 3))
    wrong = (group == "c") & (rng.random(n) < 0.8)
    y[wrong] = 1 - y[wrong]
    y[(group == "a") & (rng.random(n) < 0.2)] = 0.0
    weight = rng.choice([0.5, 1.0, 2.0], n).astype(np.float32)
    return p, y, weight, group


def _by_hand(p: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    q = np.clip(p.astype(np.float64), EPSILON, 1 - EPSILON)
    loss = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    right = (p > 0.5) == (y == 1)
    total = w.astype(np.float64).sum()
    return float((loss * w).sum() / total), float((right * w).sum() / total)


def _intervals(
    p: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    index: np.ndarray,
    *,
    n: int,
    runs: int,
    seed: int,
    confidence: float,
) -> np.ndarray:
    """[[loss low, accuracy low], [loss high, accuracy high]] from the Poisson resamples
    ``evaluate`` draws: one weight per example and resample, from one generator of ``seed``."""
    rng = np.random.default_rng(seed)
    resamples = [rng.poisson(1.0, n).astype(np.float32) for _ in range(runs)]
    draws = [_by_hand(p[index], y[index], w[index] * r[index]) for r in resamples]
    tail = (1 - confidence) / 2 * 100
    return np.nanpercentile(np.array(draws), [tail, 100 - tail], axis=0)


def test_each_slices_metrics_and_intervals_equal_those_by_hand() -> None:
    p, y, weight, group = _problem()
    result = evaluate(
        _identity(named=True),
        ({"p": p[:, None], "group": group}, y, weight),
        slices=["group"],
        bootstrap=15,
        confidence=0.8,
        seed=3,
    )
    assert [s.name for s in result.slices] == ["overall", "group=a", "group=b", "group=c"]
    assert (result.metrics, result.confidence, result.bootstrap) == (["loss", "accuracy"], 0.8, 15)
    assert result.overall is result.slices[0]
    for s in result.slices:
        index = np.arange(60) if s.name == "overall" else np.flatnonzero(group == s.name[-1])
        assert s.examples == len(index) == (60 if s.name == "overall" else 20)
        loss, accuracy = _by_hand(p[index], y[index], weight[index])
        assert s.metrics["loss"] == pytest.approx(loss, rel=1e-5)
        assert s.metrics["accuracy"] == pytest.approx(accuracy, rel=1e-6)
        (loss_low, accuracy_low), (loss_high, accuracy_high) = _intervals(
            p, y, weight, index, n=60, runs=15, seed=3, confidence=0.8
        )
        assert s.intervals["loss"] == pytest.approx((loss_low, loss_high), rel=1e-5)
        assert s.intervals["accuracy"] == pytest.approx((accuracy_low, accuracy_high), rel=1e-5)
        assert all(type(v) is float for v in (*s.intervals["loss"], *s.metrics.values()))
    # group c is worse on both (its loss higher, its accuracy lower); group b is better
    assert result["group=c"].worse == ["loss", "accuracy"]
    assert result["group=b"].worse == []
    assert result["group=a"].worse == []
    assert result.overall.worse == []
    assert result.flagged == ["group=c"]


def test_another_seed_draws_other_intervals_and_the_same_seed_the_same() -> None:
    p, y, weight, _ = _problem()
    data = (p[:, None], y, weight)
    first = evaluate(_identity(), data, bootstrap=8, seed=1).overall.intervals
    again = evaluate(_identity(), data, bootstrap=8, seed=1).overall.intervals
    other = evaluate(_identity(), data, bootstrap=8, seed=2).overall.intervals
    assert first == again
    assert first["loss"] != other["loss"]
    expected = _intervals(p, y, weight, np.arange(60), n=60, runs=8, seed=2, confidence=0.95)
    assert other["loss"] == pytest.approx((expected[0][0], expected[1][0]), rel=1e-5)


def test_a_model_as_good_on_every_slice_flags_none() -> None:
    # every example 0.25 from its label, and right: each resample's value is the same
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1], np.float32)
    p = np.where(y == 1, 0.75, 0.25).astype(np.float32)[:, None]
    city = np.array(["Oslo", "Lima"] * 6)
    result = evaluate(
        _identity(),
        (p, y),
        slices=["city"],
        metrics=["mae", "accuracy"],
        bootstrap=6,
        slice_data={"city": city},
    )
    assert result.metrics == ["mean_absolute_error", "accuracy"]
    for s in result.slices:
        assert s.metrics == {"mean_absolute_error": 0.25, "accuracy": 1.0}
        assert s.intervals == {"mean_absolute_error": (0.25, 0.25), "accuracy": (1.0, 1.0)}
        assert s.worse == []
    assert result.flagged == []


def test_which_metrics_are_better_lower() -> None:
    for word in LOWER_BETTER:
        assert lower_is_better(word)
        assert lower_is_better(f"val_{word}_2")
    assert lower_is_better("mean_squared_logarithmic_error")
    for name in ("accuracy", "auc", "precision", "recall", "sparse_top_k_categorical_accuracy"):
        assert not lower_is_better(name)


def test_numeric_slices_in_order_of_value_and_missing_values_one_slice() -> None:
    p = np.array([0.2, 0.7, 0.9, 0.4, 0.6, 0.1, 0.8, 0.3], np.float32)[:, None]
    y = np.array([0, 1, 1, 0, 0, 1, 1, 0], np.float32)
    age = np.array([5, 10, 20, 5, 10, 9, 20, 100])
    height = np.array([1.0, np.nan, np.nan, 2.0, np.nan, 1.0, 1.5, 2.0])
    result = evaluate(
        _identity(),
        (p, y),
        slices=["age", "height", ("height", "age")],
        bootstrap=0,
        slice_data={"age": age, "height": height},
    )
    assert [(s.name, s.examples) for s in result.slices] == [
        ("overall", 8),
        ("age=5", 2), ("age=9", 1), ("age=10", 2), ("age=20", 2), ("age=100", 1),
        ("height=1", 2), ("height=1.5", 1), ("height=2", 2), ("height=nan", 3),
        ("height=1, age=5", 1), ("height=1, age=9", 1), ("height=1.5, age=20", 1),
        ("height=2, age=5", 1), ("height=2, age=100", 1),
        ("height=nan, age=10", 2), ("height=nan, age=20", 1),
    ]  # fmt: skip
    missing = result["height=nan"]
    loss, accuracy = _by_hand(p[[1, 2, 4], 0], y[[1, 2, 4]], np.ones(3, np.float32))
    assert missing.metrics["loss"] == pytest.approx(loss, rel=1e-5)
    assert missing.metrics["accuracy"] == pytest.approx(accuracy, rel=1e-6)
    assert missing.intervals == {}


def test_text_features_of_a_dataset_name_their_slices() -> None:
    p = np.array([0.2, 0.7, 0.9, 0.4, 0.6], np.float32)[:, None]
    y = np.array([0, 1, 1, 0, 0], np.float32)
    city = np.array(["Zürich".encode(), b"Lima", b"\xffbad", b"Lima", "Zürich".encode()])
    dataset = tf.data.Dataset.from_tensor_slices(({"p": p, "city": city}, y))
    result = evaluate(_identity(named=True), dataset, slices=["city"], bootstrap=0)
    assert [(s.name, s.examples) for s in result.slices] == [
        ("overall", 5), ("city=Lima", 2), ("city=Zürich", 2), ("city=\\xffbad", 1)
    ]  # fmt: skip
    objects = np.array(["b", 3, None, "b"], dtype=object)
    result = evaluate(_identity(), (p[:4], y[:4]), slices=["kind"], bootstrap=0,
                      slice_data={"kind": objects})  # fmt: skip
    assert [s.name for s in result.slices] == ["overall", "kind=3", "kind=None", "kind=b"]
    flags = np.array([True, False, True, True, False])
    result = evaluate(_identity(), (p, y), slices=["flag"], bootstrap=0,
                      slice_data={"flag": flags})  # fmt: skip
    assert [(s.name, s.examples) for s in result.slices] == [
        ("overall", 5), ("flag=False", 2), ("flag=True", 3)
    ]  # fmt: skip


def test_every_form_of_data_over_many_batches_gives_the_same_metrics() -> None:
    n = 2_500  # past two of evaluate's batches of 1,024
    rng = np.random.default_rng(1)
    p = rng.uniform(0.01, 0.99, (n, 1)).astype(np.float32)
    y = (rng.random(n) < p[:, 0]).astype(np.float32)
    weight = rng.choice([1.0, 3.0], n).astype(np.float32)
    part = np.where(np.arange(n) < 1_500, "early", "late")  # the second batch has both
    expected = {
        name: _by_hand(p[index, 0], y[index], weight[index])
        for name, index in [
            ("overall", np.arange(n)), ("part=early", np.arange(1_500)),
            ("part=late", np.arange(1_500, n)),
        ]
    }  # fmt: skip
    unbatched = tf.data.Dataset.from_tensor_slices(({"p": p, "part": part}, y, weight))
    import pandas as pd

    forms: list[tuple[keras.Model, Any, Any]] = [
        (_identity(), (p, y, weight), {"part": part}),
        (_identity(), [p, y, weight], pd.DataFrame({"part": part})),
        (_identity(named=True), ({"p": p, "part": part}, y, weight), None),
        (_identity(named=True), (pd.DataFrame({"p": p[:, 0], "part": part}), y, weight), None),
        (_identity(named=True), unbatched, None),
        (_identity(named=True), unbatched.batch(700), None),
    ]
    for model, data, slice_data in forms:
        result = evaluate(model, data, slices=["part"], bootstrap=0, slice_data=slice_data)
        assert [s.examples for s in result.slices] == [n, 1_500, 1_000]
        for s in result.slices:
            loss, accuracy = expected[s.name]
            assert s.metrics["loss"] == pytest.approx(loss, rel=1e-5), s.name
            assert s.metrics["accuracy"] == pytest.approx(accuracy, rel=1e-6), s.name


def test_accuracy_as_keras_resolves_it_for_the_labels_and_outputs() -> None:
    logits = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4]])
    probs = logits.astype(np.float32)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, inputs)
    labels = np.array([0, 2, 0, 0], np.int64)  # 3 of 4 right
    for y in (labels, labels[:, None], np.eye(3, dtype=np.float32)[labels]):
        for name in ("accuracy", "acc"):
            result = evaluate(model, (probs, y), metrics=[name], bootstrap=0)
            assert result.overall.metrics == {name: 0.75}
    binary = np.array([[0.9], [0.2], [0.6], [0.4]], np.float32)
    result = evaluate(_identity(), (binary, np.array([1, 0, 0, 0])), metrics=["acc"], bootstrap=0)
    assert result.overall.metrics == {"acc": 0.75}


def test_metrics_given_as_objects_configs_and_functions() -> None:
    p = np.array([[0.9], [0.2], [0.6], [0.4]], np.float32)
    y = np.array([[1], [0], [0], [1]], np.float32)  # as the outputs: a function sees them so
    given = keras.metrics.Precision(name="prec")
    given.update_state([1.0], [0.0])  # its state is its own: evaluate measures fresh copies

    def halved(y_true: Any, y_pred: Any) -> Any:
        return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1) / 2

    metrics = [given, keras.metrics.serialize(keras.metrics.Recall(name="rec")), halved]
    result = evaluate(_identity(), (p, y), metrics=metrics, bootstrap=0)
    assert result.metrics == ["prec", "rec", "halved"]
    assert result.overall.metrics["prec"] == pytest.approx(0.5)
    assert result.overall.metrics["rec"] == pytest.approx(0.5)
    assert result.overall.metrics["halved"] == pytest.approx((0.1 + 0.2 + 0.6 + 0.6) / 8)
    assert float(given.result()) == 0.0  # not updated by evaluate


def test_the_compiled_loss_of_labels_without_their_last_axis() -> None:
    p = np.array([[0.9], [0.2], [0.6]], np.float32)
    y = np.array([1, 0, 0], np.float32)
    model = _identity()
    model.compile("sgd", "mse")
    result = evaluate(model, (p, y), bootstrap=0)
    assert result.metrics == ["loss"]
    assert result.overall.metrics["loss"] == pytest.approx((0.01 + 0.04 + 0.36) / 3, rel=1e-6)
    # a slice whose weights are all zero measures nothing
    result = evaluate(model, (p, y, np.array([1, 0, 0], np.float32)), slices=["k"],
                      slice_data={"k": np.array([1, 2, 2])}, bootstrap=0)  # fmt: skip
    assert result["k=1"].metrics["loss"] == pytest.approx(0.01, rel=1e-5)
    assert np.isnan(result["k=2"].metrics["loss"])


def test_the_table_and_a_slice_by_name() -> None:
    p, y, _, group = _problem()
    result = evaluate(_identity(), (p[:, None], y), slices=["group"], bootstrap=5,
                      slice_data={"group": group})  # fmt: skip
    frame = result.to_frame()
    assert list(frame.index) == ["overall", "group=a", "group=b", "group=c"]
    assert list(frame.columns) == [
        "examples", "loss", "loss low", "loss high", "accuracy", "accuracy low", "accuracy high",
        "worse",
    ]  # fmt: skip
    c = result["group=c"]
    assert frame.loc["group=c", "loss high"] == c.intervals["loss"][1]
    assert frame.loc["group=c", "accuracy low"] == c.intervals["accuracy"][0]
    assert frame.loc["group=c", "worse"] == "loss, accuracy"
    assert frame.loc["overall", "worse"] == ""
    assert list(evaluate(_identity(), (p[:, None], y), bootstrap=0).to_frame().columns) == [
        "examples", "loss", "accuracy", "worse"
    ]  # fmt: skip
    assert repr(result) == result.text()
    assert result.text().splitlines()[0] == (
        "<metrics of 3 slices (95% intervals from 5 resamples): 1 slice worse than overall>"
    )
    assert "group=c" in result._repr_html_()
    message = (
        "Expected a slice in ['overall', 'group=a', 'group=b', 'group=c']. Received: 'group=d'"
    )
    with pytest.raises(KeyError, match=re.escape(message)):
        result["group=d"]


def _fails(message: str, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        evaluate(*args, **{"bootstrap": 0, **kwargs})


def test_each_wrong_input_says_what_was_expected() -> None:
    p = np.array([[0.9], [0.2]], np.float32)
    y = np.array([1, 0], np.float32)
    model = _identity(named=True)
    _fails(
        "Expected slice features among the data's features ['group', 'p', 'size']. "
        "Received: 'age' (pass slice_data= for features the model does not take)",
        model, ({"p": p, "group": np.array(["a", "b"])}, y), slices=["group", ("age",)],
        slice_data={"size": np.array([1, 2])},
    )  # fmt: skip
    _fails("Expected at least one example. Received: empty data", _identity(), (p[:0], y[:0]))
    _fails(
        "Expected (x, y), (x, y, sample_weight) or a tf.data.Dataset of them. Received: ndarray",
        _identity(), p,
    )  # fmt: skip
    _fails(
        "Expected (x, y), (x, y, sample_weight) or a tf.data.Dataset of them. Received: tuple",
        _identity(), (p, y, y, y),
    )  # fmt: skip
    _fails(
        "Expected a dataset of (x, y) or (x, y, sample_weight). Received: elements of dict",
        model, tf.data.Dataset.from_tensor_slices({"p": p}),
    )  # fmt: skip
    _fails(
        "Expected a dataset of (x, y) or (x, y, sample_weight). Received: elements of tuple",
        _identity(), tf.data.Dataset.from_tensor_slices((p, y, y, y)).batch(2),
    )  # fmt: skip
    _fails(
        "Expected features as a dict, a DataFrame or an array. Received: list",
        _identity(), ([[0.9], [0.2]], y),
    )  # fmt: skip
    _fails(
        "Expected a single value per example in slice feature 'pair'. "
        "Received: 2 values per example",
        _identity(), (p, y), slices=["pair"], slice_data={"pair": np.ones((2, 2))},
    )  # fmt: skip
    inputs = keras.Input((1,))
    never = keras.Model(inputs, inputs)
    _fails(
        "Expected a compiled model or metrics=[...]. "
        "Received: a model that was never compiled, and no metrics",
        never, (p, y),
    )  # fmt: skip
    two = keras.Model(inputs, [inputs, inputs])
    two.compile("sgd", ["mse", "mse"], metrics={"output_0": "mae"})
    _fails(
        "Expected one output's metrics. Received: metrics per output; pass metrics=[...]",
        two, (p, y),
    )  # fmt: skip
    two.compile("sgd", ["mse", "mse"])
    _fails("Expected at least one metric. Received: none compiled and none given", two, (p, y))
    _fails("Expected at least one metric. Received: none compiled and none given",
           never, (p, y), metrics=[])  # fmt: skip


def test_the_result_type() -> None:
    result = evaluate(_identity(), (np.array([[0.9]], np.float32), np.array([1.0])), bootstrap=0)
    assert isinstance(result, SliceMetrics)
    assert [s.name for s in result.slices] == ["overall"]
    assert result.flagged == []
