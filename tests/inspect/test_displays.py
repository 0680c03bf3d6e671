"""Displays of real TensorFlow and Keras objects through IPython's formatters, asserted on their
text form; HTML checked to be self-contained."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


def test_tensor_shape_dtype_device_and_statistics(ip: Any, show: Any) -> None:
    ip.run_cell("x = tf.reshape(tf.range(12.0), [3, 4])")
    data = show("x")
    text = data["text/plain"]
    assert text.startswith("<tf.Tensor shape=(3, 4) float32 on CPU:0")
    for part in ("min 0", "max 11", "mean 5.5", "std 3.452", "nan 0", "inf 0"):
        assert part in text
    assert "class='workbench-histogram'" in data["text/html"]
    assert "data:image/png;base64," in data["text/html"]  # heatmap of a 2-D tensor


def test_nan_and_inf_are_counted_and_left_out_of_statistics(ip: Any, show: Any) -> None:
    ip.run_cell("y = tf.constant([1.0, float('nan'), 3.0, float('inf')])")
    text = show("y")["text/plain"]
    assert "nan 1" in text
    assert "inf 1" in text
    assert "mean 2" in text


def test_a_mutated_variable_is_summarised_again(ip: Any, show: Any) -> None:
    ip.run_cell("v = tf.Variable([1.0, 2.0])")
    assert "min 1 · max 2 · mean 1.5" in show("v")["text/plain"]
    ip.run_cell("assigned = v.assign([5.0, 6.0])")  # no output: nothing displayed in between
    data = show("v")
    assert "min 5 · max 6 · mean 5.5" in data["text/plain"]
    assert ">5.5<" in data["text/html"]  # both forms of one display from the same, new summary


def test_statistics_keep_their_precision(ip: Any, show: Any) -> None:
    # float16: 300**2 overflows float16 (max 65504) unless upcast before squaring
    text = show("tf.constant([300.0, -300.0], tf.float16)")["text/plain"]
    assert "mean 0 · std 300 ·" in text
    # mean 1e4, std 1: E[x^2] - mean^2 in float32 cancels to noise
    text = show("tf.constant(1e4 + np.tile([-1.0, 1.0], 500), tf.float32)")["text/plain"]
    assert "mean 10000 · std 1 ·" in text
    # int64 past 2**24, where float32 has no odd integers
    text = show("tf.constant([2**24 + 1, 2**24 + 3], tf.int64)")["text/plain"]
    assert "min 16777217 · max 16777219 · mean 16777218 · std 1>" in text
    text = show("tf.constant([2**62 + 1, 2**62 + 3], tf.int64)")["text/plain"]
    assert f"min {2**62 + 1} · max {2**62 + 3} ·" in text
    # a constant past 2**53: NumPy's default histogram range has no width there
    assert "min 1e+20 · max 1e+20 · mean 1e+20 · std 0" in show("tf.fill([4], 1e20)")["text/plain"]


def test_an_image_batch_shows_its_first_image(ip: Any) -> None:
    import tensorflow as tf

    from workbench.inspect.tensors import summarize

    # two 32 x 40 RGB images; the first is a left-to-right ramp, the same in every channel
    ramp = tf.tile(tf.range(40.0)[tf.newaxis, :, tf.newaxis], [32, 1, 3])
    images = tf.stack([ramp, tf.zeros([32, 40, 3])])
    heatmap = summarize(images).heatmap
    assert heatmap is not None
    assert heatmap.shape == (32, 40)  # H x W, not W x C
    np.testing.assert_allclose(heatmap[0], np.arange(40.0))
    np.testing.assert_allclose(summarize(images[0]).heatmap, heatmap)  # HWC alike
    assert summarize(tf.zeros([2, 5, 7])).heatmap.shape == (5, 7)  # not an image: last two dims


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
    result = ip.run_cell(
        # names given: Keras numbers unnamed layers per process, whatever ran before this test
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name='dense'), "
        "keras.layers.BatchNormalization(name='batch_normalization'), "
        "keras.layers.Dense(1, name='dense_1')], name='sequential')\n"
        "model.compile(keras.optimizers.Adam(0.01), 'mse', jit_compile=False)"
    )
    assert result.success, result.error_in_exec
    text = show("model")["text/plain"]
    assert "<Sequential" in text
    # Dense 4x3+3, BatchNormalization 2x3 trainable + 2x3 moving statistics, Dense 3x1+1
    assert text.split("\n")[0] == "<Sequential 'sequential': 31 params (25 trainable, 6 not)>"
    assert "dense (Dense) -> (None, 3) · 15 params" in text
    assert "batch_normalization (BatchNormalization) -> (None, 3) · 12 params" in text
    assert text.split("\n")[-1] == (
        "  compiled yes · optimizer Adam (learning rate 0.01) · loss mse · jit_compile False"
        " · run_eagerly False"
    )
    html = show("model")["text/html"]
    assert "31 params (25 trainable, 6 not)" in html
    assert "6 / 6</td><td style='text-align:left'>float32</td>" in html
    ip.run_cell(
        "half = keras.layers.Dense(2, dtype='mixed_float16')\n"
        "mixed = keras.Sequential([keras.Input((4,)), half])\n"
        "mixed.compile('sgd', keras.losses.MeanAbsoluteError(), run_eagerly=True)"
    )
    data = show("mixed")
    assert "<td style='text-align:left'>mixed_float16</td>" in data["text/html"]
    assert "loss mean_absolute_error" in data["text/plain"]
    assert "run_eagerly True" in data["text/plain"]
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
    lines = text.split("\n")
    assert lines[0] == (
        "<_BatchDataset element ({'x': float32[None, 2]}, int32[None]) · cardinality 3>"
    )
    assert lines[1] == "  [0] ({'x': float32[2, 2] [1., 1., 1., 1.]}, int32[2] [0, 1])"
    assert lines[3] == "  [2] ({'x': float32[1, 2] [1., 1.]}, int32[1] [4])"
    assert len(lines) == 4
    assert "infinite" in show("tf.data.Dataset.range(3).repeat()")["text/plain"]


def test_both_forms_of_a_dataset_display_read_it_once(ip: Any, show: Any) -> None:
    import html

    ip.run_cell("shuffled = tf.data.Dataset.range(10_000).shuffle(10_000)")  # unseeded
    data = show("shuffled")
    shown = [line.split("] ", 1)[1] for line in data["text/plain"].split("\n")[1:]]
    items = data["text/html"].split("<ol start='0'>")[1]
    listed = [html.unescape(i.split("</code>")[0]) for i in items.split("<li><code>")[1:]]
    assert len(shown) == 3
    assert listed == shown
    again = show("shuffled")  # a new display of the same dataset reads it again
    assert again["text/plain"] != data["text/plain"]  # 3 of 10,000 in order: equal by 1e-12


def test_a_dataset_preview_copies_only_the_head_of_each_element(ip: Any, show: Any) -> None:
    text = show("tf.data.Dataset.from_tensors((tf.zeros([500, 500]), tf.constant('a' * 100_000)))")[
        "text/plain"
    ]
    assert "float32[500, 500] [0., 0., 0., 0., 0., 0., 0., 0.] ..." in text
    assert "string[] [b'" + "a" * 32 + "'] (cut)" in text
    assert len(text) < 400


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


def test_gradient_norms_have_the_second_order_gradients_nested_tapes_give(ip: Any) -> None:
    import keras
    import tensorflow as tf

    import workbench

    keras.utils.set_random_seed(3)
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="tanh", name="hidden")(inputs)
    used = keras.layers.Dense(2, name="used")(hidden)
    unused = keras.layers.Dense(2, name="unused")(inputs)
    model = keras.Model(inputs, [used, unused])
    x = tf.random.normal([6, 3], seed=1)
    y = tf.random.normal([6, 2], seed=2)
    variables = model.trainable_variables

    def loss(y_true: Any, y_pred: Any) -> Any:
        return tf.reduce_mean((y_pred[0] - y_true) ** 2)  # ignores the second output

    # what the README promises: under an outer tape, the norms are differentiable tensors, with
    # the same gradients of gradients as the norm of an inner tape's gradients written by hand
    with tf.GradientTape(persistent=True) as outer:
        report = workbench.inspect_gradients(model, (x, y), loss=loss)
        with tf.GradientTape() as inner:
            value = loss(y, model(x, training=True))
        by_hand = [g for g in inner.gradient(value, variables) if g is not None]
        expected_total = tf.sqrt(tf.add_n([tf.reduce_sum(g**2) for g in by_hand]))
        total = report.total_norm
        first = report.norms[0]  # hidden/kernel's own norm
        expected_first = tf.norm(by_hand[0])
    np.testing.assert_allclose(float(total), float(expected_total), rtol=1e-5)
    pairs = [
        (outer.gradient(total, variables), outer.gradient(expected_total, variables)),
        (outer.gradient(first, variables), outer.gradient(expected_first, variables)),
    ]
    del outer
    for second, expected in pairs:
        for variable, got, want in zip(variables, second, expected, strict=True):
            name = variable.path
            if name.startswith("unused"):
                assert want is None, name  # not connected: no gradient at all
                assert got is None, name
                continue
            assert got is not None, f"{name}: the norm was cut off from the tape"
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-7)
            if name.endswith("kernel"):
                assert np.abs(got.numpy()).max() > 1e-3, name  # a real second-order term


def test_inspecting_gradients_leaves_batch_norm_statistics_alone(ip: Any) -> None:
    import keras
    import tensorflow as tf

    import workbench

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
    )
    model.compile("sgd", "mse")
    norm = model.layers[0]
    x = tf.random.normal([8, 3], mean=5.0, seed=2)
    before = [v.numpy().copy() for v in model.non_trainable_variables]
    report = workbench.inspect_gradients(model, (x, tf.ones([8, 1])))
    assert report.flags() == {}
    np.testing.assert_array_equal(norm.moving_mean.numpy(), np.zeros(3))
    for variable, value in zip(model.non_trainable_variables, before, strict=True):
        np.testing.assert_array_equal(variable.numpy(), value)
    model(x, training=True)  # what the inspection's forward pass did before it restored them
    assert (norm.moving_mean.numpy() > 0.01).all()


def test_embedding_gradient_norms_count_repeated_rows(ip: Any) -> None:
    import keras
    import tensorflow as tf

    import workbench

    model = keras.Sequential([keras.Input((4,), dtype="int32"), keras.layers.Embedding(50, 2)])
    tokens = tf.constant([[3, 3, 3, 7]])  # row 3 looked up three times
    target = tf.zeros([1, 4, 2])
    loss = keras.losses.MeanSquaredError()
    with tf.GradientTape() as tape:
        value = loss(target, model(tokens))
    (gradient,) = tape.gradient(value, model.trainable_variables)
    assert isinstance(gradient, tf.IndexedSlices)
    dense = float(tf.norm(tf.convert_to_tensor(gradient)))
    report = workbench.inspect_gradients(model, (tokens, target), loss=loss)
    assert report.norms[0] is not None
    assert float(report.norms[0]) == pytest.approx(dense, rel=1e-6)
    assert float(report.norms[0]) != pytest.approx(float(tf.norm(gradient.values)), rel=1e-3)


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


def test_a_one_element_tensor_is_one_line(ip: Any, show: Any) -> None:
    data = show("tf.constant(2.5)")
    assert data["text/plain"] == "<tf.Tensor shape=() float32 on CPU:0 = 2.5>"
    assert "<b>2.5</b>" in data["text/html"]
    assert "workbench-histogram" not in data["text/html"]  # no histogram of a single value
    nan = show("tf.Variable([[float('nan')]], name='s')")["text/plain"]
    assert nan == "<tf.Variable shape=(1, 1) float32 on CPU:0 = nan · trainable True · name s:0>"
    assert show("tf.constant(7, tf.int64)")["text/plain"].endswith("int64 on CPU:0 = 7>")
