"""The run store's promises: points land in the right series in memory, NaN and both infinities
are reported once per series, the run's metadata says who writes it and how it ended, and a run
read back from disk has its state, times and epoch steps right."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tensorflow as tf
from tensorboard.compat.proto import event_pb2

from tests.conftest import run_python
from workbench.curves.store import META, WRITE_EVERY, BadValue, Run, writer_alive


def test_points_land_in_memory_where_they_belong() -> None:
    run = Run("mem")
    run.log(1, {"loss": 0.5, "acc": 0.25}, wall_time=100.0)
    before = time.time()
    run.log(2, {"loss": 0.4})
    run.log(2, {"loss": 0.45}, split="validation", kind="epoch", epoch=0, wall_time=101.0)
    run.log(2, {"loss": 0.42}, kind="epoch", epoch=0, wall_time=101.0)
    loss = run.series[("train", "loss")]
    assert loss.steps.tolist() == [1, 2]
    assert loss.values.tolist() == [0.5, 0.4]
    assert loss.wall_times[0] == 100.0
    assert before <= loss.wall_times[1] <= time.time()
    assert run.series[("train", "acc")].values.tolist() == [0.25]
    # validation per-epoch points are the validation curve; training per-epoch points apart
    assert run.series[("validation", "loss")].values.tolist() == [0.45]
    assert run.epochs[("train", "loss")].values.tolist() == [0.42]
    assert list(run.epochs) == [("train", "loss")]
    assert run.groups() == {
        "loss": [("train", "loss"), ("validation", "loss")],
        "acc": [("train", "acc")],
    }


def test_groups_put_training_before_validation_whatever_came_first() -> None:
    run = Run("order")
    run.log(1, {"loss": 1.0}, split="validation", kind="epoch")
    run.log(1, {"loss": 1.0})
    assert run.groups() == {"loss": [("train", "loss"), ("validation", "loss")]}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_both_infinities_are_reported_once_per_series(bad: float) -> None:
    run = Run("bad")
    assert run.log(1, {"loss": 1.0}) == []
    (first,) = run.log(2, {"loss": bad, "acc": 0.5})
    assert (first.metric, first.split, first.step) == ("loss", "train", 2)
    assert str(first.value) == str(bad)
    assert run.log(3, {"loss": bad}) == []  # once per series
    assert run.log(3, {"loss": bad}, split="validation") == [
        BadValue("loss", "validation", 3, first.value)
    ]


def test_epoch_points_go_to_files_at_their_epoch_and_batch_points_at_their_step(
    tmp_path: Path,
) -> None:
    from workbench.curves.events import read_scalars

    run = Run("steps", tmp_path)
    run.log(10, {"loss": 1.0}, epoch=3)  # a batch point: its step, whatever the epoch
    run.log(10, {"loss": 0.5}, kind="epoch", epoch=3)
    run.log(20, {"loss": 0.4}, kind="epoch")  # no epoch given: the step
    run.close()
    scalars = read_scalars(tmp_path / "steps" / "train")
    assert scalars["batch_loss"][0] == [10]
    assert scalars["epoch_loss"][0] == [3, 20]


def test_points_go_to_disk_once_a_write_batch_is_full(tmp_path: Path) -> None:
    run = Run("batches", tmp_path)
    for step in range(WRITE_EVERY - 1):
        run.log(step, {"loss": 1.0})
    assert not (tmp_path / "batches" / "train").exists()
    run.log(WRITE_EVERY, {"loss": 1.0})
    assert (tmp_path / "batches" / "train").is_dir()  # the batch was written, not flushed yet
    run.close()


def test_names_and_logdirs_that_cannot_be_folders_are_refused(tmp_path: Path) -> None:
    for name in ["", "a/b", ".", ".."]:
        expected = f"Expected a run name usable as a folder name. Received: {name!r}"
        with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
            Run(name)
    Run("a.b")  # dots inside a name are fine
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(NotADirectoryError) as not_dir:
        Run("r", afile)
    assert str(not_dir.value) == (
        f"Expected logdir to be a folder. Received: {str(afile)!r}, which is a file."
    )


def test_the_metadata_says_who_writes_the_run_and_how_it_ended(tmp_path: Path) -> None:
    before = time.time()
    run = Run("meta", tmp_path / "deep" / "logdir")  # missing parents are made
    meta = json.loads((tmp_path / "deep" / "logdir" / "meta" / META).read_text())
    assert meta["name"] == "meta"
    assert meta["state"] == "running"
    assert before <= meta["started"] <= time.time()
    assert meta["ended"] is None
    assert run.ended is None
    assert (meta["pid"], meta["host"]) == (os.getpid(), socket.gethostname())
    expected = (
        "Expected state to be one of ['finished', 'interrupted', 'failed']. Received: 'running'"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        run.close("running")
    run.close("failed")
    run.close("finished")  # idempotent: the first ending stands
    meta = json.loads((tmp_path / "deep" / "logdir" / "meta" / META).read_text())
    assert (meta["state"], run.state) == ("failed", "failed")
    assert meta["started"] <= meta["ended"] <= time.time()
    loaded = Run.load(tmp_path / "deep" / "logdir" / "meta")
    assert (loaded.state, loaded.started, loaded.ended) == (
        "failed",
        meta["started"],
        meta["ended"],
    )


def _write_meta(path: Path, **meta: object) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / META).write_text(json.dumps(meta))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_loaded_run_says_whether_its_writer_is_still_there(tmp_path: Path) -> None:
    host = socket.gethostname()
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    _write_meta(tmp_path / "dead", state="running", pid=_dead_pid(), host=host)
    _write_meta(tmp_path / "alive", state="running", pid=writer.pid, host=host)
    _write_meta(tmp_path / "odd", state="exploded", started=5, ended=6)
    assert Run.load(tmp_path / "dead").state == "interrupted"
    try:
        assert Run.load(tmp_path / "alive").state == "running"
        assert writer.poll() is None  # only asked whether it exists: no signal sent
    finally:
        writer.kill()
        writer.wait()
    odd = Run.load(tmp_path / "odd")
    assert (odd.state, odd.started, odd.ended) == ("finished", 5.0, 6.0)
    # this process: running only while one of its own runs writes there
    live = Run("mine", tmp_path)
    assert writer_alive({"pid": os.getpid(), "host": host}, tmp_path / "mine")
    assert not writer_alive({"pid": os.getpid(), "host": host}, tmp_path / "dead")
    live.close()
    assert not writer_alive({"pid": os.getpid(), "host": host}, tmp_path / "mine")


def test_a_run_of_another_machine_is_alive_while_its_files_are_fresh(tmp_path: Path) -> None:
    run = Run("remote", tmp_path)
    run.log(1, {"loss": 1.0})
    run.close()
    path = tmp_path / "remote"
    elsewhere = {"pid": 12345, "host": "another-machine"}
    assert writer_alive(elsewhere, path)  # just written
    assert writer_alive({"host": socket.gethostname()}, path)  # no pid: the same rule
    for file in path.rglob("events.out.tfevents.*"):
        os.utime(file, (time.time() - 120, time.time() - 120))
    assert not writer_alive(elsewhere, path)
    (tmp_path / "none").mkdir()
    assert not writer_alive(elsewhere, tmp_path / "none")  # no event files at all
    for file in path.rglob("events.out.tfevents.*"):
        os.utime(file, (time.time() - 60.2, time.time() - 60.2))
    assert not writer_alive(elsewhere, path)  # quiet for a minute: gone


def test_a_writer_of_another_user_is_alive() -> None:
    # signal 0 to a process we may not signal raises PermissionError: it exists all the same
    code = (
        "import os, socket\n"
        "from pathlib import Path\n"
        "from workbench.curves.store import writer_alive\n"
        "host = {'pid': 1, 'host': socket.gethostname()}\n"
        "writer_alive(host, Path('/nonexistent'))  # whatever it imports on a first call\n"
        "os.setuid(65534)  # nobody, who may not signal pid 1 (nor read most files)\n"
        "print(writer_alive(host, Path('/nonexistent')))\n"
    )
    if os.geteuid() != 0:
        pytest.skip("needs root to become another user")
    # the same question in this process, of a process that is gone
    assert not writer_alive({"pid": _dead_pid(), "host": socket.gethostname()}, Path("/none"))
    assert run_python(code).strip() == "True"


def test_a_run_without_metadata_takes_its_times_from_its_points(tmp_path: Path) -> None:
    run = Run("bare", tmp_path)
    run.log(1, {"loss": 1.0}, wall_time=1000.0)
    run.log(2, {"loss": 0.5}, wall_time=1010.0)
    run.close()
    (tmp_path / "bare" / META).unlink()
    loaded = Run.load(tmp_path / "bare")
    assert (loaded.state, loaded.started, loaded.ended) == ("finished", 1000.0, 1010.0)
    assert loaded.warnings == []
    (tmp_path / "bare" / META).write_text("[1, 2]")  # JSON, but not an object
    listed = Run.load(tmp_path / "bare")
    assert listed.warnings == [f"{META}: unreadable, so the run's state and times are guessed"]
    assert (listed.started, listed.ended) == (1000.0, 1010.0)


def test_loading_a_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as error:
        Run.load(tmp_path / "nope")
    assert str(error.value) == f"Expected a run folder. Received: {str(tmp_path / 'nope')!r}"


def _events(path: Path, points: list[tuple[str, int, float, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for tag, step, wall, value in points:
            event = event_pb2.Event(step=step, wall_time=wall)
            event.summary.value.add(tag=tag, simple_value=value)
            writer.write(event.SerializeToString())


def test_epoch_steps_come_from_the_longest_batch_series_in_time_order(tmp_path: Path) -> None:
    train = tmp_path / "run" / "train"
    # two files whose name order is not their time order (a clock set back between them)
    _events(
        train / "events.out.tfevents.1.b",
        [("batch_loss", s, 100.0 + s, 1.0) for s in range(1, 6)],
    )
    _events(
        train / "events.out.tfevents.0.a",
        [("batch_loss", s, 200.0 + s, 1.0) for s in range(6, 11)]
        # a sparser batch series: epochs must not be placed by it
        + [("batch_lr", 7, 207.0, 0.1), ("batch_lr", 10, 210.0, 0.1)]
        + [("epoch_loss", 0, 103.5, 0.5), ("epoch_loss", 1, 208.5, 0.4)]
        # an epoch point before any batch stays at its epoch index
        + [("epoch_acc", 0, 50.0, 0.9)],
    )
    run = Run.load(tmp_path / "run")
    assert run.epochs[("train", "loss")].steps.tolist() == [3, 8]
    # a training epoch metric without batch points is that metric's curve
    assert run.series[("train", "acc")].steps.tolist() == [0]


def test_epochs_without_any_batch_or_evaluation_points_keep_their_indices(tmp_path: Path) -> None:
    _events(
        tmp_path / "run" / "train" / "events.out.tfevents.0.x",
        [("epoch_loss", 0, 100.0, 0.5), ("epoch_loss", 1, 200.0, 0.4)],
    )
    _events(
        tmp_path / "run" / "validation" / "events.out.tfevents.0.x",
        # not Keras' evaluation_<metric>_vs_iterations: no reference for steps
        [("evaluation_loss", 7, 99.0, 0.7), ("loss_vs_iterations", 14, 199.0, 0.6)],
    )
    run = Run.load(tmp_path / "run")
    assert run.series[("train", "loss")].steps.tolist() == [0, 1]


def test_keras_epoch_steps_come_from_the_longest_evaluation_series(tmp_path: Path) -> None:
    _events(
        tmp_path / "run" / "validation" / "events.out.tfevents.0.x",
        # a shorter evaluation series first, whose steps sort above the longer one's
        [
            ("evaluation_acc_vs_iterations", 20, 150.0, 0.9),
            ("evaluation_loss_vs_iterations", 7, 99.0, 0.7),
            ("evaluation_loss_vs_iterations", 14, 199.0, 0.6),
        ],
    )
    _events(
        tmp_path / "run" / "train" / "events.out.tfevents.0.x",
        [("epoch_loss", 0, 100.5, 0.5), ("epoch_loss", 1, 200.5, 0.4)],
    )
    run = Run.load(tmp_path / "run")
    assert run.series[("train", "loss")].steps.tolist() == [7, 14]
