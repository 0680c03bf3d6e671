"""A tensor ``if`` or loop that binds a name to a ``tf.Variable`` (``result = v0``) or a Python
value (``msg = "positive"``, ``best_epoch = epoch``) keeps it under ``%compile_mode
function``/``xla``, as eagerly: a trace would hand back the variable's value, which a later
``assign`` does not reach and which has no ``assign`` of its own, and a string or number tensor
where eager code has a ``str`` or an ``int`` (both differed in silence before). Reads and
arithmetic in a branch still compile."""

from __future__ import annotations

from typing import Any

from tests.magics.test_compile_contract import report_after, same_as_eager

VARIABLES = "v0 = tf.Variable(1.0)\nv1 = tf.Variable(2.0)\nflag = tf.constant(True)\n"
LATER = "v0.assign(10.0)\nseen = result * 1\nresult.assign_add(1.0)\nafter = v0 * 1\n"


def test_a_tensor_if_binding_a_variable_keeps_the_variable(ip: Any, capsys: Any) -> None:
    branch = "if flag:\n    result = v0\nelse:\n    result = v1\ny = result * 3\n"
    cells = ["%%compile eager\n" + VARIABLES, branch, LATER]
    same_as_eager(ip, capsys, cells, ["result", "y", "seen", "after"], ("function", "xla"))
    # a cell says why it ran eagerly once: this one is new to the kernel
    out = report_after(ip, capsys, "%%compile function\n" + branch + "# once more\n")
    assert out.splitlines()[-1] == (
        "  lines 2-6 ran eagerly: binds `result` to a tf.Variable in a tensor `if` or loop (a"
        " trace would hand back its value, which later assignments do not reach)"
    )
    assert type(ip.user_ns["result"]).__name__ == "ResourceVariable"


def test_a_tensor_loop_or_an_item_of_a_list_keeps_the_variable(ip: Any, capsys: Any) -> None:
    loop = "result = v0\nfor i in tf.range(2):\n    result = v1\n"
    item = "params = [v0, v1]\nif flag:\n    result = params[1]\nelse:\n    result = params[0]\n"
    for cell in (loop, item):
        same_as_eager(ip, capsys, ["%%compile eager\n" + VARIABLES, cell, LATER], ["result"])
    assert ip.user_ns["result"] is ip.user_ns["v1"]  # the list's own variable, as eagerly


def test_a_tensor_if_binding_python_values_keeps_them(ip: Any, capsys: Any) -> None:
    cells = [
        "losses = tf.constant([0.9, 0.5, 0.7, 0.3])\n",
        # the loop every training notebook writes: the best epoch is a Python int
        "best, best_epoch = float('inf'), -1\nfor epoch in range(4):\n    loss = losses[epoch]\n"
        "    if loss < best:\n        best = loss\n        best_epoch = epoch\n"
        "print(best_epoch, best)\n",
        "if tf.reduce_mean(losses) > 0.5:\n    lr, note = 1e-3, 'slow'\n"
        "else:\n    lr, note = 1e-2, 'fast'\n"
        "print(f'lr={lr} ({note})')\n",
    ]
    names = ["best", "best_epoch", "lr", "note"]
    same_as_eager(ip, capsys, cells, names, ("function", "xla"))
    assert (type(ip.user_ns["best_epoch"]), type(ip.user_ns["note"])) == (int, str)
    out = report_after(ip, capsys, "%%compile function\n" + cells[2] + "# once more\n")
    assert out.splitlines()[-1] == (
        "  lines 2-5 ran eagerly: binds `lr`, `note` to a Python value in a tensor `if` or loop"
        " (a trace would hand back a tensor)"
    )


def test_a_branch_computing_a_tensor_from_a_variable_compiles(ip: Any, capsys: Any) -> None:
    values = ["v0.read_value()", "v0 * 2.0", "tf.identity(v0)", "v0 + v1"]
    names = ["a", "b", "c", "d"]
    then = "".join(f"    {name} = {value}\n" for name, value in zip(names, values, strict=True))
    otherwise = "".join(f"    {name} = v1 + 0.0\n" for name in names)
    branch = f"if flag:\n{then}else:\n{otherwise}"
    later = "v0.assign(10.0)\nseen = a + b + c + d\n"  # tensors: the values they had
    cells = ["%%compile eager\n" + VARIABLES, branch, later]
    same_as_eager(ip, capsys, cells, [*names, "seen"])
    out = report_after(ip, capsys, "%%compile function\n" + branch + "# once more\n")
    assert out.startswith("%%compile function · cell · 1 trace")
    assert "ran eagerly" not in out


def test_a_python_if_binding_a_variable_compiles_and_keeps_it(ip: Any, capsys: Any) -> None:
    branch = "pick = True\nif pick:\n    result = v0\nelse:\n    result = v1\ny = result * 3\n"
    same_as_eager(ip, capsys, ["%%compile eager\n" + VARIABLES, branch, LATER], ["result", "y"])
    # a cell says why it ran eagerly once: this one is new to the kernel
    out = report_after(ip, capsys, "%%compile function\n" + branch + "# once more\n")
    assert "compiled lines" in out or "· cell ·" in out
    assert "to a tf.Variable" not in out
    assert ip.user_ns["result"] is ip.user_ns["v0"]


def test_a_tensor_loop_carrying_python_values_keeps_them(ip: Any, capsys: Any) -> None:
    """A counter beside a tensor condition (``while x > 1.0: steps += 1``) stays an ``int``, as
    eagerly: traced, the loop carried it as a tensor (printed ``tf.Tensor(7, ...)``)."""
    cells = [
        "limit = tf.constant(7)\nk = 3\n",
        "n = 0\nwhile n < limit:\n    n += 2\nprint(n)\n",
        "steps = 0\nx = tf.constant(50.0)\nwhile x > 1.0:\n    if x > 10.0:\n        steps += 2\n"
        "    else:\n        steps += 1\n    x = x / 2\nprint(steps, x)\n",
        "a, b = 0, 1\nfor _ in tf.range(limit):\n    a, b = b, a + b\nprint(a, b)\n",
        "total = 0.0\nfor i in range(limit):\n    total += 1.5\nprint(total, i)\n",
        "while k < limit:\n    k = k + 1\nprint(k)\n",  # k: a Python int from the cell before
    ]
    names = ["n", "steps", "x", "a", "b", "total", "i", "k"]
    same_as_eager(ip, capsys, cells, names, ("function", "xla"))
    assert {type(ip.user_ns[name]) for name in ("n", "steps", "a", "i", "k")} == {int}
    out = report_after(ip, capsys, "%%compile function\n" + cells[3] + "# once more\n")
    assert out.splitlines()[-1] == (
        "  lines 3-4 ran eagerly: binds `a`, `b` to a Python value in a tensor `if` or loop"
        " (a trace would hand back a tensor)"
    )


def test_a_tensor_loop_carrying_tensors_compiles(ip: Any, capsys: Any) -> None:
    """Tensors carried by a loop stay compiled: a ``tf.constant`` counter, a sum over a tensor
    (``count + i``) or a variable's read, though their graphs look like a Python counter's."""
    cells = [
        "limit = tf.constant(5)\nv = tf.Variable(0.5)\n",
        "i = tf.constant(0)\ncount = 0\nread = 0.0\nwhile i < limit:\n    count = count + i\n"
        "    read += v\n    i += 1\n",
    ]
    same_as_eager(ip, capsys, cells, ["i", "count", "read"], ("function", "xla"))
    out = report_after(ip, capsys, "%%compile function\n" + cells[1] + "# once more\n")
    assert out.startswith("%%compile function · cell · 1 trace")
    assert "ran eagerly" not in out


def test_a_conditional_expression_on_a_tensor_keeps_python_values(ip: Any, capsys: Any) -> None:
    """``text = "pos" if tf.reduce_sum(x) > 0 else "neg"``: the call is in the test, not in the
    values picked; traced, the cell printed ``tf.Tensor(b'neg', ...)`` where eager prints neg."""
    cells = [
        "x = tf.constant([3.0, -1.0, -5.0])\n",
        "text = 'pos' if tf.reduce_sum(x) > 0 else 'neg'\nprint(text)\n",
        "scaled = x * 2 if tf.reduce_sum(x) > 0 else x * 3\n",  # tensors either way: compiled
    ]
    same_as_eager(ip, capsys, cells, ["text", "scaled"], ("function", "xla"))
    assert ip.user_ns["text"] == "neg"
    out = report_after(ip, capsys, "%%compile function\n" + cells[2] + "# once more\n")
    assert out.startswith("%%compile function · cell · 1 trace")
