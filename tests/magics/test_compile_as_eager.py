"""Found by the conformance suite (issue 11): NumPy code stays NumPy, a tf.function that draws
seeded random numbers is not re-traced inside a cell's trace, a user error in a Keras cell is
the eager cell's error with its names kept, and a name a trace could not keep says so when used."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.magics.conftest import run
from tests.magics.test_compile_contract import report_after, same_as_eager


def test_numpy_slicing_stays_numpy(ip: Any, capsys: Any) -> None:
    cells = [
        "x_all = (np.arange(12.0) / 4).astype('float32')\n"
        "x_train, x_val = x_all[:8], x_all[8:]\n"
        "scaled = x_train * 2\n"
        "print(x_train.shape, type(scaled).__name__)\n",
        "t = tf.constant(x_val) * 2\nprint(t)\n",
    ]
    same_as_eager(ip, capsys, cells, ["x_train", "x_val", "scaled", "t"], ("function", "xla"))
    assert isinstance(ip.user_ns["x_train"], np.ndarray)


def test_a_seeded_random_function_draws_as_eagerly(ip: Any, capsys: Any) -> None:
    cells = [
        "tf.random.set_seed(1234)\n"
        "@tf.function\n"
        "def draw():\n"
        "    return tf.random.uniform([2]), tf.random.normal([2])\n"
        "print(draw())\n",
        "print(draw())\nfirst = draw()[0] * 1.0\n",
    ]
    same_as_eager(ip, capsys, cells, ["first"], ("function",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n" + cells[0])
    out = report_after(ip, capsys, "%%compile function\n" + cells[1])
    assert "draws random numbers (RandomUniform) that a trace would draw from other seeds" in out


def test_a_keras_cell_raises_the_users_own_error_as_eagerly(ip: Any, capsys: Any) -> None:
    cell = (
        "class Scale(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__(name='scale')\n"
        "        self.w = tf.Variable(2.0)\n"
        "    def call(self, x):\n"
        "        return self.w * x\n"
        "scale = Scale()\n"
        "scale.compile(optimizer='sgd', loss=keras.losses.no_such_loss)\n"
        "scale.fit(tf.ones([4, 1]), tf.ones([4, 1]), verbose=0)\n"
    )
    same_as_eager(ip, capsys, [cell], [], ("function", "xla"))  # objects: new each run
    assert "scale" in ip.user_ns  # what ran before the error stays, as eagerly


def test_a_name_the_trace_could_not_keep_says_where_it_was_made(ip: Any, capsys: Any) -> None:
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf")
    # (a tape the lines use up is kept as a used-up tape: a generator is what cannot be kept)
    cell = "x = tf.constant(2.0)\ngen = (x * i for i in range(3))\ntotal = sum(gen)\n"
    out = report_after(ip, capsys, "%%compile function\n" + cell)
    assert "not kept: gen" in out
    assert float(ip.user_ns["total"]) == 6.0
    result = ip.run_cell("list(gen)")
    error = result.error_in_exec
    assert type(error).__name__ == "NotKeptError"
    assert "`gen` was made inside compiled line 3 (`gen = (x * i for i in range(3))`)" in str(error)
    assert "%%compile eager" in str(error)
    assert not hasattr(ip.user_ns["gen"], "gi_frame")  # introspection is answered, not stopped
    with pytest.raises(AttributeError, match="lives only in that trace"):
        ip.user_ns["gen"].send(None)


def test_a_failing_fit_says_what_the_lines_before_it_did(ip: Any) -> None:
    """Issue 10's real bug: the message said the variables were as before the cell while an
    assign before the fit had changed one."""
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\nimport keras\nv = tf.Variable(1.0)")
    run(ip, "model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])")
    run(ip, "model.compile(loss='mse')")
    cell = "v.assign(5.0)\nmodel.fit(tf.ones([4, 3]), tf.ones([4, 1]), verbose=0)\n"
    error = ip.run_cell("%%compile function\n" + cell).error_in_exec
    assert type(error).__name__ == "CompileError"
    text = str(error)
    assert text.startswith("Cell line 3 failed as tf.function: ValueError:")
    assert "expected axis -1 of input shape to have value 2" in text  # Keras's own reason
    assert "what the lines before it did to variables and other objects" in text
    assert "variables are as they were" not in text
    assert float(ip.user_ns["v"]) == 5.0


def test_an_eager_cell_that_fails_keeps_what_ran_as_a_plain_cell_does(ip: Any) -> None:
    run(ip, "%reset -f")
    for cell in ("before = 1\nraise ValueError('stop')\n", "%%compile eager\nafter = 2\n1 / 0\n"):
        error = ip.run_cell(cell).error_in_exec
        assert type(error).__name__ in ("ValueError", "ZeroDivisionError")
    assert ip.user_ns["before"] == 1
    assert ip.user_ns["after"] == 2


def test_layers_first_built_by_a_refused_xla_trace_train_compiled(ip: Any, capsys: Any) -> None:
    # the first trace builds the layers, and XLA refuses their random initializers: the trace
    # is abandoned with the variables uninitialized while the layers say they are built (every
    # later use failed: "In[1] is not a matrix"). Initialized as eagerly, the loop traces again
    # without them, under XLA.
    setup = (
        "keras.utils.set_random_seed(1)\n"
        "net = keras.Sequential([keras.layers.Dense(8, activation='relu'),"
        " keras.layers.Dense(1)])\n"
        "xs = tf.reshape(tf.range(24, dtype=tf.float32), [6, 4]) / 24.0\n"
        "ys = tf.reduce_sum(xs, axis=1, keepdims=True)\n"
        "opt = keras.optimizers.SGD(0.01)\n"
    )
    train = (
        "for _ in range(3):\n"
        "    with tf.GradientTape() as tape:\n"
        "        loss = tf.reduce_mean((net(xs) - ys) ** 2)\n"
        "    opt.apply_gradients(zip(tape.gradient(loss, net.trainable_variables),"
        " net.trainable_variables))\n"
        "print(f'{float(loss):.5f}')\n"
    )
    # XLA's sums round differently in the last bits: the printed loss is the same
    same_as_eager(ip, capsys, [setup, train], [], ("xla", "function"))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\nimport keras\n" + setup)
    out = report_after(ip, capsys, "%%compile xla\n" + train)
    assert "compiled lines 2-5 · 1 trace" in out, out
    assert "as tf.function" not in out
    weights = [v.numpy() for v in ip.user_ns["net"].weights]
    assert all(np.isfinite(w).all() for w in weights)
    assert weights[0].shape == (4, 8)


def test_a_tape_used_up_in_the_cell_compiles_and_stays_used_up(ip: Any, capsys: Any) -> None:
    # a non-persistent tape whose gradient the cell takes is of no use to a later cell: the
    # lines compile, and the namespace's tape answers as eager's used-up tape does
    cells = [
        "x = tf.constant(3.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    tape.watch(x)\n"
        "    y = x * x\n"
        "    z = y * y\n"
        "print(tape.gradient(z, y).numpy())\n",
        "v = tf.Variable(2.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    y0 = v**2\n"
        "    y1 = 1 / v\n"
        "print(tape.gradient({'y0': y0, 'y1': y1}, v).numpy())\n",
        "print(type(tape).__name__, [w.name for w in tape.watched_variables()])\n",
        "tape.gradient(y0, v)\n",
    ]
    same_as_eager(ip, capsys, cells, ["z", "y0", "y1"], ("function", "xla"))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n")
    out = report_after(ip, capsys, "%%compile function\n" + cells[0])
    assert "18.0" in out
    assert "compiled lines 2-7 · 1 trace" in out, out
    assert "not kept" not in out
    assert "kept for what follows" not in out
    # a persistent tape may serve a later cell: it stays real, each line it holds compiled on
    # its own and recorded on it, so a gradient with respect to an intermediate value holds
    out = report_after(
        ip, capsys, "%%compile function\n" + cells[0].replace("()", "(persistent=True)", 1)
    )
    assert "line 3 with GradientTape (runs as Python; the lines it holds compile one" in out
    assert "compiled line 5 ·" in out
    assert "compiled line 6 ·" in out
    assert ip.user_ns["tape"].gradient(ip.user_ns["z"], ip.user_ns["y"]).numpy() == 18.0


def test_a_variable_changing_shape_runs_as_tf_function_under_xla(ip: Any, capsys: Any) -> None:
    # XLA compiles for fixed variable shapes; tf.function, like eager, lets a variable made
    # with an unknown shape take another one
    cell = (
        "v_shape = tf.Variable(tf.zeros([2]), shape=tf.TensorShape(None))\n"
        "v_shape.assign(tf.ones([4]))\n"
        "print(v_shape.numpy())\n"
    )
    same_as_eager(ip, capsys, [cell], ["v_shape"], ("xla",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n")
    out = report_after(ip, capsys, "%%compile xla\n" + cell)
    assert "line 3 ran as tf.function: XLA compiles for fixed variable shapes" in out, out
    assert "old shape was [2], new shape is [4]" in out


def test_a_persistent_tape_whose_gradient_the_cell_takes_still_serves_a_later_cell(
    ip: Any, capsys: Any
) -> None:
    cells = [
        "x = tf.constant(1.0)\n"
        "v0 = tf.Variable(2.0)\n"
        "with tf.GradientTape(persistent=True) as tape:\n"
        "    tape.watch(x)\n"
        "    result = v0 * x\n"
        "dv0 = tape.gradient(result, v0)\n",
        "dx = tape.gradient(result, x)\nprint(dx)\n",
    ]
    same_as_eager(ip, capsys, cells, ["dv0", "dx"], ("function", "xla"))


def test_an_interrupt_while_the_first_trace_builds_layers_leaves_them_usable(ip: Any) -> None:
    run(ip, "%reset -f")
    run(
        ip,
        "import tensorflow as tf\n"
        "class Stop(tf.keras.layers.Layer):\n"
        "    def call(self, x):\n"
        "        if STOP:\n"
        "            raise KeyboardInterrupt\n"
        "        return x\n"
        "STOP = True\n"
        "net = tf.keras.Sequential([tf.keras.layers.Dense(3), Stop()])\n",
    )
    result = ip.run_cell("%%compile function\ny = net(tf.ones([2, 4]))\n")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    run(ip, "STOP = False")
    run(ip, "out = net(tf.ones([2, 4]))")  # eagerly: the layers the trace built are initialized
    assert ip.user_ns["out"].shape == (2, 3)
    kernel = ip.user_ns["net"].weights[0].numpy()
    assert np.isfinite(kernel).all()
    assert np.abs(kernel).sum() > 0


def test_nan_passes_a_relu_layer_and_a_reduction_as_eagerly(ip: Any, capsys: Any) -> None:
    # Grappler fused MatMul+BiasAdd+Relu into a kernel that turns NaN into 0, and XLA's max
    # skipped NaN: compiled, the NaN row of a batch came out as ordinary numbers
    cells = [
        "keras.utils.set_random_seed(7)\n"
        "probe = keras.layers.Dense(3, activation='relu')\n"
        "batch = tf.constant([[float('nan'), 1.0, 2.0], [1.0, -2.0, 3.0]])\n"
        "print(probe(batch))\n",
        "out = probe(batch) * 2.0 + 1.0\nworst = tf.reduce_max(out, axis=1)\nprint(out, worst)\n",
    ]
    same_as_eager(ip, capsys, cells, [], ("function", "xla"))
    out = report_after(ip, capsys, "%%compile function\n" + cells[1])
    assert "compiled lines 2-3" in out  # (line 1: the magic)
    assert np.isnan(ip.user_ns["out"].numpy()[0]).all()
    assert np.isnan(ip.user_ns["worst"].numpy()[0])
    assert not np.isnan(ip.user_ns["out"].numpy()[1]).any()


def _xla_max_of_nan(before: str) -> str:
    """What XLA's max of [nan, 1] is in a fresh process where ``before`` ran first."""
    import os
    import subprocess
    import sys

    code = (
        "import tensorflow as tf\n"
        f"{before}\n"
        "from workbench.compile.numerics import eager_xla_flags\n"
        "eager_xla_flags()\n"
        "from workbench.compile.xla_check import xla_keeps_nan\n"
        "print('keeps NaN:', xla_keeps_nan())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}  # the kernel's: none
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_xla_keeps_nan_once_the_workbench_set_its_flag_and_not_if_xla_ran_first() -> None:
    assert _xla_max_of_nan("") == "keeps NaN: True"
    ran_first = "tf.function(lambda: tf.reduce_sum(tf.ones([2])), jit_compile=True)()"
    assert _xla_max_of_nan(ran_first) == "keeps NaN: False"


def test_where_xla_skips_nan_its_max_runs_as_tf_function(ip: Any, capsys: Any) -> None:
    from workbench.compile import xla_check

    cells = [
        "values = tf.constant([[float('nan'), 1.0], [2.0, 3.0]])\n",
        "top = tf.reduce_max(values * 2.0, axis=1)\nprint(top)\n",
    ]
    keeps = xla_check.xla_keeps_nan
    xla_check.xla_keeps_nan = lambda: False  # a kernel whose XLA read its flags before ours
    try:
        same_as_eager(ip, capsys, cells, [], ("xla",))
        out = report_after(ip, capsys, "%%compile xla\n" + cells[1])
    finally:
        xla_check.xla_keeps_nan = keeps
    assert "max/min reductions as TensorFlow computes them" in out
    assert "restart the kernel" in out


def test_objects_made_by_the_cell_compile_on_its_first_run_and_run_eagerly_after(
    ip: Any, capsys: Any
) -> None:
    cell = (
        "rng = tf.random.Generator.from_seed(5)\n"
        "batch = rng.normal([4, 2])\n"
        "mean = tf.reduce_mean(batch)\n"
        "print(f'{float(mean):.5f}')\n"
    )
    same_as_eager(ip, capsys, [cell, cell], ["batch", "mean"], ("function",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf")
    cell = cell.replace("from_seed(5)", "from_seed(6)")  # a cell not run before in this kernel
    first = report_after(ip, capsys, "%%compile function\n" + cell)
    assert "compiled lines 3-4" in first
    again = report_after(ip, capsys, "%%compile function\n" + cell)
    assert "`rng` is made anew by line 2 on every run (compiled on the cell's first run only)" in (
        again
    )
    assert "compiled line 4 ·" in again  # the mean of the batch still compiles


def test_tf_random_experimentals_stateless_ops_compile(ip: Any, capsys: Any) -> None:
    cell = (
        "seeds = tf.random.experimental.stateless_split([1, 2], num=2)\n"
        "order = tf.random.experimental.stateless_shuffle(tf.range(6), seed=[4, 2])\n"
        "print(seeds, order)\n"
    )
    same_as_eager(ip, capsys, [cell, cell], ["seeds", "order"], ("function",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf")
    assert "compiled lines 2-3" in report_after(ip, capsys, "%%compile function\n" + cell)


def test_a_module_building_its_weights_in_a_refused_xla_trace_works_as_eagerly(
    ip: Any, capsys: Any
) -> None:
    # XLA refuses the trace (its random ops draw other numbers) after tf.Variable(...) ran in
    # it with an initial value computed in the trace: the module said it was built, its weights
    # were never initialized, and every call failed with "In[1] ndims must be >= 2"
    cells = [
        "class Flexible(tf.Module):\n"
        "    def __init__(self, out_features):\n"
        "        super().__init__()\n"
        "        self.built, self.out_features = False, out_features\n"
        "    def __call__(self, x):\n"
        "        if not self.built:\n"
        "            self.w = tf.Variable(tf.random.stateless_normal(\n"
        "                [x.shape[-1], self.out_features], seed=[2, 2]), name='w')\n"
        "            self.built = True\n"
        "        return tf.nn.relu(tf.matmul(x, self.w))\n"
        "flex = Flexible(3)\n",
        "print(flex(tf.constant([[2.0, 2.0, 2.0]])))\n",
        "print(flex(tf.constant([[1.0, 0.0, -1.0]])))\n",
    ]
    same_as_eager(ip, capsys, cells, [], ("xla", "function"))
    assert ip.user_ns["flex"].w.shape == (3, 3)


def test_a_tape_kept_for_later_cells_records_compiled_lines(ip: Any, capsys: Any) -> None:
    # the guides' split: the tape recorded in one cell, its gradients taken in the next ones
    cells = [
        "w = tf.Variable(tf.reshape(tf.range(6, dtype=tf.float32), (3, 2)) / 10.0, name='w')\n"
        "b = tf.Variable(tf.zeros(2, dtype=tf.float32), name='b')\n"
        "x = [[1., 2., 3.]]\n"
        "with tf.GradientTape(persistent=True) as tape:\n"
        "    y = x @ w + b\n"
        "    loss = tf.reduce_mean(y**2)\n",
        "[dl_dw, dl_db] = tape.gradient(loss, [w, b])\nprint(dl_dw, dl_db)\n",
        "print(tape.gradient(loss, y))\n",  # an intermediate value, as eagerly
        "x0 = tf.Variable(0.0)\n"
        "x1 = tf.Variable(10.0)\n"
        "with tf.GradientTape(watch_accessed_variables=False) as tape:\n"
        "    tape.watch(x1)\n"
        "    y0 = tf.math.sin(x0)\n"
        "    y1 = tf.nn.softplus(x1)\n"
        "    ys = tf.reduce_sum(y0 + y1)\n",
        "grad = tape.gradient(ys, {'x0': x0, 'x1': x1})\nprint(grad['x0'], grad['x1'])\n",
        # a branch on the tape runs as eagerly: only the branch taken is recorded
        "x = tf.constant(1.0)\n"
        "v0, v1 = tf.Variable(2.0), tf.Variable(2.0)\n"
        "with tf.GradientTape(persistent=True) as tape:\n"
        "    tape.watch(x)\n"
        "    if x > 0.0:\n"
        "        result = v0\n"
        "    else:\n"
        "        result = v1**2\n"
        "print(tape.gradient(result, [v0, v1]), type(result).__name__)\n",
    ]
    same_as_eager(ip, capsys, cells, ["dl_dw", "dl_db", "loss", "ys"], ("function", "xla"))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n")
    out = report_after(ip, capsys, "%%compile function\n" + cells[0].replace("10.0", "10.5"))
    assert "compiled line 6 ·" in out
    assert "compiled line 7 ·" in out
    assert "line 5 with GradientTape" in out


def test_argmax_and_softmax_of_nan_under_xla_show_what_eager_shows(ip: Any, capsys: Any) -> None:
    # XLA's argmax picks a NaN's index (eager skips NaN), its softmax of a row holding a NaN is
    # NaN throughout: the predictions of an XLA cell differed in silence
    cells = [
        "logits = tf.constant([[float('nan'), 1.0, -float('inf'), 3.0],\n"
        "                      [float('inf'), -2.0, 0.5, float('nan')]])\n",
        "predicted = tf.argmax(logits, axis=1)\n"
        "probs = tf.nn.softmax(logits * 1.0)\n"
        "print(predicted, probs)\n",
        "clean = tf.constant([[1.0, 2.0], [3.0, 0.5]])\npicked = tf.argmax(clean * 2.0, axis=1)\n",
    ]
    same_as_eager(ip, capsys, cells, ["predicted", "picked"], ("xla",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n" + cells[0])
    out = report_after(ip, capsys, "%%compile xla\n" + cells[1])
    assert "lines 2-3 ran as tf.function: XLA's argmax and softmax treat NaN otherwise" in out
    run(ip, cells[2].splitlines()[0])
    out = report_after(ip, capsys, "%%compile xla\n" + cells[2].splitlines()[1])
    assert "%%compile xla · cell · 1 trace" in out  # no NaN reached it: XLA's result stands
