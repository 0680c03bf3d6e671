"""LiveCurves on real model.fit runs: what the widget is sent (throttled, only the columns that
changed, within its traffic budget), what lands in event files, steps, NaN reports, reuse, and the
final chart that replaces the live view."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
from IPython.utils.capture import capture_output

from tests.widgets.fits import Record, Slow, digits, mlp, nan_at_second_batch
from tests.widgets.replica import held, same_columns


def columns_messages(sent: Any) -> list[dict[str, Any]]:
    return [content for content, _ in sent if content.get("type") == "columns"]


def test_fit_streams_only_new_points_at_a_throttled_rate(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    x, y = digits()
    curves = LiveCurves(logdir=tmp_path, run="digits", display=False)  # interval 0.1 s
    began = time.monotonic()
    mlp().fit(
        x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0, callbacks=[curves, Slow()]
    )
    elapsed = time.monotonic() - began
    run = curves.run
    assert run is not None
    assert run.state == "finished"
    batches = 3 * 48
    assert len(run.series[("train", "loss")]) == batches  # one point per batch
    assert len(run.series[("validation", "loss")]) == 3
    pushes = columns_messages(sent)
    # about 10 updates a second of wall time (+1: the final state), far fewer than batches
    assert 2 <= len(pushes) <= 10 * elapsed + 1, (len(pushes), elapsed)
    assert len(pushes) < batches / 4
    # a short run is a point per column: the view holds every point, sent once each
    views = held(sent)
    for key in [("train", "loss"), ("validation", "loss")]:
        kernel = curves.widget._columns[key]
        same_columns(views["/".join(key)], kernel)
        assert kernel.size == 1
        np.testing.assert_array_equal(kernel.rows()[:, 3], run.series[key].values)
    assert curves.widget.state == "finished"
    assert "epoch 3/3" in curves.widget.progress["text"]


def test_event_files_hold_what_fit_reported(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves
    from workbench.curves.events import read_scalars

    x, y = digits(256)
    curves = LiveCurves(logdir=tmp_path, run="r1", display=False)
    reported = Record()
    history = mlp().fit(
        x,
        y,
        epochs=2,
        batch_size=64,
        validation_split=0.25,
        verbose=0,
        callbacks=[curves, reported],
    )
    validation = read_scalars(tmp_path / "r1" / "validation")
    np.testing.assert_allclose(validation["epoch_loss"][2], history.history["val_loss"], rtol=1e-6)
    train = read_scalars(tmp_path / "r1" / "train")
    steps, _, values = train["batch_loss"]
    assert steps == list(range(1, 2 * 3 + 1))  # global steps: 3 batches an epoch
    np.testing.assert_allclose(values, [b["loss"] for b in reported.batches], rtol=1e-6)
    _, _, accuracy = train["batch_accuracy"]
    np.testing.assert_allclose(accuracy, [b["accuracy"] for b in reported.batches], rtol=1e-6)
    np.testing.assert_allclose(train["epoch_loss"][2], history.history["loss"], rtol=1e-6)


def test_steps_count_batches_with_steps_per_execution(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    x, y = digits(512)
    curves = LiveCurves(logdir=tmp_path, run="spe", display=False)
    # 384 training samples / 32 = 12 steps an epoch; batch hooks fire once per 4 steps
    mlp(steps_per_execution=4).fit(
        x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0, callbacks=[curves]
    )
    assert curves.run is not None
    assert curves.run.series[("train", "loss")].steps.tolist() == [4, 8, 12, 16, 20, 24]
    assert curves.run.series[("validation", "loss")].steps.tolist() == [12, 24]
    progress = curves.progress()
    assert progress["step"] == progress["steps"] == 24
    assert "step 24/24" in progress["text"]


def test_nan_on_a_throttled_batch_reaches_the_plot_at_once(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    model, x, y = nan_at_second_batch()
    # one update a minute: the first batch takes it, the NaN batch (step 2) is throttled
    curves = LiveCurves(logdir=tmp_path, interval=60, display=False)
    seen: list[list[dict[str, Any]]] = []

    class Look(keras.callbacks.Callback):  # type: ignore[misc]
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 1:
                seen.append(list(curves.widget.bad_values))

    model.fit(x, y, epochs=1, batch_size=32, shuffle=False, verbose=0, callbacks=[curves, Look()])
    assert [(b["key"], b["step"]) for b in seen[0]] == [("train/loss", 2)]
    assert len(curves.widget.bad_values) == 1  # reported once, not again per batch or epoch


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


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_the_snapshot_marks_the_first_bad_value_of_each_series(bad: float) -> None:
    from workbench._protocol import wire_float
    from workbench.curves.store import Run
    from workbench.widgets.live_curves import CurvesWidget

    run = Run("marks")
    for step in range(1, 11):
        run.log(step, {"loss": bad if step >= 4 else 1.0 / step})
        run.log(step, {"loss": bad if step == 7 else 0.5}, split="validation")
    html = CurvesWidget(run, run_id="marks-1").snapshot_html()
    assert html.count("▼") == 2  # one mark per series, not one per bad point
    assert f"<title>loss={wire_float(bad)} at step 4</title>" in html
    assert f"<title>val_loss={wire_float(bad)} at step 7</title>" in html


def test_stop_on_nan_stops_fit(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    model, x, y = nan_at_second_batch()
    curves = LiveCurves(logdir=tmp_path, stop_on_nan=True, display=False)
    model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[curves])
    assert curves.run is not None
    assert len(curves.run.series[("train", "loss")]) < 5 * 8
    assert curves.bad


def test_a_reused_callback_starts_each_fit_afresh(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    model, x, y = nan_at_second_batch()
    curves = LiveCurves(logdir=tmp_path, display=False)
    model.fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0, callbacks=[curves])
    first = curves.run
    assert curves.bad
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x[:64], np.ones((64, 1)), epochs=1, batch_size=32, verbose=0, callbacks=[curves])
    assert curves.run is not first
    assert curves.run is not None
    assert curves.run.series[("train", "loss")].steps.tolist() == [1, 2]
    assert curves.bad == []
    progress = curves.progress()
    assert set(progress["latest"]) == {"loss"}  # no val_loss left over from the first fit
    assert progress["epoch"] == 1
    assert "epoch 1/1 · step 2/2" in progress["text"]
    assert curves.widget.bad_values == []


def test_epoch_ends_are_throttled_and_the_end_is_delivered(sent: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    x, y = digits(32)
    curves = LiveCurves(logdir=tmp_path, interval=60, display=False)
    mlp().fit(x, y, epochs=20, batch_size=32, verbose=0, callbacks=[curves])  # 1 batch an epoch
    assert len(columns_messages(sent)) == 2  # the first update, then the final state
    view = held(sent)["train/loss"]
    assert view.agg.count.sum() == 20
    assert (view.first_step, view.last_step) == (1, 20)
    assert "epoch 20/20" in curves.widget.progress["text"]
    assert curves.widget.state == "finished"


def test_traffic_follows_the_view_not_the_logging_rate(sent: Any) -> None:
    import workbench
    from workbench.widgets.live_curves import BURST, BYTES_PER_SECOND, DEFAULT_WIDTH

    began = time.monotonic()
    with workbench.run("long", logdir=None, display=False, interval=0) as r:  # push every log
        for step in range(60_000):
            r.log(step, loss=np.sin(step / 100), accuracy=step / 60_000)
    elapsed = time.monotonic() - began
    messages = columns_messages(sent)
    rows = [h["n"] for m in messages for h in m["series"]]
    assert max(rows) <= DEFAULT_WIDTH  # a series is at most the view's width in columns
    payload = sum(array.nbytes for content, arrays in sent for array in arrays)
    final = sum(a.nbytes for a in sent[-1][1])  # the run's last state goes whatever the budget
    assert payload - final <= BURST + BYTES_PER_SECOND * elapsed, (payload, elapsed)
    assert payload < 60_000 * 2 * 16 / 4  # a fraction of the points (16 bytes each) logged
    views = held(sent)
    for key, series in r.run.series.items():
        kernel = r.widget._columns[key]
        same_columns(views["/".join(key)], kernel)
        assert kernel.agg.count.sum() == len(series)  # every point is in a column


PLOTLY = "application/vnd.plotly.v1+json"


def test_the_live_view_is_replaced_by_the_runs_chart_when_it_ends(
    sent: Any, shell: Any, tmp_path: Path
) -> None:
    import workbench

    with capture_output() as captured, workbench.run("nan", logdir=tmp_path) as r:
        for step in range(1, 21):
            r.log(step, loss=float("nan") if step >= 5 else 1.0 / step)
    # one output for the run: the live view, then the same output updated to the final chart
    shown, final = captured.outputs
    assert "application/vnd.jupyter.widget-view+json" in shown.data
    assert final.update
    assert final.transient == shown.transient
    assert set(final.data) == {PLOTLY, "text/html", "text/plain"}
    marks = [a.get("hovertext") for a in final.data[PLOTLY]["layout"]["annotations"]]
    assert "loss=NaN at step 5" in marks
    assert chart_title(final.data[PLOTLY]).startswith("<b>nan</b> · finished · step 20")
    assert final.data["text/plain"].startswith("<curves of nan · finished · step 20")
    widget = r.widget
    assert widget.state == "finished"
    assert widget.bad_values[0]["value"] == "NaN"
    assert "step 20" in widget.progress["text"]

    # the widget stays open until the next cell: the view's settings, sent while the cell ran,
    # reach the kernel after it and redraw the chart in the same output
    assert widget.comm is not None
    with capture_output() as later:
        widget.comm.receive_state({"smoothing": 0.9})
        widget.comm.receive_state({"smoothing": 0.9})  # the same again: nothing to redraw
    # (as SVG first: JupyterLab's plotly renderer would keep its first figure)
    svg, redrawn = later.outputs
    assert svg.update
    assert set(svg.data) == {"text/html", "text/plain"}
    assert redrawn.update
    assert redrawn.transient == svg.transient == shown.transient
    assert "smoothing 0.90" in chart_title(redrawn.data[PLOTLY])
    with capture_output():
        shell.run_cell("pass")
    assert widget.comm is None  # closed as the next cell started


def chart_title(figure: dict[str, Any]) -> str:
    """The final chart's title line (its first annotation, as the live view's header)."""
    return str(figure["layout"]["annotations"][0]["text"])


def test_an_interrupted_fit_leaves_its_chart_too(sent: Any, shell: Any, tmp_path: Path) -> None:
    from workbench import LiveCurves

    class Interrupt(keras.callbacks.Callback):  # type: ignore[misc]
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if batch == 2:
                raise KeyboardInterrupt

    x, y = digits(256)
    curves = LiveCurves(logdir=tmp_path, run="cut")
    # in a cell: Keras calls no callback on an interrupt, the run ends with the cell
    fit = partial(mlp().fit, verbose=0)
    shell.user_ns.update(fit=fit, x=x, y=y, callbacks=[curves, Interrupt()])
    with capture_output() as captured:
        result = shell.run_cell("fit(x, y, epochs=2, batch_size=32, callbacks=callbacks)")
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    shown, final = captured.outputs
    assert final.update
    assert final.transient == shown.transient
    assert chart_title(final.data[PLOTLY]).startswith("<b>cut</b> · interrupted")
    assert curves.widget.comm is not None  # until the next cell starts
    with capture_output():
        shell.run_cell("pass")
    assert curves.widget.comm is None


def test_display_false_shows_nothing_and_replaces_nothing(
    sent: Any, shell: Any, tmp_path: Path
) -> None:
    import workbench

    with capture_output() as captured, workbench.run("quiet", logdir=tmp_path, display=False) as r:
        r.log(1, loss=0.5)
    assert captured.outputs == []
    assert r.widget.state == "finished"


def test_snapshot_is_small_and_self_contained(sent: Any) -> None:
    import workbench

    with workbench.run("big", logdir=None, display=False) as r:
        for step in range(10_000):
            r.log(step, loss=1 / (1 + step), accuracy=step / 10_000)
    html = r.widget.snapshot_html()
    assert len(html.encode()) < 100_000
    assert "<script" not in html
    assert html.count("<svg") == 2  # loss and accuracy panels
