"""The run store without widgets: series, downsampling, event files, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_python
from workbench.curves.downsample import lttb, minmax
from workbench.curves.series import Series
from workbench.curves.store import Run


def test_series_grows_and_hands_out_new_points() -> None:
    series = Series()
    for step in range(1000):
        series.append(step, float(step), step * 0.5)
    assert len(series) == 1000
    steps, values = series.since(998)
    assert steps.tolist() == [998, 999]
    assert values.tolist() == [499.0, 499.5]
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
    assert len(minmax(x, y, 100)) <= 2 * 100 + 2 + 1


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


def test_a_corrupt_event_file_is_named(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    run.log(1, {"loss": 1.0})
    run.close()
    (event_file,) = (tmp_path / "r" / "train").glob("events.out.tfevents.*")
    event_file.write_bytes(b"\x00" * 7 + b"not an event file at all" * 10)
    with pytest.raises(ValueError, match=event_file.name):
        Run.load(tmp_path / "r")


def test_the_store_does_not_import_tensorflow() -> None:
    out = run_python(
        "import sys\n"
        "from workbench.curves.store import Run\n"
        "run = Run('r', None)\n"
        "run.log(1, {'loss': 1.0})\n"
        "print('tensorflow' in sys.modules)"
    )
    assert out.strip() == "False"
