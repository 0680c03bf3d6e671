"""A Python loop around a training step (the custom training loop of TensorFlow's guides): the
loop iterates as Python, the step compiles once and runs compiled on every pass, prints and
bookkeeping in the body run as Python, and everything shows and ends as eagerly."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from tests.magics.conftest import run
from tests.magics.test_compile_contract import report_after, same_as_eager
from workbench.compile.loops import ITEM, keeps_tape, opens, target_code

SETUP = (
    "import keras\n"
    "keras.utils.set_random_seed(0)\n"
    "xs = tf.reshape(tf.range(96, dtype=tf.float32), [24, 4]) / 96.0\n"
    "ys = tf.cast(tf.reduce_sum(xs, axis=1) > 2.0, tf.int32)\n"
    "train = tf.data.Dataset.from_tensor_slices((xs, ys)).batch(8)\n"
    "net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation='relu'),"
    " keras.layers.Dense(2)])\n"
    "loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)\n"
    "opt = keras.optimizers.SGD(0.1)\n"
    "acc = keras.metrics.SparseCategoricalAccuracy()\n"
)

LOOP = (
    "losses = []\n"
    "for epoch in range(2):\n"
    "    for step, (xb, yb) in enumerate(train):\n"
    "        with tf.GradientTape() as tape:\n"
    "            logits = net(xb, training=True)\n"
    "            loss = loss_fn(yb, logits)\n"
    "        grads = tape.gradient(loss, net.trainable_weights)\n"
    "        opt.apply_gradients(zip(grads, net.trainable_weights))\n"
    "        acc.update_state(yb, logits)\n"
    "        if step == 0:\n"
    "            print(f'epoch {epoch}: loss {float(loss):.4f}')\n"
    "        losses.append(float(loss))\n"
    "    print(f'accuracy {float(acc.result()):.4f}')\n"
    "    acc.reset_state()\n"
)


def test_a_custom_training_loop_compiles_its_step_and_shows_as_eagerly(
    ip: Any, capsys: Any
) -> None:
    # XLA's sums round differently in the last bits: the printed values and names compare
    same_as_eager(ip, capsys, [SETUP, LOOP], ["epoch", "step", "losses"], ("function",))
    same_as_eager(ip, capsys, [SETUP, LOOP], ["epoch", "step"], ("xla",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n" + SETUP)
    # (a cell run as before reports only what changed: a comment makes it another cell)
    out = report_after(ip, capsys, "%%compile function\n" + LOOP + "# once more\n")
    assert "compiled lines 5-10 · 1 trace" in out, out  # the step, traced once for 6 passes
    assert "line 3 for (each pass runs its body as a cell does)" in out
    assert "line 4 for (each pass runs its body as a cell does)" in out
    assert "lines 11-12 print" in out
    assert len(ip.user_ns["losses"]) == 6
    assert type(ip.user_ns["tape"]).__name__ == "GradientTape"  # used up, as eagerly
    out = report_after(ip, capsys, "%%compile function\n" + LOOP + "# once more\n")
    assert "trace" not in out  # run again: the same traces, nothing new to report


def test_a_python_number_the_loop_changes_keeps_its_statement_eager(ip: Any, capsys: Any) -> None:
    # `step` would be a constant of the trace, traced again every pass (and TensorFlow's
    # retracing warning printed): the statement reading it runs as Python, the step compiles
    cell = (
        "for step, (xb, yb) in enumerate(train):\n"
        "    opt.learning_rate.assign(0.1 / (step + 1))\n"
        "    with tf.GradientTape() as tape:\n"
        "        loss = loss_fn(yb, net(xb))\n"
        "    opt.apply_gradients(zip(tape.gradient(loss, net.trainable_weights),"
        " net.trainable_weights))\n"
        "print(step, round(float(opt.learning_rate), 4))\n"
    )
    same_as_eager(ip, capsys, [SETUP, cell], ["step"], ("function",))
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n" + SETUP)
    out = report_after(ip, capsys, "%%compile function\n" + cell)
    assert "line 3 `step` is a Python number that changes every pass" in out, out
    assert "compiled lines 4-6 · 1 trace" in out
    assert "retrac" not in out


def test_a_loop_that_ran_no_pass_leaves_its_names_as_eagerly_and_a_later_run_sets_them(
    ip: Any, capsys: Any
) -> None:
    # the first run's loop ran no pass: its names stayed unset (z kept its old value); the next
    # run's loop runs twice and sets them, as eagerly (they were said "local to the cell" and
    # never set, as the first run's trace had failed on them)
    loop = "for i in range(n):\n    z = x * i\nprint('after')\n"
    cells = ["x = tf.constant(3.0)\nn = 0\nz = 'old'\n", loop, "print(z)\n", "n = 2\n", loop]
    cells.append("print(z, i)\n")
    same_as_eager(ip, capsys, cells, ["z", "i"], ("function", "xla"))
    assert float(ip.user_ns["z"]) == 3.0
    assert ip.user_ns["i"] == 1
    out = report_after(ip, capsys, "%%compile function\nn = 0\ndel i\n" + loop)
    assert "local to the cell" not in out, out


def test_a_tensor_array_written_in_a_tensor_loop_shows_as_eagerly(ip: Any, capsys: Any) -> None:
    """A TensorArray made by a trace cannot leave it (a tf.function hands back a bare variant
    tensor): made at the top of a cell and written in a loop, it raised "TensorArrayV2:0 is out
    of scope" where eager code runs. Inside a function the cell calls, it still compiles."""
    cells = [
        "ta = tf.TensorArray(tf.float32, size=3)\nfor i in tf.range(3):\n"
        "    ta = ta.write(i, tf.cast(i, tf.float32) * 2)\nout = ta.stack()\nprint(out)\n",
        "def cumulative(xs):\n    acc = tf.TensorArray(tf.float32, size=tf.shape(xs)[0])\n"
        "    total = tf.constant(0.0)\n    for j in tf.range(tf.shape(xs)[0]):\n"
        "        total += xs[j]\n        acc = acc.write(j, total)\n    return acc.stack()\n"
        "r = cumulative(tf.constant([1.0, 2.0, 3.0]))\n",
    ]
    same_as_eager(ip, capsys, cells, ["out", "r"], ("function", "xla"))
    out = report_after(ip, capsys, "%%compile function\n" + cells[0] + "# once more\n")
    assert "line 2 ran eagerly: `ta` would live only inside the trace" in out
    assert "line 5 `ta` is a tf.TensorArray" in out
    out = report_after(ip, capsys, "%%compile function\n" + cells[1] + "# once more\n")
    assert "compiled line 9 · 1 trace" in out


def test_a_loop_that_breaks_runs_as_python_as_before(ip: Any, capsys: Any) -> None:
    cell = (
        "seen = 0\n"
        "for xb, yb in train:\n"
        "    with tf.GradientTape() as tape:\n"
        "        loss = loss_fn(yb, net(xb))\n"
        "    seen += 1\n"
        "    if seen == 2:\n"
        "        break\n"
        "print(seen, float(loss) > 0)\n"
    )
    same_as_eager(ip, capsys, [SETUP, cell], ["seen"], ("function", "xla"))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("for b in ds:\n    with tf.GradientTape() as t:\n        y = f(b)\n", True),
        ("for b in ds:\n    with GradientTape() as t:\n        y = f(b)\n", True),
        ("for b in ds:\n    y = f(b)\n", False),  # no step: a compiled call per pass costs more
        ("for b in ds:\n    with tf.GradientTape() as t:\n        y = f(b)\n    break\n", False),
        (
            "for b in ds:\n    with tf.GradientTape() as t:\n        y = f(b)\nelse:\n    z = 1\n",
            False,
        ),
        (
            "for b in ds:\n    with tf.GradientTape() as t:\n        y = f(b)\n"
            "    for c in b:\n        if c:\n            break\n",
            True,  # the inner loop's break is the inner loop's
        ),
        ("while x:\n    with tf.GradientTape() as t:\n        y = f(x)\n", False),
        ("for b in ds:\n    with tf.device('/CPU:0'):\n        y = f(b)\n", False),  # no tape
        (
            "for b in ds:\n    with tf.GradientTape() as t:\n        y = f(b)\n"
            "    def g():\n        return 1\n",
            True,  # a def's return is the def's
        ),
        ("for b in ds:\n    with tf.GradientTape() as t:\n        y = await f(b)\n", False),
    ],
)
def test_which_loops_open(source: str, expected: bool) -> None:
    assert opens(ast.parse(source).body[0]) is expected


def test_each_pass_assigns_its_item_to_the_loops_target_on_the_loops_line() -> None:
    node = ast.parse("\n\nfor step, (x, y) in enumerate(ds):\n    pass\n").body[0]
    assert isinstance(node, ast.For)
    module = target_code(node)
    assert module.body[0].lineno == 3  # an error in the assignment names the loop's line
    namespace: dict[str, Any] = {ITEM: (4, ("a", "b"))}
    exec(compile(module, "<loop>", "exec"), namespace)
    assert (namespace["step"], namespace["x"], namespace["y"]) == (4, "a", "b")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # its gradient in a later cell: the tape serves what follows
        ("with tf.GradientTape() as tape:\n    y = x * x\n", True),
        ("with GradientTape() as t0, tf.GradientTape() as t1:\n    y = x\n", True),
        # persistent: kept even when this cell takes a gradient
        ("with tf.GradientTape(persistent=True) as t:\n    y = x\ng = t.gradient(y, x)\n", True),
        ("with tf.GradientTape(persistent=False) as t:\n    y = x\ng = t.gradient(y, x)\n", False),
        ("with tf.GradientTape(persistent=p) as t:\n    y = x\ng = t.gradient(y, x)\n", False),
        # used up in the cell: it compiles with its lines (tapes.py)
        ("with tf.GradientTape() as t:\n    y = x\ng = t.gradient(y, x)\n", False),
        ("with tf.GradientTape() as t:\n    y = x\nj = t.jacobian(y, x)\n", False),
        ("with tf.GradientTape() as t:\n    y = x\nj = t.batch_jacobian(y, x)\n", False),
        # another tape's gradient, or a gradient of something else named t: not this tape's
        ("with tf.GradientTape() as t:\n    y = x\ng = other.gradient(y, x)\n", True),
        ("with tf.GradientTape() as t:\n    y = x\ng = t.watched_variables()\n", True),
        ("with tf.GradientTape() as t:\n    y = x\ng = gradient(t, y)\n", True),
        # not tapes alone, no name to keep, or a body acting on more than its statements
        ("with tf.device('CPU:0'):\n    y = x\n", False),
        ("with manager as m:\n    y = x\n", False),  # not a call at all
        ("with tf.GradientTape() as t, tf.device('CPU:0'):\n    y = x\n", False),
        ("with tf.GradientTape():\n    y = x\n", False),
        ("with tf.GradientTape() as (a, b):\n    y = x\n", False),
        ("y = x\n", False),
    ],
)
def test_which_tapes_stay_open(source: str, expected: bool) -> None:
    nodes = ast.parse(source).body
    assert keeps_tape(nodes[0], tuple(nodes[1:])) is expected


def test_a_body_that_returns_is_not_opened() -> None:
    node = ast.parse("def f():\n    with tf.GradientTape() as t:\n        return x\n").body[0]
    assert isinstance(node, ast.FunctionDef)
    assert not keeps_tape(node.body[0], ())
