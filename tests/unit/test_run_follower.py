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
    assert followed.path == whole.path


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


def test_epochs_read_in_a_later_poll_land_on_the_step_their_epoch_ended(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    follower = RunFollower(tmp_path / "r")
    for epoch in range(3):
        for step in range(epoch * 10, epoch * 10 + 10):
            run.log(step, {"loss": 1 / (step + 1)}, wall_time=1000.0 + step)
        run.flush()
        follower.poll()  # the batches first, then (next poll) the epoch's summaries alone
        end, wall = epoch * 10 + 9, 1000.0 + epoch * 10 + 9.5
        run.log(end, {"loss": 0.5 - epoch / 10}, kind="epoch", epoch=epoch, wall_time=wall)
        validation = {"split": "validation", "kind": "epoch", "epoch": epoch, "wall_time": wall}
        run.log(end, {"loss": 0.6 - epoch / 10}, **validation)  # type: ignore[arg-type]
        run.flush()
        assert follower.poll() == 2
    run.close()
    follower.poll()
    assert follower.run.epochs[("train", "loss")].steps.tolist() == [9, 19, 29]
    assert follower.run.epochs[("train", "loss")].values.tolist() == pytest.approx([0.5, 0.4, 0.3])
    assert len(follower.run.series[("train", "loss")]) == 30  # epochs kept apart from batches
    assert follower.run.series[("validation", "loss")].steps.tolist() == [9, 19, 29]
    _assert_same(follower.run, Run.load(tmp_path / "r"))


def _events(folder: Path, points: list[tuple[str, int, float, float]]) -> None:
    from workbench.curves.events import EventWriter

    writer = EventWriter(folder)
    writer.write(points)
    writer.close()


def test_keras_epoch_only_runs_use_the_evaluation_steps(tmp_path: Path) -> None:
    """Keras' ``update_freq="epoch"``: no per-batch points; ``evaluation_*_vs_iterations``
    points say the step each epoch ended on."""
    path = tmp_path / "keras"
    # a summary of the user's own comes first: it is no reference for the epochs' steps
    _events(path / "train", [("learning_rate", 0, 1.0, 0.1), ("epoch_loss", 0, 10.0, 0.9)])
    _events(path / "validation", [("evaluation_loss_vs_iterations", 50, 9.5, 0.8)])
    follower = RunFollower(path)
    _events(path / "train", [("epoch_loss", 1, 20.0, 0.7)])
    _events(path / "validation", [("evaluation_loss_vs_iterations", 100, 19.5, 0.6)])
    follower.poll()
    _events(path / "train", [("epoch_loss", 2, 30.0, 0.5)])
    follower.poll()  # an epoch summary read before its evaluation point keeps its index
    loss = follower.run.series[("train", "loss")]
    assert loss.steps.tolist() == [50, 100, 100]
    evaluation = follower.run.series[("validation", "evaluation_loss_vs_iterations")]
    assert evaluation.steps.tolist() == [50, 100]
    assert follower.run.warnings == []


def test_a_run_without_its_meta_file_takes_its_times_from_its_points(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    for step in range(5):
        run.log(step, {"loss": 1.0}, wall_time=100.0 + step)
    run.close()
    (tmp_path / "r" / META).unlink()
    follower = RunFollower(tmp_path / "r")
    assert (follower.run.started, follower.run.ended) == (100.0, 104.0)
    run = Run.resume(tmp_path / "r")
    run.log(5, {"loss": 1.0}, wall_time=110.0)
    run.close()
    (tmp_path / "r" / META).unlink()
    follower.poll()
    assert (follower.run.started, follower.run.ended) == (100.0, 110.0)
    assert follower.run.state == "finished"


@pytest.mark.parametrize(
    ("meta", "state"),
    [
        ({"state": "exploded"}, "finished"),
        ({"name": "r"}, "finished"),
        ({"state": "running", "pid": 2**22 + 12345, "host": "here"}, "interrupted"),
    ],
)
def test_the_state_in_the_meta_file_is_read_as_load_reads_it(
    tmp_path: Path, meta: dict, state: str
) -> None:
    import socket

    run = Run("r", tmp_path)
    run.log(0, {"loss": 1.0})
    run.close()
    meta = {**meta, "host": socket.gethostname()} if "host" in meta else meta
    (tmp_path / "r" / META).write_text(json.dumps(meta))
    follower = RunFollower(tmp_path / "r")
    assert follower.run.state == state == Run.load(tmp_path / "r").state
    assert json.loads((tmp_path / "r" / META).read_text()) == meta  # a reader writes nothing


def test_an_unreadable_meta_file_is_said_once(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    run.log(0, {"loss": 1.0})
    run.close()
    (tmp_path / "r" / META).write_text("{not json")
    follower = RunFollower(tmp_path / "r")
    follower.poll()
    follower.poll()
    assert follower.run.warnings == [
        f"{META}: unreadable, so the run's state and times are guessed"
    ]


def test_a_run_with_only_validation_points_is_read(tmp_path: Path) -> None:
    _events(tmp_path / "r" / "validation", [("epoch_loss", 0, 1.0, 0.5)])
    follower = RunFollower(tmp_path / "r")
    assert follower.run.series[("validation", "loss")].values.tolist() == [0.5]


def test_what_is_not_an_event_file_is_named_and_skipped(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    run.log(0, {"loss": 1.0})
    run.close()
    (tmp_path / "r" / "train" / "events.out.tfevents.0.dir").mkdir()
    os.mkfifo(tmp_path / "r" / "train" / "events.out.tfevents.1.fifo")
    follower = RunFollower(tmp_path / "r")
    follower.poll()
    assert follower.run.warnings == [
        "train/events.out.tfevents.0.dir: a folder, skipped",
        "train/events.out.tfevents.1.fifo: not a regular file, skipped",
    ]
    assert follower.run.series[("train", "loss")].values.tolist() == [1.0]


def _raw_records(path: Path, payloads: list[bytes]) -> None:
    import struct

    from workbench.curves.records import masked_crc

    with path.open("ab") as file:
        for payload in payloads:
            header = struct.pack("<Q", len(payload))
            file.write(header + struct.pack("<I", masked_crc(header)))
            file.write(payload + struct.pack("<I", masked_crc(payload)))


def test_values_that_are_not_scalars_and_records_that_are_not_events(tmp_path: Path) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2

    run = Run("r", tmp_path)
    run.log(0, {"loss": 1.0})
    run.close()
    follower = RunFollower(tmp_path / "r")
    shape = tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=3)])
    tensor = tensor_pb2.TensorProto(dtype=1, tensor_shape=shape, float_val=[1.0, 2.0, 3.0])
    histogram = summary_pb2.Summary.Value(tag="weights", tensor=tensor)
    image = summary_pb2.Summary.Value(tag="image", tensor=tensor)  # a tag of tensors only
    summary = summary_pb2.Summary(value=[histogram, image])
    event = event_pb2.Event(step=1, wall_time=1.0, summary=summary)
    scalar = event_pb2.Event(
        step=0, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="weights")])
    )
    scalar.summary.value[0].simple_value = 0.5
    records = [scalar.SerializeToString(), event.SerializeToString(), b"\xff\xff not an event"]
    _raw_records(_event_file(tmp_path / "r"), records)
    assert follower.poll() == 0
    # a tag that holds tensors is not a curve, even where one of its values is a number
    assert sorted(follower.run.series) == [("train", "loss")]
    name = _event_file(tmp_path / "r").name
    assert follower.run.warnings == [f"train/{name}: 1 records are not events, skipped"]


def test_a_second_file_starting_again_at_open_is_said_with_its_name(tmp_path: Path) -> None:
    for values in ([1.0] * 50, [2.0] * 30):
        run = Run("r", tmp_path)
        for step, value in enumerate(values):
            run.log(step, {"loss": value})
        run.close()
    follower = RunFollower(tmp_path / "r")
    second = sorted((tmp_path / "r" / "train").glob("events.out.tfevents.*"))[1].name
    (warning,) = follower.run.warnings
    assert warning.startswith(f"train/{second}: starts again at step 0 after earlier files ")
    assert follower.run.warnings == Run.load(tmp_path / "r").warnings
    assert follower.run.series[("train", "loss")].values.tolist() == [2.0] * 30


@pytest.mark.parametrize(
    ("steps", "restarts"), [([49, 50], True), ([30, 80], True), ([50, 51], False)]
)
def test_a_new_file_restarts_the_store_when_it_starts_at_a_step_already_read(
    tmp_path: Path, steps: list[int], restarts: bool
) -> None:
    first = Run("r", tmp_path)
    for step in range(50):
        first.log(step, {"loss": 1.0})
    first.close()
    follower = RunFollower(tmp_path / "r")
    again = Run("r", tmp_path)
    for step in steps:
        again.log(step, {"loss": 2.0})
    again.close()
    follower.poll()
    assert follower.generation == int(restarts)
    _assert_same(follower.run, Run.load(tmp_path / "r"))


def test_each_restart_counts_a_generation(tmp_path: Path) -> None:
    run = Run("r", tmp_path)
    run.log(0, {"loss": 1.0})
    run.close()
    follower = RunFollower(tmp_path / "r")
    for _ in range(2):  # trained again twice under its name
        again = Run("r", tmp_path)
        again.log(0, {"loss": 2.0})
        again.close()
        follower.poll()
    assert follower.generation == 2


def test_a_missing_folder_is_named() -> None:
    with pytest.raises(
        FileNotFoundError, match=r"^Expected a run folder\. Received: '/nowhere/r'$"
    ):
        RunFollower("/nowhere/r")


def test_a_file_that_cannot_be_read_is_named_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(As root no file mode makes a read fail: the reader is made to fail as a denied one.)"""
    import errno

    from workbench.curves import follow

    run = Run("r", tmp_path)
    run.log(0, {"loss": 1.0})
    run.close()

    def denied(path: Path, offset: int = 0) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(follow, "read_records", denied)
    follower = RunFollower(tmp_path / "r")
    name = _event_file(tmp_path / "r").name
    assert follower.run.warnings == [f"train/{name}: cannot be read (Permission denied), skipped"]
    assert follower.run.series == {}


@pytest.mark.parametrize(
    ("points", "restarts"),
    [
        # an epoch's summary is at its epoch index, not a step: it never restarts the store
        ([("epoch_count", 0), ("batch_loss", 10), ("batch_epoch_count", 10)], False),
        # whichever tag a new file starts with, a batch point at a step read already restarts it
        ([("epoch_loss", 0), ("batch_loss", 0)], True),
    ],
)
def test_epoch_summaries_in_a_new_file_are_not_steps(
    tmp_path: Path, points: list[tuple[str, int]], restarts: bool
) -> None:
    # a per-batch metric that is itself named epoch_count, beside the per-epoch "count"
    first = [("batch_loss", step, float(step), 1.0) for step in range(10)]
    first += [("batch_epoch_count", step, float(step), 1.0) for step in range(10)]
    _events(tmp_path / "r" / "train", first)
    follower = RunFollower(tmp_path / "r")
    _events(tmp_path / "r" / "train", [(tag, step, 100.0, 2.0) for tag, step in points])
    follower.poll()
    assert follower.generation == int(restarts)
