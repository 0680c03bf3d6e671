"""Real captures of real training with TensorFlow's profiler, read by xprof: what a fit's timeline
holds, the diagnosis of an input-bound pipeline and of its fix, steps of a fit with and without
``steps_per_execution``, a custom loop's steps, TensorBoard's own profile plugin listing our
captures, and each misuse (a second capture, another tool's profiler, a profiler stopped
elsewhere, nothing captured, the block raising, a time limit) said clearly, the kernel working on.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tf() -> Any:
    import tensorflow

    return tensorflow


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data.astype("float32") / 16, data.target


def _model(steps_per_execution: int = 1) -> Any:
    import keras

    model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)]
    )
    model.compile(
        "adam",
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        steps_per_execution=steps_per_execution,
    )
    return model


def _slow_map(tf: Any, seconds: float) -> Any:
    def sleepy(a: Any, b: Any) -> tuple[Any, Any]:
        time.sleep(seconds)
        return a, b

    def mapped(a: Any, b: Any) -> tuple[Any, Any]:
        a2, b2 = tf.py_function(sleepy, [a, b], [tf.float32, tf.int64])
        a2.set_shape(a.shape)
        b2.set_shape(b.shape)
        return a2, b2

    return mapped


@pytest.fixture(autouse=True)
def _profiler_free(tf: Any) -> Iterator[None]:
    """Every test leaves TensorFlow's profiler as it found it: free."""
    yield
    from workbench.profiler import session

    assert session.active() is None
    with pytest.raises(tf.errors.UnavailableError):
        tf.profiler.experimental.stop()


def test_a_fit_profiled_shows_the_models_ops_and_a_breakdown(
    tmp_path: Path, digits: Any, capsys: Any
) -> None:
    import workbench

    x, y = digits
    model = _model()
    model.fit(x[:64], y[:64], verbose=0)  # traced before the capture
    with workbench.profile(tmp_path) as prof:
        model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    assert "workbench.profile:" in capsys.readouterr().out
    files = list(tmp_path.glob("plugins/profile/*/*.xplane.pb"))
    assert len(files) == 1
    assert prof.path == files[0].parent
    matmuls = prof.events.filter(name="MatMul")
    assert len(matmuls) > 0
    assert all("MatMul" in name for name in matmuls["name"])
    summary = prof.summary()
    assert summary.events == len(prof.events) > 100
    assert summary.steps >= 20  # one a tf.function call: no step markers in a plain fit
    assert summary.breakdown_source == "timeline"
    assert sum(summary.shares.values()) == pytest.approx(1.0)
    assert summary.top_ops
    assert "workbench.profile()" in (prof.path / "workbench_profile.json").read_text()


def test_an_xla_compiled_fit_is_seen_as_compiled(tmp_path: Path, digits: Any) -> None:
    import keras

    import workbench

    x, y = digits
    model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile("adam", loss, jit_compile=True)
    model.fit(x[:64], y[:64], verbose=0)  # compiled before the capture
    with workbench.profile(tmp_path) as prof:
        # whole batches only: XLA compiles again for a last, smaller one
        model.fit(x[:1792], y[:1792], epochs=1, batch_size=64, verbose=0)
    verdict = prof.verdict.text()
    assert "The step runs XLA-compiled" in verdict, verdict
    assert "jit_compile=True" not in verdict


def test_an_input_bound_pipeline_is_diagnosed_and_its_fix_is_not(
    tmp_path: Path, digits: Any, tf: Any
) -> None:
    import workbench

    x, y = digits
    x, y = x[:640], y[:640]
    slow = tf.data.Dataset.from_tensor_slices((x, y)).map(_slow_map(tf, 0.002)).batch(32)
    model = _model()
    model.fit(x[:64], y[:64], verbose=0)
    before = workbench.LiveCurves(tmp_path, "slow", profile_steps=(5, 9), display=False)
    model.fit(slow, epochs=1, verbose=0, callbacks=[before])
    verdict = before.profile.verdict
    assert verdict.kind == "input-bound", verdict.text()
    assert verdict.input_share > 0.8
    assert "MapAndBatch" in verdict.text() or "Map" in verdict.text()

    fixed = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .map(_slow_map(tf, 0.002), num_parallel_calls=tf.data.AUTOTUNE)
        .batch(32)
        .cache()
        .prefetch(tf.data.AUTOTUNE)
    )
    after = workbench.LiveCurves(tmp_path, "fixed", profile_steps=(25, 29), display=False)
    model.fit(fixed, epochs=2, verbose=0, callbacks=[after])  # the cache is full in epoch 2
    assert after.capture is not None
    assert after.capture.captured == "25-29"
    fixed_verdict = after.profile.verdict
    assert fixed_verdict.kind not in ("input-bound", "partly input-bound"), fixed_verdict.text()
    comparison = before.profile.compare(after.profile).comparison
    assert comparison.speedup > 3
    assert comparison.changes()[0].startswith("step time ")
    assert any(change.startswith("input wait ") for change in comparison.changes())


@pytest.mark.parametrize(("per_call", "captured"), [(1, "6-10"), (4, "9-12")])
def test_profile_steps_of_a_fit_with_and_without_steps_per_execution(
    tmp_path: Path, digits: Any, capsys: Any, per_call: int, captured: str
) -> None:
    import workbench

    x, y = digits
    model = _model(steps_per_execution=per_call)
    callback = workbench.LiveCurves(tmp_path, "run", profile_steps=(6, 10), display=False)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[callback])
    capture = callback.capture
    assert capture is not None
    assert capture.captured == captured
    assert capture.wait(60)
    # Keras' TensorBoard(profile_batch=...) layout, so TensorBoard's profile plugin reads it
    assert capture.folder is not None
    assert capture.folder.parent == tmp_path / "run" / "train" / "plugins" / "profile"
    summary = callback.profile.summary()
    labels = [s.label for s in callback.profile.data.trace.steps]
    note = capsys.readouterr().out
    if per_call == 1:
        assert summary.breakdown_source == "xprof"  # the steps were marked: xprof measured them
        assert labels == ["6", "7", "8", "9", "10"]
        assert "profiled steps" not in note
    else:
        # xprof measures no step of a multi-step call; the breakdown comes from its marker
        assert summary.breakdown_source == "timeline"
        assert labels == ["9-12"]
        assert f"profiled steps {captured} of 6-10" in note
        assert "steps_per_execution" in note
    assert sum(summary.shares.values()) == pytest.approx(1.0)


def test_a_custom_loops_steps_are_marked_from_one_log_to_the_next(tmp_path: Path, tf: Any) -> None:
    import workbench

    step = tf.function(lambda a: tf.reduce_sum(tf.matmul(a, a)))
    a = tf.random.normal((128, 128))
    step(a)
    with workbench.run("loop", tmp_path, display=False) as r:
        prof = r.profile(steps=(3, 7))
        for n in range(1, 11):
            r.log(n, loss=float(step(a)))
    summary = prof.summary()
    assert summary.breakdown_source == "xprof"
    assert 3 <= summary.steps <= 5
    assert {s.label for s in prof.data.trace.steps} >= {"4", "5", "6"}
    assert any(op["type"].endswith("MatMul") for op in summary.top_ops)


def test_tensorboards_profile_plugin_lists_our_captures(tmp_path: Path, digits: Any) -> None:
    from tensorboard.plugins import base_plugin
    from xprof.profile_plugin import ProfilePlugin

    import workbench

    x, y = digits
    model = _model()
    callback = workbench.LiveCurves(tmp_path, "big", profile_steps=(2, 4), display=False)
    model.fit(x[:320], y[:320], epochs=1, batch_size=32, verbose=0, callbacks=[callback])
    assert callback.capture is not None
    assert callback.capture.wait(60)
    with workbench.profile(tmp_path / "cell"):
        model.predict(x[:64], verbose=0)
    context = base_plugin.TBContext(
        logdir=str(tmp_path), flags=argparse.Namespace(master_tpu_unsecure_channel="")
    )
    runs = set(ProfilePlugin(context).generate_runs())
    assert callback.capture.folder is not None
    assert f"big/train/{callback.capture.folder.name}" in runs
    assert any(run.startswith("cell/") for run in runs)
    assert {c.name for c in workbench.profiles(tmp_path).captures} == runs


def test_a_second_capture_and_another_tools_profiler_are_refused(tmp_path: Path, tf: Any) -> None:
    import workbench
    from workbench.profiler.errors import ProfilerError

    with workbench.profile(tmp_path) as outer:
        with (
            pytest.raises(ProfilerError, match="Expected no capture to be running"),
            workbench.profile(tmp_path),
        ):
            pass
        tf.reduce_sum(tf.ones((64, 64)))
    assert len(outer.events) > 0

    tf.profiler.experimental.start(str(tmp_path / "theirs"))
    try:
        with (
            pytest.raises(ProfilerError, match=r"another profiler is running .*experimental.stop"),
            workbench.profile(tmp_path),
        ):
            pass
    finally:
        tf.profiler.experimental.stop()


def test_a_profiler_stopped_elsewhere_is_said(tmp_path: Path, tf: Any) -> None:
    import workbench
    from workbench.profiler.errors import ProfilerError

    with (
        pytest.raises(ProfilerError, match=r"no profiler was running .*elsewhere"),
        workbench.profile(tmp_path),
    ):
        tf.profiler.experimental.stop()
    with workbench.profile(tmp_path) as prof:  # the kernel goes on profiling
        tf.reduce_sum(tf.ones((8, 8)))
    assert len(prof.events) > 0


def test_nothing_captured_names_the_file(tmp_path: Path) -> None:
    import workbench
    from workbench.profiler.errors import ProfilerError

    with (
        pytest.raises(ProfilerError, match=r"\.xplane\.pb: the capture holds no events"),
        workbench.profile(tmp_path),
    ):
        time.sleep(0.01)


def test_a_block_that_raises_keeps_its_capture_and_frees_the_profiler(
    tmp_path: Path, tf: Any, capsys: Any
) -> None:
    import workbench

    def interrupted() -> None:
        tf.reduce_sum(tf.ones((32, 32)))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), workbench.profile(tmp_path) as prof:
        interrupted()
    assert "the profiled code raised; what was captured is in" in capsys.readouterr().out
    assert len(prof.events) > 0  # read when asked


def test_a_time_limit_stops_the_capture_not_the_code(tmp_path: Path, tf: Any) -> None:
    import workbench

    step = tf.function(lambda a: tf.reduce_sum(a @ a))
    a = tf.ones((64, 64))
    started = time.monotonic()
    with workbench.profile(tmp_path, max_seconds=0.3) as prof:
        while time.monotonic() - started < 1.0:
            step(a)
    assert "stopped after 0.3 s" in prof.note
    seconds = prof.data.info.meta["seconds"]
    assert 0.25 <= seconds < 0.9
    assert prof.data.info.meta["stopped_by"] == "timeout"


def test_an_interrupted_fit_stops_its_capture_and_converts_what_it_has(
    ip: Any, tmp_path: Path
) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    ip.run_cell(
        """
import numpy as np, keras, workbench
class Interrupt(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 6:
            raise KeyboardInterrupt
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4)])
model.compile("sgd", "mse")
cb = workbench.LiveCurves(logdir, "stopped", profile_steps=(4, 20), display=False)
data = np.ones((640, 8)), np.ones((640, 4))
model.fit(*data, batch_size=8, verbose=0, callbacks=[cb, Interrupt()])
"""
    )
    capture = ip.user_ns["cb"].capture
    assert capture.reason == "interrupted"
    assert capture.captured == "4-7"
    assert capture.wait(60)
    assert capture.state == "ready"
    result = ip.run_cell(
        "with workbench.profile(logdir) as again:\n    model.predict(np.ones((8, 8)), verbose=0)"
    )
    assert result.success  # the profiler was freed


def test_a_kernel_without_the_profiler_plugin_says_what_to_install(tmp_path: Path) -> None:
    from tests.conftest import run_python
    from tests.profiler.xspace import write_capture

    folder = write_capture(tmp_path, {"python": [("MatMul", 0, 1000)]})
    out = run_python(
        "import sys\n"
        "sys.modules['xprof'] = None  # not installed\n"
        "from workbench.widgets.profile import Profile\n"
        "from workbench.profiler.errors import ProfilerError\n"
        "try:\n"
        f"    Profile.open({str(folder)!r})\n"
        "except ProfilerError as error:\n"
        "    print(error)\n"
    )
    assert "The profiler plugin (xprof) is not installed in this kernel's Python" in out
    assert f"the capture in {folder} cannot be read here" in out
    assert "pip install tensorboard-plugin-profile" in out
