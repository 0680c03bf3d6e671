"""What a traced cell hands back to the namespace (``compile/traces.py``), on plain namespaces with
real TensorFlow: structures of tensors, structures mixing tensors with Python values (the tensors
new on every call, the Python values the trace's own), values that cannot leave a trace (a
dataset, a generator: named placeholders), names a loop or branch did not assign, XLA's NaN
guard, and a renewed function."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import tensorflow as tf

from workbench.compile import traces
from workbench.compile.analysis import analyze
from workbench.compile.errors import LivesInTrace, NotKeptError
from workbench.compile.modes import Mode
from workbench.compile.nan_rules import NanUnderXla
from workbench.compile.traces import call_cell, cell_function, renew, warm_cell


def _run(source: str, namespace: dict[str, Any], mode: Mode = "function", **options: Any) -> Any:
    cell = cell_function(analyze(source), namespace, mode, **options)
    result, _ = call_cell(cell, namespace)
    return cell, result


def test_structures_of_tensors_come_back_as_structures_with_each_calls_values() -> None:
    namespace: dict[str, Any] = {"x": tf.constant(2.0)}
    source = "pair = [x, x * 2]\nboth = (x + 1, {'half': x / 2})\n"
    cell, _ = _run(source, namespace)
    assert [float(t) for t in namespace["pair"]] == [2.0, 4.0]
    both = namespace["both"]
    assert isinstance(both, tuple)
    assert float(both[0]) == 3.0
    assert float(both[1]["half"]) == 1.0
    namespace["x"] = tf.constant(10.0)
    call_cell(cell, namespace)
    assert [float(t) for t in namespace["pair"]] == [10.0, 20.0]
    assert float(namespace["both"][1]["half"]) == 5.0


def test_a_structure_mixing_tensors_and_python_values_keeps_both_on_every_call() -> None:
    v = tf.Variable(7.0)
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "v": v}
    source = "row = [x * 2, 'name', 3, {'scale': x + 1, 'weight': v}]\nempty = []\n"
    cell, result = _run(source, namespace)
    assert result is None
    row = namespace["row"]
    assert float(row[0]) == 4.0
    assert row[1:3] == ["name", 3]
    assert float(row[3]["scale"]) == 3.0
    assert row[3]["weight"] is v
    assert namespace["empty"] == []
    namespace["x"] = tf.constant(5.0)
    call_cell(cell, namespace)  # the same trace: new tensors, the trace's Python values
    row = namespace["row"]
    assert float(row[0]) == 10.0
    assert row[1:3] == ["name", 3]
    assert float(row[3]["scale"]) == 6.0
    assert row[3]["weight"] is v
    assert cell.traces == 1


def test_the_last_expression_among_exports_and_python_values_is_its_own_value() -> None:
    namespace: dict[str, Any] = {"x": tf.constant(2.0)}
    # three tensors exported, a Python value, then the last expression: each in its place
    source = "a = x + 1\nb = x + 2\nlabel = 'done'\nb * 10\n"
    _, result = _run(source, namespace)
    assert float(result) == 40.0
    assert (float(namespace["a"]), float(namespace["b"]), namespace["label"]) == (3.0, 4.0, "done")
    _, result = _run("a = x + 1\nb = x + 2\nlabel = 'done'\n[b * 10, label]\n", namespace)
    assert float(result[0]) == 40.0
    assert result[1] == "done"


def test_a_name_assigned_none_is_written_and_a_last_expression_of_none_returns_none() -> None:
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "best": 5}
    _, result = _run("best = None\ny = x + 1\nNone\n", namespace)
    assert result is None
    assert namespace["best"] is None  # as eagerly: assigned None
    assert float(namespace["y"]) == 3.0


def test_what_cannot_leave_a_trace_becomes_a_placeholder_naming_where_it_was_made() -> None:
    namespace: dict[str, Any] = {"x": tf.constant([1.0, 2.0]), "tf": tf}
    source = (
        "ds = tf.data.Dataset.from_tensor_slices(x)\n"
        "batches = [ds, 2]\n"
        "numbers = (i for i in range(3))\n"
        "y = x * 2\n"
    )
    cell, _ = _run(source, namespace)
    assert cell.not_exported == ["ds", "batches", "numbers"]
    assert float(namespace["y"][1]) == 4.0
    for name in cell.not_exported:
        held = namespace[name]
        assert isinstance(held, LivesInTrace)
        assert (
            repr(held) == f"<{name}: lives only in the trace of compiled lines of an earlier cell>"
        )
    cell.made_at = {"ds": "line 1"}  # what the mixed runner tells it
    call_cell(cell, namespace)
    with pytest.raises(NotKeptError, match=r"^`ds` was made inside compiled line 1 and lives"):
        iter(namespace["ds"])


def test_a_dataset_as_the_last_expression_is_not_written_to_the_namespace() -> None:
    namespace: dict[str, Any] = {"x": tf.constant([1.0, 2.0]), "tf": tf}
    cell, result = _run("y = x + 1\ntf.data.Dataset.from_tensor_slices(y)\n", namespace)
    assert result is None
    assert cell.not_exported == []
    assert sorted(namespace) == ["__builtins__", "tf", "x", "y"]


@pytest.mark.parametrize("n", [0, 3])
def test_names_a_loop_or_branch_assigns_are_written_only_if_they_were(n: int) -> None:
    namespace: dict[str, Any] = {"x": tf.constant(2.0), "n": n, "z": "old"}
    source = "for i in range(n):\n    z = x * i\nif n > 1:\n    big = x\ntotal = x + n\n"
    _run(source, namespace, keep_local=True)
    assert float(namespace["total"]) == 2.0 + n
    if n == 0:  # as eagerly: the loop ran no pass, the branch was not taken
        assert "i" not in namespace
        assert "big" not in namespace
        assert namespace["z"] == "old"
    else:
        assert namespace["i"] == 2
        assert float(namespace["z"]) == 4.0
        assert float(namespace["big"]) == 2.0


def test_under_xla_a_nan_reaching_argmax_stops_the_call_before_anything_is_written() -> None:
    clean = np.array([1.0, 3.0, 2.0], np.float32)
    namespace: dict[str, Any] = {"x": tf.constant(clean), "tf": tf}
    source = "label = 'argmax'\nrow = [tf.argmax(x), label]\nbest = tf.argmax(x)\nbest + 0\n"
    cell, result = _run(source, namespace, "xla")
    assert cell.nan_ops == ("ArgMax",)
    assert int(result) == 1
    assert int(namespace["best"]) == 1
    assert namespace["label"] == "argmax"
    assert int(namespace["row"][0]) == 1
    assert namespace["row"][1] == "argmax"
    assert "\0nan" not in namespace
    namespace["x"] = tf.constant(np.array([1.0, np.nan, 2.0], np.float32))
    with pytest.raises(NanUnderXla, match=r"^XLA's argmax treats NaN otherwise than eagerly"):
        call_cell(cell, namespace)
    assert int(namespace["best"]) == 1
    assert int(namespace["row"][0]) == 1
    namespace["x"] = tf.constant(np.array([0.0, 1.0, 5.0], np.float32))
    assert int(call_cell(cell, namespace)[0]) == 2
    assert namespace["row"][1] == "argmax"


def test_a_renewed_cell_traces_again_in_its_own_mode() -> None:
    namespace: dict[str, Any] = {"x": tf.constant([1.0, 2.0])}
    modes: tuple[Mode, ...] = ("function", "xla")
    for mode in modes:
        cell, _ = _run("y = x * 3\n", namespace, mode)
        old = cell.function
        renew(cell)
        assert cell.function is not old
        assert cell.function.python_function is old.python_function
        assert cell.function._jit_compile is (mode == "xla")
        assert cell.function.experimental_get_tracing_count() == 0
        namespace["x"] = tf.constant([1.0, 2.0, 3.0])
        call_cell(cell, namespace)
        assert [float(v) for v in namespace["y"]] == [3.0, 6.0, 9.0]
        assert cell.retrace_reasons() == []  # the new function's: it traced once
        namespace["x"] = tf.constant([1.0, 2.0])


def test_a_cell_is_served_warm_only_when_asked_and_its_interface_is_kept() -> None:
    source = "y = x * 3 + offset\n"
    plan = analyze(source)
    namespace: dict[str, Any] = {"x": tf.constant(1.0), "offset": 2}
    cell = cell_function(plan, namespace, "function")
    assert warm_cell(namespace, "function", source) is None  # not asked to remember
    signature = cell.signature
    assert signature.parameters == ("x", "offset")
    assert traces._interfaces[(source, (True, True), False)] == (signature, ())
    assert cell_function(plan, namespace, "function", remember=True) is cell
    assert warm_cell(namespace, "function", source) is cell


def test_a_tape_the_cell_used_up_is_handed_back_used_up_as_eagerly() -> None:
    v = tf.Variable(3.0)
    namespace: dict[str, Any] = {"v": v, "tf": tf}
    source = "with tf.GradientTape() as tape:\n    y = v * v\ngrad = tape.gradient(y, v)\n"
    cell, _ = _run(source, namespace)
    assert float(namespace["grad"]) == 6.0
    tape = namespace["tape"]
    assert type(tape) is tf.GradientTape
    assert tape.watched_variables() == (v,)  # what it watched, as gradient() leaves it
    eager = "A non-persistent GradientTape can only be used to compute one set of gradients"
    with pytest.raises(RuntimeError, match=f"^{eager}"):
        tape.gradient(v * 2, v)
    assert cell.spent_tapes == {"tape": (True, (v,))}


def test_in_function_mode_argmax_of_nan_runs_unguarded_as_eagerly() -> None:
    # the NaN guard is XLA's alone: tf.function's argmax skips NaN as eager code does
    namespace: dict[str, Any] = {"x": tf.constant([1.0, np.nan, 2.0]), "tf": tf}
    cell, result = _run("best = tf.argmax(x)\nbest + 0\n", namespace)
    assert cell.nan_ops == ()
    assert int(result) == int(tf.argmax(namespace["x"])) == 2


def test_a_tape_still_recording_when_the_trace_ends_lives_in_the_trace() -> None:
    namespace: dict[str, Any] = {"x": tf.constant(3.0), "tf": tf}
    source = "with tf.GradientTape() as tape:\n    tape.watch(x)\n    y = x * x\n"
    cell, _ = _run(source, namespace)
    assert cell.live_tapes == ["tape"]
    assert cell.spent_tapes == {}
    assert isinstance(namespace["tape"], LivesInTrace)
    assert float(namespace["y"]) == 9.0


def test_under_xla_a_refused_op_is_named_with_its_cell_line() -> None:
    namespace: dict[str, Any] = {"x": tf.constant([1.0, 2.0]), "tf": tf}
    cell = cell_function(analyze("y = x * 2\nz = tf.strings.as_string(y)\n"), namespace, "xla")
    with pytest.raises(Exception, match="XLA cannot compile string tensors"):
        call_cell(cell, namespace)
    assert cell.refused is not None
    assert (cell.refused.op, cell.refused.line) == ("AsString", 2)


@pytest.mark.parametrize("mode", ["function", "xla"])
def test_what_a_tensor_branch_bound_to_a_variable_or_python_value_is_told(mode: Mode) -> None:
    v = tf.Variable(1.0)
    namespace: dict[str, Any] = {"flag": tf.constant(True), "v": v, "x": tf.constant(2.0)}
    source = (
        "if flag:\n    w, n, y, pair = v, 3, x * 2, (v, x)\n"
        "else:\n    w, n, y, pair = v, 4, x * 3, (v, x)\n"
    )
    cell = cell_function(analyze(source), namespace, mode, keep_local=True)
    # XLA refuses nothing here; what the trace found is told before XLA's check either way
    cell.function.get_concrete_function(*[namespace[p] for p in cell.signature.parameters])
    assert cell.branch_values == {
        "w": "a tf.Variable",
        "n": "a Python value",
        "pair": "a tf.Variable",
    }
    # a string refused by XLA: told all the same
    strings = analyze("if flag:\n    s = 'yes'\nelse:\n    s = 'no'\n")
    text = cell_function(strings, namespace, mode, keep_local=True)
    try:
        text.function.get_concrete_function(namespace["flag"])
    except Exception:  # noqa: BLE001 - XLA's refusal of a string tensor
        assert mode == "xla"
    assert text.branch_values == {"s": "a Python value"}
    # run eagerly, no branch is traced
    tf.config.run_functions_eagerly(True)
    try:
        eager = cell_function(analyze(source + "# eagerly\n"), namespace, mode, keep_local=True)
        call_cell(eager, namespace)
    finally:
        tf.config.run_functions_eagerly(False)
    assert eager.branch_values == {}
