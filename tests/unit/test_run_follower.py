"""A run followed while it is written (what the dashboard draws) ends up equal to the run read
whole by ``Run.load``, each point read once, past records cut off mid-write, damage and a run
trained again under its name."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from workbench.curves.follow import RunFollower
from workbench.curves.store import META, Run


def _assert_same(followed: Run, whole: Run) -> None:
    for kind in ("series", "epochs"):
        ours, theirs = getattr(followed, kind), getattr(whole, kind)
        assert sorted(ours) == sorted(theirs), kind
        for key, series in theirs.items():
            np.testing.assert_array_equal(ours[key].steps, series.steps, err_msg=str(key))
            np.testing.assert_array_equal(ours[key].values, series.values, err_msg=str(key))
    assert followed.state == whole.state
    assert followed.started == whole.started
    assert followed.ended == whole.ended


def _event_file(path: Path) -> Path:
    (found,) = (path / "train").glob("events.out.tfevents.*")
    return found


def test_each_poll_reads_only_the_new_points_and_the_end_equals_the_whole_run(
    tmp_path: Path,
) -> None:
    run = Run("live", tmp_path)
    follower = RunFollower(tmp_path / "live")
    assert follower.run.state == "running"
    got = []
    for block in range(5):
        for step in range(block * 100, (block + 1) * 100):
            run.log(step, {"loss": 1 / (step + 1), "accuracy": step / 500})
        run.flush()
        got.append(follower.poll())
        assert len(follower.run.series[("train", "loss")]) == (block + 1) * 100
    run.log(500, {"loss": float("nan"), "accuracy": float("inf")})
    run.close()
    got.append(follower.poll())
    assert got == [200] * 5 + [2]  # each point once, never the whole file again
    assert follower.poll() == 0
    assert follower.generation == 0
    assert follower.run.warnings == []
    _assert_same(follower.run, Run.load(tmp_path / "live"))
    assert follower.run.state == "finished"
    assert np.isnan(follower.run.series[("train", "loss")].values[-1])


def test_a_record_cut_off_mid_write_is_read_when_its_writer_finishes_it(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    for step in range(200):
        run.log(step, {"loss": 1 / (step + 1)})
    run.close()
    whole = _event_file(tmp_path / "r").read_bytes()
    meta = json.loads((tmp_path / "r" / META).read_text())
    (tmp_path / "r" / META).write_text(json.dumps({**meta, "state": "running", "pid": os.getpid()}))
    # Keep this process a live writer of the run for writer_alive (its pid), as a writer would be.
    from workbench.curves import store

    writer = Run("r", tmp_path, write=False)
    store._writing.add(writer)
    try:
        cut = len(whole) // 2 + 7
        _event_file(tmp_path / "r").write_bytes(whole[:cut])
        follower = RunFollower(tmp_path / "r")
        first = len(follower.run.series[("train", "loss")])
        assert 80 < first < 120
        assert follower.run.warnings == []  # a live writer's last record: not damage
        with _event_file(tmp_path / "r").open("ab") as file:
            file.write(whole[cut:])
        assert follower.poll() == 200 - first
    finally:
        store._writing.discard(writer)
    (tmp_path / "r" / META).write_text(json.dumps(meta))
    follower.poll()
    _assert_same(follower.run, Run.load(tmp_path / "r"))
    assert follower.run.warnings == []


def test_damage_in_new_bytes_is_said_once_and_the_rest_is_read(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    for step in range(100):
        run.log(step, {"loss": 1.0})
    run.flush()
    follower = RunFollower(tmp_path / "r")
    size = _event_file(tmp_path / "r").stat().st_size
    for step in range(100, 300):
        run.log(step, {"loss": 2.0})
    run.close()
    data = bytearray(_event_file(tmp_path / "r").read_bytes())
    data[size + 500 : size + 540] = os.urandom(40)
    _event_file(tmp_path / "r").write_bytes(bytes(data))
    follower.poll()
    follower.poll()
    (warning,) = follower.run.warnings
    assert warning.startswith(f"train/{_event_file(tmp_path / 'r').name}: ")
    found = re.search(r": (\d+) damaged bytes at byte (\d+) skipped", warning)
    assert found, warning
    damaged, at = int(found[1]), int(found[2])
    assert 40 <= damaged < 200  # the records the bytes hit
    assert size + 400 < at <= size + 500  # counted from the file's start, not the poll's
    steps = follower.run.series[("train", "loss")].steps
    assert 290 < len(steps) < 300
    assert steps[-1] == 299
    _assert_same(follower.run, Run.load(tmp_path / "r"))


def test_a_run_trained_again_under_its_name_restarts_the_store(tmp_path: Path) -> None:
    first = Run("r", tmp_path)
    for step in range(50):
        first.log(step, {"loss": 1.0})
    first.close()
    follower = RunFollower(tmp_path / "r")
    again = Run("r", tmp_path)  # a new file from step 0, as a second fit with the same name
    for step in range(30):
        again.log(step, {"loss": 2.0})
    again.close()
    follower.poll()
    assert follower.generation == 1
    _assert_same(follower.run, Run.load(tmp_path / "r"))
    assert follower.run.series[("train", "loss")].values.tolist() == [2.0] * 30


def test_an_emptied_file_restarts_the_store(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    for step in range(50):
        run.log(step, {"loss": 1.0})
    run.close()
    follower = RunFollower(tmp_path / "r")
    _event_file(tmp_path / "r").write_bytes(b"")
    follower.poll()
    assert follower.generation == 1
    assert ("train", "loss") not in follower.run.series


@pytest.mark.slow
def test_keras_runs_followed_epoch_by_epoch_equal_the_runs_read_whole(tmp_path: Path) -> None:
    import keras
    from sklearn.datasets import load_digits

    import workbench

    digits = load_digits()
    x, y = digits.data[:640].astype("float32") / 16, digits.target[:640]
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile("adam", loss, metrics=["accuracy"])
    followers: dict[str, RunFollower] = {}

    class Follow(keras.callbacks.Callback):
        """Polls after every epoch, as a dashboard does while the fit goes on."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def on_epoch_end(self, epoch: int, logs: object = None) -> None:
            folder = tmp_path / self.name
            if self.name not in followers and folder.is_dir():
                followers[self.name] = RunFollower(folder)
            elif self.name in followers:
                followers[self.name].poll()

    fit = {"x": x, "y": y, "epochs": 4, "batch_size": 64, "validation_split": 0.25, "verbose": 0}
    live = workbench.LiveCurves(logdir=tmp_path, run="ours", display=False)
    model.fit(**fit, callbacks=[live, Follow("ours")])
    board = keras.callbacks.TensorBoard(str(tmp_path / "keras"), update_freq="epoch")
    model.fit(**fit, callbacks=[board, Follow("keras")])
    for name, follower in followers.items():
        follower.poll()
        whole = Run.load(tmp_path / name)
        assert whole.series, name
        _assert_same(follower.run, whole)
        assert follower.generation == 0, name
    assert ("validation", "loss") in followers["ours"].run.series
    assert ("train", "loss") in followers["ours"].run.epochs  # per-epoch beside per-batch
