"""Listing runs: which folders are runs, newest first, this process's runs from memory and once
each, summaries reused while files are unchanged (but a dead writer noticed), and a run that
cannot be read listed with why."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.curves import registry
from workbench.curves.events import EventWriter
from workbench.curves.runs import kernel_runs, list_runs, summarize
from workbench.curves.store import META, Run


@pytest.fixture(autouse=True)
def _own_registry(fresh_registry: None) -> None:
    """Each test sees a registry of its own runs and listeners (it is process-wide)."""


def _finished(logdir: Path, name: str, started: float, steps: int = 3) -> Path:
    run = Run(name, logdir)
    run.started = started
    for step in range(1, steps + 1):
        run.log(step, {"loss": 1.0 / step, "acc": step / 10})
    run.log(steps, {"loss": 0.9}, split="validation", kind="epoch")
    run.close()
    return logdir / name


def test_runs_are_folders_with_metadata_or_event_folders_newest_first(tmp_path: Path) -> None:
    _finished(tmp_path, "old", started=1000.0)
    _finished(tmp_path, "new", started=2000.0)
    keras = EventWriter(tmp_path / "keras" / "validation")  # Keras' layout, no metadata
    keras.write([("epoch_loss", 0, 1500.0, 0.5)])
    keras.close()
    (tmp_path / "plain").mkdir()  # neither: not a run
    (tmp_path / "afile").write_text("x")
    (tmp_path / "notes" / "train.txt").parent.mkdir()
    (tmp_path / "notes" / "train.txt").write_text("x")
    listed = list_runs(tmp_path)
    assert [s.name for s in listed] == ["new", "keras", "old"]
    assert listed[1].started == 1500.0  # without metadata: its first point
    new = listed[0]
    assert (new.metrics, new.steps, new.started, new.state) == (
        ["acc", "loss"],
        3,
        2000.0,
        "finished",
    )
    assert new.last == pytest.approx({"loss": 1 / 3, "acc": 0.3})  # training values only
    assert new.ended is not None
    assert new.ended >= new.started
    assert (new.path, new.logdir, new.warnings, new.problem) == (
        tmp_path / "new",
        tmp_path,
        (),
        None,
    )


def test_listing_a_missing_logdir_names_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as error:
        list_runs(tmp_path / "nope")
    assert str(error.value) == (
        f"Expected logdir to be a folder. Received: {str(tmp_path / 'nope')!r}"
    )


def test_a_summary_is_reused_while_the_files_are_unchanged(tmp_path: Path) -> None:
    path = _finished(tmp_path, "r", started=1000.0)
    first = summarize(path)
    assert summarize(path) is first
    run = Run("r", tmp_path)
    run.log(50, {"loss": 0.1})
    run.close()
    again = summarize(path)
    assert again is not first
    assert again.steps == 50


def test_a_cached_running_run_whose_writer_died_becomes_interrupted(tmp_path: Path) -> None:
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        path = tmp_path / "theirs"
        path.mkdir()
        meta = {"name": "theirs", "state": "running", "started": time.time(), "ended": None}
        (path / META).write_text(
            json.dumps({**meta, "pid": writer.pid, "host": socket.gethostname()})
        )
        assert summarize(path).state == "running"
        assert summarize(path).state == "running"  # from the cache, still alive
    finally:
        writer.kill()
        writer.wait()
    assert summarize(path).state == "interrupted"  # files unchanged, writer gone


def test_a_run_of_this_process_is_summarised_from_memory(tmp_path: Path) -> None:
    run = Run("live", tmp_path)
    registry.opened(run)
    run.log(7, {"loss": 0.5})  # not on disk yet
    summary = summarize(tmp_path / "live")
    assert (summary.steps, summary.last, summary.path, summary.state) == (
        7,
        {"loss": 0.5},
        tmp_path / "live",
        "running",
    )
    run.close()


def test_an_unreadable_run_is_listed_with_why_and_the_others_still_are(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _finished(tmp_path, "good", started=1000.0)
    bad = tmp_path / "bad"
    bad.mkdir()
    # a hand-edited start time no float can hold
    (bad / META).write_text('{"state": "finished", "started": 1' + "0" * 400 + "}")
    with caplog.at_level(logging.WARNING, logger="workbench.curves.runs"):
        in_order = list_runs(tmp_path)
    assert [s.name for s in in_order] == ["good", "bad"]  # no start time: last
    listed = {s.name: s for s in in_order}
    assert listed["good"].state == "finished"
    unreadable = listed["bad"]
    assert (unreadable.name, unreadable.path, unreadable.logdir) == ("bad", bad, tmp_path)
    assert (unreadable.metrics, unreadable.steps, unreadable.last) == ([], 0, {})
    assert (unreadable.started, unreadable.ended, unreadable.state) == (None, None, "unreadable")
    assert unreadable.problem == "OverflowError: int too large to convert to float"
    assert caplog.messages == [
        f"workbench: cannot read run {bad}: int too large to convert to float"
    ]


def test_the_kernels_runs_come_first_once_each_then_the_others_of_their_logdirs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    logdir, extra = tmp_path / "logs", tmp_path / "extra"
    _finished(logdir, "before", started=1000.0)  # a run an earlier kernel wrote
    _finished(extra, "elsewhere", started=1500.0)
    older, newer = Run("same", logdir), Run("same", logdir)
    memory = Run("in-memory")
    for run in (older, newer, memory):
        registry.opened(run)
    newer.log(4, {"loss": 0.5})
    older.log(9, {"loss": 0.25})
    not_a_folder = tmp_path / "afile"
    not_a_folder.write_text("x")
    with caplog.at_level(logging.WARNING, logger="workbench.curves.runs"):
        listed = kernel_runs([not_a_folder, extra])
    assert [(s.name, s.path) for s in listed] == [
        ("in-memory", Path("in-memory")),
        ("same", logdir / "same"),
        ("elsewhere", extra / "elsewhere"),
        ("before", logdir / "before"),
    ]
    assert listed[1].steps == 4  # the newest run of that folder
    assert len(caplog.messages) == 1
    assert caplog.messages[0].startswith(f"workbench: cannot list the runs of {not_a_folder}: ")
    assert isinstance(caplog.records[0].args[1], NotADirectoryError)  # type: ignore[index]
    for run in (older, newer, memory):
        run.close()


def test_a_keras_run_without_metadata_is_read_again_when_its_files_change(tmp_path: Path) -> None:
    writer = EventWriter(tmp_path / "keras" / "train")  # Keras' layout: no workbench_run.json
    writer.write([("batch_loss", 1, 100.0, 0.5)])
    writer.flush()
    assert summarize(tmp_path / "keras").steps == 1
    writer.write([("batch_loss", 2, 101.0, 0.25)])
    writer.close()
    assert summarize(tmp_path / "keras").steps == 2


def test_a_cached_running_run_of_another_machine_becomes_interrupted_when_quiet(
    tmp_path: Path,
) -> None:
    path = tmp_path / "remote"
    path.mkdir()
    meta = {"state": "running", "started": 1000.0, "pid": 4242, "host": "another-machine"}
    (path / META).write_text(json.dumps(meta))
    writer = EventWriter(path / "train")
    writer.write([("batch_loss", 1, 100.0, 0.5)])
    writer.close()
    assert summarize(path).state == "running"  # written just now
    quiet = time.time() - 120
    for file in (path / "train").iterdir():
        os.utime(file, (quiet, quiet))
    (path / META).write_text(json.dumps(meta))  # the same content: the cache key is the files'
    os.utime(path / META, (quiet, quiet))
    first = summarize(path)
    assert first.state == "interrupted"


def test_each_run_is_listed_once_however_its_folder_is_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = Run("first", "logs")  # a relative logdir, as the default "runs" is
    older, newer = Run("same", "logs"), Run("same", "logs")
    memory = Run("dup")  # memory only: not the folder "dup" of the working directory
    for run in (first, older, newer, memory):
        registry.opened(run)
    _finished(tmp_path, "dup", started=1000.0)
    _finished(tmp_path / "logs", "zlast", started=1000.0)
    (tmp_path / "alias").symlink_to(tmp_path / "logs")  # the logdir again, by another name
    listed = [(s.name, s.logdir) for s in kernel_runs([tmp_path, tmp_path / "alias"])]
    assert listed == [
        ("dup", None),
        ("same", Path("logs")),
        ("first", Path("logs")),
        ("dup", tmp_path),
        ("zlast", tmp_path / "alias"),  # found first through the alias, then not again
    ]
    for run in (first, older, newer, memory):
        run.close()


def test_a_cached_run_this_process_still_writes_stays_running(tmp_path: Path) -> None:
    run = Run("mine", tmp_path)  # written here, but not fed through the registry
    run.log(1, {"loss": 1.0})
    run.flush()
    assert summarize(tmp_path / "mine").state == "running"
    assert summarize(tmp_path / "mine").state == "running"  # from the cache: its writer is us
    run.close()
    assert summarize(tmp_path / "mine").state == "finished"
