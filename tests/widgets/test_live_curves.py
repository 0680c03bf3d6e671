"""LiveCurves on real model.fit runs: what the widget is sent (throttled, only new points), what
lands in event files, NaN reports, interrupts, and the snapshot left behind."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

keras = pytest.importorskip("keras")


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], list[np.ndarray]]]:
    """Every message the live widgets send to a front end, decoded."""
    from workbench.widgets.live_curves import CurvesWidget

    messages: list[tuple[dict[str, Any], list[np.ndarray]]] = []

    def record(self: Any, content: dict[str, Any], buffers: Any = None) -> None:
        arrays = [np.frombuffer(bytes(b), dtype=np.float64) for b in buffers or []]
        messages.append((content, arrays))

    monkeypatch.setattr(CurvesWidget, "send", record)
    return messages


def _digits(n: int = 512) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data[:n].astype("float32") / 16, digits.target[:n]


def _model() -> Any:
    model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)]
    )
    model.compile(
        "adam",
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


class Slow(keras.callbacks.Callback):  # type: ignore[misc]
    """Makes each batch take a known minimum time, so throttling has something to throttle."""

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        time.sleep(0.004)


def _points(messages: list[tuple[dict[str, Any], list[np.ndarray]]], key: str) -> np.ndarray:
    steps: list[np.ndarray] = []
    for content, arrays in messages:
        for index, header in enumerate(content["series"]):
            if header["key"] == key:
                if content["type"] == "reset":
                    steps.clear()
                steps.append(arrays[2 * index])
    return np.concatenate(steps) if steps else np.array([])


def test_fit_streams_only_new_points_at_a_throttled_rate(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    x, y = _digits()
    curves = LiveCurves(logdir=tmp_path, run="digits", interval=0.05, display=False)
    _model().fit(
        x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0, callbacks=[curves, Slow()]
    )
    run = curves.run
    assert run is not None
    assert run.state == "finished"
    batches = 3 * 12
    assert len(run.series[("train", "loss")]) >= batches  # per batch (and per epoch) points
    assert len(run.series[("validation", "loss")]) == 3
    appends = [c for c, _ in sent if c["type"] == "append"]
    assert 3 <= len(appends) < batches  # throttled: far fewer messages than batches
    # every point went exactly once, in order: no point re-sent
    streamed = _points(sent, "train/loss")
    np.testing.assert_array_equal(streamed, run.series[("train", "loss")].steps)
    assert curves.widget.state == "finished"
    assert "epoch 3/3" in curves.widget.progress["text"]


def test_event_files_hold_the_values(sent: Any, tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from workbench import LiveCurves

    x, y = _digits(256)
    curves = LiveCurves(logdir=tmp_path, run="r1", display=False)
    history = _model().fit(
        x, y, epochs=2, batch_size=64, validation_split=0.25, verbose=0, callbacks=[curves]
    )
    validation = EventAccumulator(
        str(tmp_path / "r1" / "validation"), size_guidance={"scalars": 0, "tensors": 0}
    )
    validation.Reload()
    tags = validation.Tags()
    values = _read(validation, "epoch_loss", tags)
    np.testing.assert_allclose(values, history.history["val_loss"], rtol=1e-6)
    train = EventAccumulator(
        str(tmp_path / "r1" / "train"), size_guidance={"scalars": 0, "tensors": 0}
    )
    train.Reload()
    assert len(_read(train, "batch_loss", train.Tags())) == 2 * 3


def _read(accumulator: Any, tag: str, tags: dict[str, Any]) -> list[float]:
    if tag in tags.get("scalars", []):
        return [e.value for e in accumulator.Scalars(tag)]
    from tensorboard.util import tensor_util

    return [float(tensor_util.make_ndarray(e.tensor_proto)) for e in accumulator.Tensors(tag)]


def test_nan_is_reported_once_and_training_goes_on(
    sent: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import workbench

    with workbench.run("nan", logdir=tmp_path, display=False) as r:
        for step in range(1, 21):
            r.log(step, loss=float("nan") if step >= 5 else 1.0 / step)
    out = capsys.readouterr().out
    assert out.count("became nan") == 1
    assert "at step 5" in out
    assert r.run.state == "finished"
    assert len(r.run.series[("train", "loss")]) == 20
    assert r.view.widget.bad_values[0]["step"] == 5


def test_stop_on_nan_stops_fit(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    y = np.ones((256, 1), dtype="float32")
    y[40:] = np.nan  # the loss turns NaN in the second batch
    curves = LiveCurves(logdir=tmp_path, stop_on_nan=True, display=False)
    model.fit(np.ones((256, 4)), y, epochs=5, batch_size=32, verbose=0, callbacks=[curves])
    assert curves.run is not None
    assert len(curves.run.series[("train", "loss")]) < 5 * 8
    assert curves.bad


def test_a_long_series_is_downsampled_for_the_front_end(sent: Any) -> None:
    import workbench
    from workbench.widgets.live_curves import LIVE_LIMIT, RESET_POINTS

    with workbench.run("long", logdir=None, display=False, interval=0) as r:
        for step in range(LIVE_LIMIT + 5_000):
            r.log(step, loss=np.sin(step / 100))
    sizes = [h["n"] for c, _ in sent if c["type"] == "reset" for h in c["series"]]
    assert sizes
    assert max(sizes) <= RESET_POINTS


def test_interrupted_fit_in_a_shell_closes_the_run(ip: Any, tmp_path: Path) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    result = ip.run_cell(
        "import keras, numpy as np, workbench\n"
        "class Stop(keras.callbacks.Callback):\n"
        "    def on_train_batch_end(self, batch, logs=None):\n"
        "        if batch == 3:\n"
        "            raise KeyboardInterrupt\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "model.compile('sgd', 'mse')\n"
        "curves = workbench.LiveCurves(logdir=logdir, run='cut', display=False)\n"
        "model.fit(np.ones((64, 4)), np.ones((64, 1)), batch_size=8, epochs=3, verbose=0,\n"
        "          callbacks=[curves, Stop()])\n"
    )
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    curves = ip.user_ns["curves"]
    assert curves.run.state == "interrupted"
    assert curves.widget.state == "interrupted"
    from workbench.curves.store import Run

    loaded = Run.load(tmp_path / "cut")
    assert len(loaded.series[("train", "loss")]) == 4  # batches 0..3, readable after the cut


def test_runs_lists_ours_and_keras_tensorboard_runs(sent: Any, tmp_path: Path) -> None:
    import workbench

    x, y = _digits(256)
    _model().fit(
        x,
        y,
        epochs=2,
        batch_size=64,
        validation_split=0.25,
        verbose=0,
        callbacks=[workbench.LiveCurves(logdir=tmp_path, run="ours", display=False)],
    )
    _model().fit(
        x,
        y,
        epochs=2,
        batch_size=64,
        validation_split=0.25,
        verbose=0,
        callbacks=[keras.callbacks.TensorBoard(log_dir=str(tmp_path / "keras"))],
    )
    found = workbench.runs(tmp_path)
    assert set(found.names()) == {"ours", "keras"}
    assert "loss" in found["keras"].metrics
    figure = found.plot(metrics=["loss"])
    assert figure._repr_html_().count("<svg") == 1
    assert "ours" in figure._repr_html_()
    assert "keras" in figure._repr_html_()
    assert "ours" in repr(found)
    with pytest.raises(KeyError, match="Expected one of the runs"):
        found.plot(runs=["nope"])


def test_snapshot_is_small_and_self_contained(sent: Any) -> None:
    import workbench
    from workbench.widgets.live import snapshot

    with workbench.run("big", logdir=None, display=False) as r:
        for step in range(10_000):
            r.log(step, loss=1 / (1 + step), accuracy=step / 10_000)
    html = snapshot(r.run, run_id="big-1")
    assert len(html.encode()) < 100_000
    assert "<script" not in html
    assert html.count("<svg") == 2  # loss and accuracy panels
    assert 'data-workbench-snapshot="big-1"' in html
