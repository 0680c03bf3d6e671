"""Displays of real TensorFlow and Keras objects through IPython's formatters, asserted on their
text form; HTML checked to be self-contained."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


@pytest.fixture
def show(ip: Any) -> Any:
    formatters = ip.display_formatter.formatters
    formatters["text/html"].enabled = True  # a terminal shell leaves HTML off; kernels have it

    def display(expression: str) -> dict[str, str]:
        data, _ = ip.display_formatter.format(ip.ev(expression))
        html = data.get("text/html", "")
        assert "<script" not in html
        assert "http" not in html.replace("http://www.w3.org/2000/svg", "")
        return data  # type: ignore[no-any-return]

    return display


def test_tensor_shape_dtype_device_and_statistics(ip: Any, show: Any) -> None:
    ip.run_cell("x = tf.reshape(tf.range(12.0), [3, 4])")
    data = show("x")
    text = data["text/plain"]
    assert text.startswith("<tf.Tensor shape=(3, 4) float32 on CPU:0")
    for part in ("min 0", "max 11", "mean 5.5", "std 3.452", "nan 0", "inf 0"):
        assert part in text
    assert "<svg" in data["text/html"]  # histogram
    assert "data:image/png;base64," in data["text/html"]  # heatmap of a 2-D tensor


def test_nan_and_inf_are_counted_and_left_out_of_statistics(ip: Any, show: Any) -> None:
    ip.run_cell("y = tf.constant([1.0, float('nan'), 3.0, float('inf')])")
    text = show("y")["text/plain"]
    assert "nan 1" in text
    assert "inf 1" in text
    assert "mean 2" in text


def test_variables_ragged_and_sparse(ip: Any, show: Any) -> None:
    text = show("tf.Variable([[1.0, 2.0]], name='w')")["text/plain"]
    assert text.startswith("<tf.Variable shape=(1, 2) float32")
    assert "trainable True" in text
    text = show("tf.ragged.constant([[1, 2], [3], [4, 5, 6]])")["text/plain"]
    assert "rows 3" in text
    assert "row lengths min 1 · max 3 · mean 2" in text
    text = show("tf.sparse.from_dense(tf.constant([[1.0, 0.0], [0.0, 0.0]]))")["text/plain"]
    assert "stored values 1" in text
    assert "density 0.25" in text


def test_a_large_tensor_copies_only_a_sample(ip: Any, show: Any) -> None:
    ip.run_cell("big = tf.random.normal([3000, 3000], seed=1)")
    text = show("big")["text/plain"]
    stats = dict(part.split(" ", 1) for part in text.split(">")[0].split(" · ")[1:])
    assert abs(float(stats["mean"])) < 0.01
    assert abs(float(stats["std"]) - 1) < 0.01
    assert text.count("\n") < 20  # a bounded preview, not nine million numbers


def test_keras_model_tree_params_and_compile_settings(ip: Any, show: Any) -> None:
    ip.run_cell(
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), "
        "keras.layers.BatchNormalization(), keras.layers.Dense(1)])\n"
        "model.compile(keras.optimizers.Adam(0.01), 'mse', jit_compile=False)"
    )
    text = show("model")["text/plain"]
    assert "<Sequential" in text
    assert "dense (Dense) -> (None, 3) · 15 params" in text
    assert "(6 trainable" not in text  # totals count every layer
    assert "12 not" not in text
    assert "non" not in text.split("\n")[0]
    assert "optimizer Adam (learning rate 0.01)" in text
    assert "jit_compile False" in text
    unbuilt = show("keras.Sequential([keras.layers.Dense(2)])")["text/plain"]
    assert "not built" in unbuilt
    assert "compiled no" in unbuilt


def test_functional_model_graph(ip: Any, show: Any) -> None:
    ip.run_cell(
        "inp = keras.Input((4,))\n"
        "a = keras.layers.Dense(3, name='left')(inp)\n"
        "b = keras.layers.Dense(3, name='right')(inp)\n"
        "functional = keras.Model(inp, keras.layers.Add(name='join')([a, b]))"
    )
    html = show("functional")["text/html"]
    assert html.count("<line") == 4  # input->left, input->right, left->join, right->join
    for name in ("left", "right", "join"):
        assert f">{name}</text>" in html


def test_dataset_spec_cardinality_and_preview(ip: Any, show: Any) -> None:
    text = show(
        "tf.data.Dataset.from_tensor_slices(({'x': tf.ones([5, 2])}, tf.range(5))).batch(2)"
    )["text/plain"]
    assert "cardinality 3" in text
    assert "[0]" in text
    assert "[2]" in text
    assert "[3]" not in text
    assert "infinite" in show("tf.data.Dataset.range(3).repeat()")["text/plain"]


def test_gradients_flag_none_and_work_inside_an_outer_tape(ip: Any) -> None:
    import keras
    import tensorflow as tf

    import workbench

    inputs = keras.Input((3,))
    used = keras.layers.Dense(2, name="used")(inputs)
    unused = keras.layers.Dense(2, name="unused")(inputs)
    model = keras.Model(inputs, [used, unused])
    x, y = tf.ones([4, 3]), tf.zeros([4, 2])

    def loss(y_true: Any, y_pred: Any) -> Any:
        return tf.reduce_mean((y_pred[0] - y_true) ** 2)  # ignores the second output

    report = workbench.inspect_gradients(model, (x, y), loss=loss)
    flags = report.flags()
    assert any("unused" in name and "no gradient" in why for name, why in flags.items())
    assert not any("used/" in name and name.startswith("used") for name in flags)
    assert "! no gradient" in repr(report)
    assert "no gradient" in report._repr_html_()
    with tf.GradientTape() as outer:
        inner = workbench.inspect_gradients(model, (x, y), loss=loss)
        total = inner.total_norm
    second = outer.gradient(total, model.trainable_variables)
    assert any(g is not None and np.isfinite(g.numpy()).all() for g in second)


def test_gradient_errors_are_actionable() -> None:
    import keras
    import tensorflow as tf

    import workbench

    with pytest.raises(ValueError, match="Expected a built model"):
        workbench.inspect_gradients(keras.Sequential([keras.layers.Dense(1)]), (1, 2))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="Expected a compiled model or a loss"):
        workbench.inspect_gradients(model, (tf.ones([1, 2]), tf.ones([1, 1])))
    with pytest.raises(ValueError, match=r"Expected batch to be \(x, y\)"):
        workbench.inspect_gradients(model, tf.ones([1, 2]))


def test_a_failing_display_falls_back(ip: Any) -> None:
    from workbench.inspect.formatters import _safe_html, _safe_text

    class Printer:
        def __init__(self) -> None:
            self.out = ""

        def text(self, value: str) -> None:
            self.out += value

    def broken(_: Any) -> str:
        raise RuntimeError("boom")

    printer = Printer()
    _safe_text(broken)(object(), printer, False)
    assert "workbench display failed: RuntimeError" in printer.out
    assert _safe_html(broken)(object()) is None
