"""%%compile in a real IPython shell with real TensorFlow: defs, statements, Keras fit, retraces,
failures that leave the namespace alone, --compare, %compile_mode and %tf_debug."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.magics.conftest import run


def report_of(capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr().out
    assert "%%compile" in out, out
    return out


def test_a_def_stays_python_and_is_traced_where_a_compiled_cell_calls_it(
    ip: Any, capsys: Any
) -> None:
    import types

    run(ip, "%%compile function\ndef double(x):\n    return x * 2\n")
    assert isinstance(ip.user_ns["double"], types.FunctionType)  # an eager cell calls Python
    assert "%%compile" not in capsys.readouterr().out  # nothing compiled: no report
    np.testing.assert_allclose(run(ip, "%%compile function\ny = double(tf.ones([3]))\ny"), [2] * 3)
    assert "cell · 1 trace" in capsys.readouterr().out


def test_statements_with_tensor_loop_and_branch(ip: Any, capsys: Any) -> None:
    run(ip, "x = tf.constant([1.0, -2.0, 3.0]); total = tf.constant(0.0)")
    cell = (
        "%%compile xla\n"
        "for i in tf.range(4):\n"
        "    if tf.reduce_sum(x) > 0:\n"
        "        total += tf.reduce_sum(x)\n"
        "    else:\n"
        "        total -= 1.0\n"
        "x = x + 1\n"
        "total\n"
    )
    assert float(run(ip, cell)) == pytest.approx(8.0)  # 4 * 2
    np.testing.assert_allclose(ip.user_ns["x"], [2, -1, 4])
    assert "cell · 1 trace" in report_of(capsys)
    assert float(run(ip, cell)) == pytest.approx(8.0 + 4 * 5)  # same signature: no retrace
    assert "%%compile" not in capsys.readouterr().out  # so nothing new to report
    run(ip, cell.replace("%%compile xla", "%%compile xla --report"))  # the same cell and trace
    out = report_of(capsys)
    assert "cell · 1 trace" in out
    assert "retraced" not in out
    assert int(ip.user_ns["i"]) == 3  # the loop variable's last value, as eagerly


def test_retrace_is_explained(ip: Any, capsys: Any) -> None:
    run(ip, "w = tf.Variable([1.0, 2.0]); lr = 0.1")
    cell = "%%compile function\nw.assign_sub(lr * w)\n"
    run(ip, cell)
    run(ip, "lr = 0.2")
    capsys.readouterr()
    run(ip, cell)
    out = report_of(capsys)
    assert "retraced 1 time" in out
    assert "`lr` is a Python float that changes (0.1 -> 0.2)" in out
    np.testing.assert_allclose(ip.user_ns["w"].numpy(), [0.72, 1.44], rtol=1e-6)


def test_python_values_a_compiled_cell_assigns_are_kept_as_python(ip: Any) -> None:
    run(ip, "a = tf.ones([2])")
    run(ip, "%%compile function\nb = a * 3\nlabels = ['x', 'y']\n")
    assert ip.user_ns["labels"] == ["x", "y"]
    np.testing.assert_allclose(ip.user_ns["b"], [3, 3])


def test_a_numpy_line_runs_eagerly_after_the_compiled_lines(ip: Any, capsys: Any) -> None:
    run(ip, "a = tf.ones([2]); b = 'before'")
    capsys.readouterr()
    run(ip, "%%compile function\ndef helper(t):\n    return t + 1\nb = helper(a)\nc = b.numpy()\n")
    out = capsys.readouterr().out
    assert "compiled line 4" in out
    assert "ran eagerly: line 5 .numpy()" in out
    np.testing.assert_allclose(ip.user_ns["c"], [2, 2])
    assert isinstance(ip.user_ns["c"], np.ndarray)


def test_undefined_input_is_a_clear_error(ip: Any) -> None:
    result = ip.run_cell("%%compile function\ny = not_defined_anywhere * 2\n")
    assert "not_defined_anywhere" in str(result.error_in_exec)
    assert "y" not in ip.user_ns


@pytest.mark.parametrize(
    ("mode", "eager", "jit"),
    [("eager", True, False), ("function", False, False), ("xla", False, True)],
)
def test_fit_runs_in_the_cell_mode_then_restores(
    ip: Any, capsys: Any, mode: str, eager: bool, jit: bool
) -> None:
    run(
        ip,
        "from sklearn.datasets import load_digits\n"
        "digits = load_digits(); xs = digits.data[:256].astype('float32') / 16\n"
        "ys = digits.target[:256]\n"
        "class Probe(keras.callbacks.Callback):\n"
        "    def on_train_batch_end(self, batch, logs=None):\n"
        "        self.seen = (self.model.run_eagerly, self.model.jit_compile)\n"
        "class Spy(keras.layers.Layer):\n"
        "    eager = []\n"
        "    def call(self, x):\n"
        "        Spy.eager.append(tf.executing_eagerly())\n"
        "        return x\n"
        "probe = Probe()\n"
        "model = keras.Sequential([keras.Input((64,)), Spy(), keras.layers.Dense(10)])\n"
        "model.compile('sgd', keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
        "              jit_compile=False)\n"
        "model.fit(xs, ys, epochs=1, verbose=0)\n",  # caches a train function first
    )
    capsys.readouterr()
    run(ip, "Spy.eager.clear()")
    run(
        ip,
        f"%%compile {mode}\nhistory = model.fit(xs, ys, epochs=1, verbose=0, callbacks=[probe])\n",
    )
    seen = ip.user_ns["probe"].seen
    assert seen == (eager, jit)
    calls = ip.user_ns["Spy"].eager
    assert set(calls) == {eager}  # eager: every batch runs Python; else traced once or twice
    assert len(calls) == 8 if eager else len(calls) <= 2
    assert "model.fit ran" in report_of(capsys)
    model = ip.user_ns["model"]
    assert (model.run_eagerly, model.jit_compile) == (False, False)  # the model's own
    assert model.train_function is None  # rebuilt from its own settings at the next fit


def test_tf_debug_runs_functions_eagerly(ip: Any, capsys: Any) -> None:
    run(ip, "%tf_debug on")
    run(ip, "%%compile function\ndef f(x):\n    return x.numpy().sum()\n")
    assert run(ip, "f(tf.ones([3]))") == 3.0  # .numpy() works only eagerly
    run(ip, "%%compile function\ny = f(tf.ones([2]))\n")
    assert "tf_debug on" in report_of(capsys)
    run(ip, "%tf_debug off")
    assert not ip.user_ns["tf"].config.functions_run_eagerly()


def test_compile_mode_sets_the_default(ip: Any, capsys: Any) -> None:
    run(ip, "x = tf.ones([2])")
    run(ip, "%compile_mode xla")
    assert "run XLA-compiled" in capsys.readouterr().out
    np.testing.assert_allclose(run(ip, "y = x * 5\ny"), [5, 5])
    assert "%%compile xla" in report_of(capsys)
    run(ip, "%compile_mode eager")
    capsys.readouterr()
    run(ip, "z = x * 2")
    assert "%%compile" not in capsys.readouterr().out
    with pytest.raises(ValueError, match="Expected mode to be one of"):
        run(ip, "%compile_mode fast")


def test_compare_times_three_modes_and_applies_one_run(ip: Any, capsys: Any) -> None:
    run(ip, "v = tf.Variable(tf.ones([32, 32])); a = tf.ones([8, 32])")
    value = run(
        ip,
        "%%compile function --compare --steps 3\n"
        "h = tf.nn.relu(a @ v)\n"
        "v.assign_add(tf.ones_like(v))\n"
        "tf.reduce_sum(h)\n",
    )
    out = report_of(capsys)
    for label in ("eager", "tf.function", "XLA"):
        assert label in out
    assert out.count("agree") == 2
    assert float(value) == pytest.approx(8 * 32 * 32)
    np.testing.assert_allclose(ip.user_ns["v"].numpy(), 2.0)  # one real run, not 3 x 6


def test_compare_needs_something_to_run(ip: Any) -> None:
    result = ip.run_cell("%%compile function --compare\ndef g(x):\n    return x\n")
    assert "--compare needs something to run" in str(result.error_in_exec)


def test_training_step_cell_keeps_what_the_with_block_assigns(ip: Any, capsys: Any) -> None:
    run(
        ip,
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "opt = keras.optimizers.SGD(0.1); opt.build(model.trainable_variables)\n"
        "xb = tf.ones([8, 4]); yb = tf.zeros([8, 1])",
    )
    cell = (
        "%%compile function\n"
        "with tf.GradientTape() as tape:\n"
        "    loss = tf.reduce_mean((model(xb) - yb) ** 2)\n"
        "grads = tape.gradient(loss, model.trainable_variables)\n"
        "opt.apply_gradients(zip(grads, model.trainable_variables));\n"
    )
    assert run(ip, cell) is None  # a trailing ";" hides the value, as in IPython
    first = float(ip.user_ns["loss"])
    run(ip, cell)
    assert float(ip.user_ns["loss"]) < first  # the optimizer really stepped
    assert len(ip.user_ns["grads"]) == 2
    out = capsys.readouterr().out
    assert "not kept" not in out  # the tape did its work in the trace: a used-up tape, as eagerly
    assert type(ip.user_ns["tape"]).__name__ == "GradientTape"
    assert "retraced" not in out


def test_compare_a_cell_that_defines_and_calls_its_function(ip: Any, capsys: Any) -> None:
    cell = (
        "%%compile function --compare --steps 2\n"
        "def g(x):\n    return tf.reduce_sum(x * x)\ng(tf.ones([4]))\n"
    )
    run(ip, cell)
    out = report_of(capsys)
    assert "XLA" in out
    assert out.count("agree") == 2


def test_cache_stays_bounded(ip: Any) -> None:
    from workbench.compile import traces

    run(ip, "x = tf.ones([2])")
    for i in range(traces.CACHE_SIZE + 5):
        run(ip, f"%%compile function\ny = x * {i}\n")
    assert len(traces._cells) <= traces.CACHE_SIZE


def test_a_rebound_model_is_traced_anew_not_served_stale(ip: Any, capsys: Any) -> None:
    make = (
        "keras.Sequential([keras.Input((2,)), "
        "keras.layers.Dense(1, use_bias=False, kernel_initializer={!r})])"
    )
    run(ip, f"model = {make.format('ones')}; x = tf.ones([1, 2])")
    cell = "%%compile function\ny = model(x)\n"
    run(ip, cell)
    assert float(ip.user_ns["y"][0, 0]) == 2.0
    run(ip, f"model = {make.format('zeros')}")
    capsys.readouterr()
    run(ip, cell)
    assert float(ip.user_ns["y"][0, 0]) == 0.0  # the new model's weights, not the traced one's
    assert "traced anew: `model`" in report_of(capsys)
    run(ip, cell)
    assert "traced anew" not in report_of(capsys)  # same object: the trace is reused


def test_a_batch_tuple_is_an_input_not_a_stale_capture(ip: Any, capsys: Any) -> None:
    run(ip, "batch = (tf.ones([2]), tf.zeros([2]))")
    cell = "%%compile function\nxb, yb = batch\ns = tf.reduce_sum(xb) + tf.reduce_sum(yb)\n"
    run(ip, cell)
    assert float(ip.user_ns["s"]) == 2.0
    run(ip, "batch = (3 * tf.ones([2]), tf.ones([2]))")  # the next batch, same signature
    capsys.readouterr()
    run(ip, cell)
    assert float(ip.user_ns["s"]) == 8.0
    # an argument of the trace, so no retrace either: the report has nothing new to say
    assert "%%compile" not in capsys.readouterr().out


def test_a_fit_that_cannot_compile_names_its_line(ip: Any) -> None:
    from workbench.compile import CompileError

    run(
        ip,
        "class Host(keras.layers.Layer):\n"
        "    def call(self, x):\n"
        "        return x * float(x.numpy().mean())  # needs an eager tensor\n"
        "    def compute_output_shape(self, shape):\n"
        "        return shape\n"
        "model = keras.Sequential([keras.Input((4,)), Host(), keras.layers.Dense(1)])\n"
        "model.compile('sgd', 'mse')\n"
        "xs, ys = np.ones((16, 4), 'float32'), np.ones((16, 1), 'float32')\n",
    )
    run(ip, "%%compile eager\nfirst = model.fit(xs, ys, epochs=1, verbose=0)\n")  # fine eagerly
    result = ip.run_cell(
        "%%compile function\nnote = 'x'\nhistory = model.fit(xs, ys, epochs=1, verbose=0)\n"
    )
    error = result.error_in_exec
    assert isinstance(error, CompileError)
    assert "Cell line 3 failed as tf.function" in str(error)
    assert "%%compile eager" in str(error)
    assert "history" not in ip.user_ns
    assert "note" not in ip.user_ns
    assert (ip.user_ns["model"].run_eagerly, ip.user_ns["model"].jit_compile) == (False, False)


def test_default_mode_leaves_magic_and_shell_cells_alone(ip: Any, capsys: Any) -> None:
    run(ip, "%compile_mode function")
    capsys.readouterr()
    run(ip, "%compile_mode")
    out = capsys.readouterr().out
    assert "Cells without %%compile run as tf.function." in out
    assert "%%compile function ·" not in out  # no compile report for a magic cell
    run(ip, "%compile_mode eager")


def test_xla_really_compiles_the_fit_step(ip: Any) -> None:
    """XLA refuses a host callback that tf.function accepts: the xla cell must hit that."""
    from workbench.compile import CompileError

    run(
        ip,
        "class OnHost(keras.layers.Layer):\n"
        "    def call(self, x):\n"
        "        y = tf.numpy_function(lambda a: a, [x], tf.float32)\n"
        "        y.set_shape(x.shape)\n"
        "        return y\n"
        "model = keras.Sequential([keras.Input((4,)), OnHost(), keras.layers.Dense(1)])\n"
        "model.compile('sgd', 'mse')\n"
        "xs, ys = np.ones((16, 4), 'float32'), np.ones((16, 1), 'float32')\n",
    )
    run(ip, "%%compile function\nh = model.fit(xs, ys, epochs=1, verbose=0)\n")
    result = ip.run_cell("%%compile xla\nh2 = model.fit(xs, ys, epochs=1, verbose=0)\n")
    error = result.error_in_exec
    assert isinstance(error, CompileError), error
    assert "Cell line 2 failed as XLA" in str(error)
    assert "cannot compile the op PyFunc" in str(error)
    assert "%%compile function" in str(error)  # the mode that still works
    assert "variables are as they were" in str(error)  # refused before any step ran
    assert "h2" not in ip.user_ns
