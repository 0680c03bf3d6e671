"""The run store without widgets: series, downsampling, event files, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_python
from workbench.curves.downsample import lttb
from workbench.curves.series import Series
from workbench.curves.store import Run


def test_series_grows_and_hands_out_new_points() -> None:
    series = Series()
    for step in range(1000):
        series.append(step, float(step), step * 0.5)
    assert len(series) == 1000
    assert series.steps[-2:].tolist() == [998, 999]
    assert series.values[-2:].tolist() == [499.0, 499.5]
    series.extend(np.array([1000, 1001]), np.zeros(2), np.ones(2))
    assert series.last() == (1001, 1.0)
    with pytest.raises(ValueError, match="one length"):
        series.extend(np.array([1]), np.zeros(2), np.ones(2))


def test_lttb_keeps_the_shape_the_ends_and_every_bad_point() -> None:
    x = np.arange(100_000, dtype=float)
    y = np.sin(x / 5_000)
    y[12_345] = 50.0  # a spike must survive
    y[77_777] = np.nan
    keep = lttb(x, y, 500)
    assert keep[0] == 0
    assert keep[-1] == len(x) - 1
    assert len(keep) <= 501
    assert 12_345 in keep
    assert 77_777 in keep
    assert np.all(np.diff(keep) > 0)


def test_a_million_point_series_is_drawn_from_two_thousand() -> None:
    series = Series()
    steps = np.arange(1_000_000)
    values = np.exp(-steps / 200_000) + 0.01 * np.sin(steps)
    values[654_321] = 9.0  # one divergent batch among a million
    series.extend(steps, np.zeros(len(steps)), values)
    keep = lttb(series.steps.astype(float), series.values, 2_000)
    assert len(keep) <= 2_001
    assert 654_321 in keep
    assert keep[0] == 0
    assert keep[-1] == 999_999


def test_event_files_round_trip(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    for step in range(1, 701):  # more than one write batch
        run.log(step, {"loss": 1 / step})
    run.log(700, {"loss": 0.5}, split="validation", kind="epoch")
    run.log(700, {"loss": 0.6}, kind="epoch")
    run.close()
    loaded = Run.load(tmp_path / "r")
    assert loaded.state == "finished"
    np.testing.assert_allclose(loaded.series[("train", "loss")].values, 1 / np.arange(1, 701))
    assert loaded.series[("validation", "loss")].values.tolist() == [0.5]
    assert loaded.epochs[("train", "loss")].values.tolist() == [pytest.approx(0.6)]


def test_a_live_run_is_listed_and_flushed_on_time(tmp_path: Path) -> None:
    from workbench.curves.events import read_scalars
    from workbench.curves.runs import list_runs
    from workbench.curves.store import FLUSH_EVERY

    run = Run("live", tmp_path)
    for step in range(1, 11):
        run.log(step, {"loss": 1 / step})
    # listed from its start, by its metadata: no event file yet
    assert [(s.name, s.state, s.steps) for s in list_runs(tmp_path)] == [("live", "running", 0)]
    assert run.flush_if_due()  # the first update flushes, so readers see the run at once
    assert read_scalars(tmp_path / "live" / "train")["batch_loss"][0] == list(range(1, 11))
    run.log(11, {"loss": 0.01})
    assert not run.flush_if_due()  # then at most every FLUSH_EVERY seconds, never per point
    assert FLUSH_EVERY <= 5
    (summary,) = list_runs(tmp_path)
    assert (summary.state, summary.steps) == ("running", 10)  # quiet, but its writer is alive
    run.close()
    (summary,) = list_runs(tmp_path)
    assert (summary.state, summary.steps) == ("finished", 11)
    assert summary.last == {"loss": pytest.approx(0.01)}  # float32 in the event files


def test_epoch_points_are_at_epoch_indices_in_files_and_global_steps_read_back(
    tmp_path: Path,
) -> None:
    from workbench.curves.events import EventWriter, read_scalars

    run = Run("ours", tmp_path)
    for epoch in range(2):
        for batch in range(5):
            run.log(epoch * 5 + batch + 1, {"loss": 1.0})
        run.log(5 * (epoch + 1), {"loss": 0.5}, kind="epoch", epoch=epoch)
        run.log(5 * (epoch + 1), {"loss": 0.7}, split="validation", kind="epoch", epoch=epoch)
    run.close()
    assert read_scalars(tmp_path / "ours" / "validation")["epoch_loss"][0] == [0, 1]
    loaded = Run.load(tmp_path / "ours")
    assert loaded.series[("validation", "loss")].steps.tolist() == [5, 10]
    assert loaded.epochs[("train", "loss")].steps.tolist() == [5, 10]
    # Keras' TensorBoard(update_freq="epoch"): no batch points; its evaluation_*_vs_iterations
    # points (step = optimizer iterations, written before each epoch's summaries) place epochs
    train, validation = (
        EventWriter(tmp_path / "k" / "train"),
        EventWriter(tmp_path / "k" / "validation"),
    )
    validation.write([("evaluation_loss_vs_iterations", 7, 100.0, 0.7)])
    train.write([("epoch_loss", 0, 100.5, 0.5)])
    validation.write(
        [("epoch_loss", 0, 100.5, 0.7), ("evaluation_loss_vs_iterations", 14, 200.0, 0.6)]
    )
    train.write([("epoch_loss", 1, 200.5, 0.4)])
    validation.write([("epoch_loss", 1, 200.5, 0.6)])
    train.close()
    validation.close()
    keras_run = Run.load(tmp_path / "k")
    assert keras_run.series[("train", "loss")].steps.tolist() == [7, 14]
    assert keras_run.series[("validation", "loss")].steps.tolist() == [7, 14]


def test_bad_input_is_explained(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file"):
        Run("r", afile)
    run = Run("r", None)
    with pytest.raises(TypeError, match="Expected metric 'loss' to be a number"):
        run.log(1, {"loss": "high"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="Expected split"):
        run.log(1, {"loss": 1.0}, split="test")


def test_the_store_does_not_import_tensorflow() -> None:
    out = run_python(
        "import sys\n"
        "from workbench.curves.store import Run\n"
        "run = Run('r', None)\n"
        "run.log(1, {'loss': 1.0})\n"
        "print('tensorflow' in sys.modules)"
    )
    assert out.strip() == "False"
