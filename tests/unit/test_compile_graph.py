"""workbench.graph and %%compile --graph on real TensorFlow: Grappler's rewrites by optimizer,
placement from the runtime's partition graphs, XLA's HLO summary and fusions."""

from __future__ import annotations

from typing import Any

import pytest

tf = pytest.importorskip("tensorflow")

from workbench.compile.graph import capture_cell, graph, hlo_summary  # noqa: E402


def test_grappler_folds_constants_and_prunes_dependencies() -> None:
    w = tf.Variable(tf.ones([16, 4]))

    @tf.function
    def step(a: Any) -> Any:
        c = tf.constant(2.0) * tf.constant(3.0)
        return tf.nn.relu(tf.matmul(a, w) + c) * 1.0

    report = graph(step, tf.ones([8, 16]))
    [fn] = report.functions
    assert fn.before["Mul"] == 2
    assert fn.after.get("Mul", 0) < fn.before["Mul"]
    by = {p.optimizer: p for p in fn.passes}
    assert by["constfold"].removed["Mul"] == 2
    assert "constfold: " in repr(report)
    assert not fn.xla
    assert "placement not reported" in repr(report)  # traced, never run: nothing placed


def test_a_captured_call_reports_placement_and_xla_hlo() -> None:
    w = tf.Variable(tf.ones([16, 4]))
    plain = tf.function(lambda a: tf.nn.relu(tf.matmul(a, w) + 1.0))
    jitted = tf.function(lambda a: tf.reduce_sum(tf.sin(a) * a) + 1.0, jit_compile=True)
    x = tf.ones([8, 16])
    with capture_cell() as out:
        plain(x)
        jitted(x)
    first, second = out[0].functions
    assert "CPU:0" in first.placement
    assert sum(first.placement["CPU:0"].values()) >= 4
    assert second.xla
    assert second.hlo_ops.get("fusion", 0) >= 1
    assert second.fusions
    assert "HloModule" in second.optimized_hlo
    html = out[0]._repr_html_()
    assert "<details><summary>optimized HLO</summary>" in html


def test_hlo_summary_reads_entry_and_fusions() -> None:
    text = """HloModule m

%fused_computation (p: f32[2]) -> f32[2] {
  %p = f32[2]{0} parameter(0)
  %s = f32[2]{0} sine(%p)
  ROOT %m = f32[2]{0} multiply(%s, %p)
}

ENTRY %main (x: f32[2]) -> f32[2] {
  %x = f32[2]{0} parameter(0)
  ROOT %f = f32[2]{0} fusion(%x), kind=kLoop, calls=%fused_computation
}
"""
    ops, fusions = hlo_summary(text)
    assert ops == {"parameter": 1, "fusion": 1}
    assert fusions == [("f", "kLoop", 2)]


def test_the_magic_shows_the_graph_after_the_cell(ip: Any) -> None:
    from IPython.utils.capture import capture_output

    ip.run_cell("gx = tf.ones([4, 3])")
    with capture_output() as captured:
        result = ip.run_cell("%%compile xla --graph\ngy = tf.reduce_sum(tf.sin(gx) * gx)")
    assert result.success, result.error_in_exec
    assert "gy" in ip.user_ns
    shown = [o.data["text/plain"] for o in captured.outputs if "text/plain" in o.data]
    assert any("(XLA)" in text and "HLO (optimized" in text for text in shown), shown
    assert any(text.startswith("the cell's compiled lines (XLA): ") for text in shown), shown
    assert not any("__wb_cell" in text for text in shown)
    with capture_output() as captured:
        result = ip.run_cell("%%compile function --graph\ngz = tf.nn.relu(gx @ tf.ones([3, 2]))")
    assert result.success, result.error_in_exec
    shown = [o.data["text/plain"] for o in captured.outputs if "text/plain" in o.data]
    assert any("placed on CPU:0" in text for text in shown), shown


def test_the_remapper_fuses_a_dense_layer_as_the_runtime_would() -> None:
    layer = tf.keras.layers.Dense(8, activation="relu")
    x = tf.ones([4, 16])
    layer(x)
    [fn] = graph(tf.function(lambda a: layer(a)), x).functions
    by = {p.optimizer: p for p in fn.passes}
    assert by["remap"].added == {"_FusedMatMul": 1}
    assert by["remap"].removed == {"MatMul": 1, "BiasAdd": 1, "Relu": 1}


def test_graph_of_an_xla_function_without_running_it() -> None:
    counter = tf.Variable(0.0)

    @tf.function(jit_compile=True)
    def step(a: Any) -> Any:
        counter.assign_add(1.0)
        return tf.reduce_sum(tf.exp(a) * a + 1.0)

    [fn] = graph(step, tf.ones([32, 8])).functions
    assert fn.xla
    assert fn.fusions
    assert "ENTRY" in fn.optimized_hlo
    assert float(counter.numpy()) == 0.0  # graph() traces and compiles, never runs
