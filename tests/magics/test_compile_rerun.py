"""Re-running an unchanged traced cell takes a short path (``traces.warm_cell``): it must still
notice every change of the namespace that the slow path would have traced anew for."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.magics.conftest import run


def test_a_loop_variable_that_became_a_tensor_is_carried_out(ip: Any) -> None:
    cell = "%%compile function\nfor i in tf.range(3):\n    last = i * 2\n"
    run(ip, cell)
    assert int(ip.user_ns["last"]) == 4  # the loop's last value, as eagerly
    run(ip, "last = tf.constant(0, tf.int32)")
    run(ip, cell)  # `last` now holds a tensor before the loop: the same trace serves
    assert int(ip.user_ns["last"]) == 4


def test_a_batch_that_stopped_holding_only_tensors_still_runs(ip: Any) -> None:
    run(ip, "batch = [tf.ones([2]), tf.ones([2])]")
    cell = "%%compile function\nn = len(batch)\nfirst = batch[0] * 2\n"
    run(ip, cell)
    run(ip, "batch = [tf.ones([2]), 'not a tensor']")  # same type (list), other contents
    run(ip, cell)
    np.testing.assert_allclose(ip.user_ns["first"], [2, 2])


def test_a_deleted_input_fails_as_it_would_eagerly(ip: Any) -> None:
    run(ip, "a = tf.ones([2])")
    cell = "%%compile function\nb = a + 1\n"
    run(ip, cell)
    run(ip, "del a")
    result = ip.run_cell(cell)
    assert "a" in str(result.error_in_exec)
    run(ip, "a = 2 * tf.ones([2])")
    run(ip, cell)
    np.testing.assert_allclose(ip.user_ns["b"], [3, 3])


def test_new_values_reach_the_same_trace(ip: Any) -> None:
    from workbench.compile import traces

    run(ip, "x = tf.ones([3])")
    cell = "%%compile function\ny = tf.reduce_sum(x)\n"
    run(ip, cell)
    for k in range(2, 5):
        run(ip, f"x = {k} * tf.ones([3])")
        run(ip, cell)
        assert float(ip.user_ns["y"]) == 3 * k
    (assumed,) = [a for key, a in traces._warm.items() if key[2] == "y = tf.reduce_sum(x)\n"]
    assert assumed.cell.function.experimental_get_tracing_count() == 1


def test_a_quiet_rerun_builds_its_report_when_read(ip: Any) -> None:
    import workbench

    run(ip, "x = tf.ones([2])")
    runs = [workbench.compile_cell("y = x * 2", ip.user_ns, "function") for _ in range(3)]
    assert runs[0].content == runs[1].content == runs[2].content  # nothing new to say
    assert runs[2]._report is None  # not built: a display would not have shown it
    run(ip, "x = tf.ones([3])")  # another shape: the next run retraces
    retraced = workbench.compile_cell("y = x * 2", ip.user_ns, "function")
    assert "cell · 2 traces" in repr(retraced.report)
    report = runs[2].report  # built now, from what was true when it ran
    assert report.content() == runs[2].content
    assert "cell · 1 trace ·" in repr(report)
    assert report.functions[0].run_seconds is not None  # that run's own time


def test_a_call_served_by_an_older_trace_names_its_outputs_right(ip: Any) -> None:
    # One traced function, two traces that export different names: x a tensor exports y and z,
    # x a Python int keeps y a Python int (not exported) and exports z alone.
    cell = "%%compile function\ny = x * 2\nz = tf.cast(x, tf.float32) + 100.0\n"
    run(ip, "x = tf.constant(5.0)")
    run(ip, cell)
    run(ip, "x = 3")
    run(ip, cell)  # the latest trace: z alone
    assert float(ip.user_ns["z"]) == 103.0
    run(ip, "x = tf.constant(7.0)")
    run(ip, cell)  # served by the first trace again, which exports y then z
    assert float(ip.user_ns["y"]) == 14.0
    assert float(ip.user_ns["z"]) == 107.0
