"""Tensor work inside a statement that runs eagerly compiles (``compile/lift.py``): a print of a
computation shows eager's text while the computation runs in a traced function, in eager's order,
with eager's errors, and leaves no name behind."""

from __future__ import annotations

from typing import Any

import pytest

from tests.magics.conftest import run
from tests.magics.test_compile_contract import report_after, same_as_eager
from workbench.compile.lift import PREFIX

CELLS = [
    "a = tf.constant([[1.0, 2.0], [3.0, 4.0]])\nv = tf.Variable(tf.zeros([2]) + 1.0)\n",
    "print(a @ a, '\\n')\nprint('max', float(tf.reduce_max(a)), tf.reduce_sum(a).numpy())\n",
    # each print's value is computed right before it: the assignment shows in the second one
    "print(v.assign_add([1.0, 2.0]))\nprint(f'{float(tf.reduce_sum(v)):.2f}')\n",
    "def show(t):\n    return t.numpy().tolist()\nprint(show(a + 1))\n",  # cannot be traced
    # eager's error, after eager's output
    "print('before')\nprint(a @ tf.ones([3, 3]))\nprint('never')\n",
]


@pytest.mark.parametrize("mode", ["function", "xla"])
def test_printed_computation_matches_eager(ip: Any, capsys: Any, mode: str) -> None:
    same_as_eager(ip, capsys, CELLS, ["a", "v"], (mode,))
    assert not [name for name in ip.user_ns if name.startswith(PREFIX)]


def test_printed_computation_runs_in_a_traced_function(ip: Any, capsys: Any) -> None:
    run(ip, "%reset -f")
    run(ip, "import tensorflow as tf\n" + CELLS[0])
    out = report_after(ip, capsys, "%%compile function\n" + CELLS[1])
    # lines as the user sees them: the magic is line 1
    assert "compiled line 2 · 1 trace" in out
    assert "compiled line 3 · 1 trace" in out
    assert "ran eagerly: line 2 print, line 3 print" in out
    out = report_after(ip, capsys, "%%compile function\n" + CELLS[3])
    assert "cannot be traced" not in out  # a lifted value's failed trace is not the user's
    assert "[[2.0, 3.0], [4.0, 5.0]]" in out
    assert not [name for name in ip.user_ns if name.startswith(PREFIX)]
