"""Damaged runs on disk: what is lost is said (which file, where, how much), everything else is
read, and one damaged run never hides the others of its logdir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.curves.runs import kernel_runs, list_runs
from workbench.curves.store import Run

STEPS = 2_000


def _write(logdir: Path, name: str = "r", steps: int = STEPS) -> Path:
    run = Run(name, logdir)
    for step in range(1, steps + 1):
        run.log(step, {"loss": 1 / step})
    run.close()
    (event_file,) = (logdir / name / "train").glob("events.out.tfevents.*")
    return event_file


def _steps(run: Run) -> list[int]:
    return run.series[("train", "loss")].steps.tolist()


def test_bytes_damaged_in_the_middle_are_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    event_file = _write(tmp_path)
    data = bytearray(event_file.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = os.urandom(64)
    event_file.write_bytes(bytes(data))

    run = Run.load(tmp_path / "r")
    steps = _steps(run)
    # what TensorBoard's reader returned: 602 points; here only the few records the bytes hit
    assert STEPS - 5 <= len(steps) < STEPS
    assert steps[-1] == STEPS
    (warning,) = run.warnings
    assert warning.startswith(f"train/{event_file.name}: ")
    assert "damaged bytes at byte" in warning
    assert "the records after them were read" in warning
    (summary,) = list_runs(tmp_path)
    assert summary.warnings == (warning,)
    assert summary.state == "finished"


def test_a_file_cut_in_half_says_its_last_record_is_cut(tmp_path: Path) -> None:
    event_file = _write(tmp_path)
    data = event_file.read_bytes()
    event_file.write_bytes(data[: len(data) // 2 + 5])
    run = Run.load(tmp_path / "r")
    assert 900 < len(_steps(run)) < 1_100
    (warning,) = run.warnings
    assert "the last record is cut off" in warning


def test_an_empty_or_garbage_file_is_named(tmp_path: Path) -> None:
    event_file = _write(tmp_path, steps=10)
    event_file.write_bytes(b"")
    run = Run.load(tmp_path / "r")
    assert run.series == {}
    assert run.warnings == [
        f"train/{event_file.name}: empty (its writer wrote nothing, or it was emptied)"
    ]

    event_file.write_bytes(b"\x00" * 7 + b"not an event file at all" * 10)
    (warning,) = Run.load(tmp_path / "r").warnings
    assert warning.startswith(f"train/{event_file.name}: 247 damaged bytes at byte 0")


def test_a_live_run_being_written_is_not_damaged(tmp_path: Path) -> None:
    run = Run("live", tmp_path)
    run.log(1, {"loss": 1.0})
    run.flush()
    (event_file,) = (tmp_path / "live" / "train").glob("events.out.tfevents.*")
    with event_file.open("ab") as out:
        out.write(b"\x10\x00\x00")  # a record the writer has only begun
    assert Run.load(tmp_path / "live").warnings == []
    run.close()


@pytest.mark.parametrize("damage", ["folder", "fifo", "dangling", "random", "meta"])
def test_one_damaged_run_never_hides_the_others(tmp_path: Path, damage: str) -> None:
    _write(tmp_path, "good", steps=10)
    bad = _write(tmp_path, "bad", steps=10)
    if damage == "folder":  # what broke every fit in its logdir with the panel open
        bad.unlink()
        bad.mkdir()
    elif damage == "fifo":  # would block a reader forever
        bad.unlink()
        os.mkfifo(bad)
    elif damage == "dangling":
        bad.unlink()
        bad.symlink_to(tmp_path / "gone")
    elif damage == "random":
        bad.write_bytes(os.urandom(4_000))
    else:
        (tmp_path / "bad" / "workbench_run.json").write_bytes(b"\xff{")
    summaries = {s.name: s for s in list_runs(tmp_path)}
    assert set(summaries) == {"good", "bad"}
    assert (summaries["good"].steps, summaries["good"].warnings) == (10, ())
    assert summaries["bad"].warnings, summaries["bad"]
    assert all(
        w.startswith(("train/events.out", "workbench_run.json")) for w in summaries["bad"].warnings
    )
    # and what the side panel lists
    listed = {s.name: s for s in kernel_runs([tmp_path]) if s.logdir == tmp_path}
    assert listed["bad"].warnings == summaries["bad"].warnings


def test_the_runs_table_names_what_it_could_not_read(tmp_path: Path) -> None:
    import workbench

    _write(tmp_path, "good", steps=10)
    bad = _write(tmp_path, "bad", steps=10)
    bad.unlink()
    bad.mkdir()
    table = workbench.runs(tmp_path)
    assert set(table.names()) == {"good", "bad"}
    text = repr(table)
    assert f"! bad: train/{bad.name}: a folder, skipped" in text
    assert f"train/{bad.name}: a folder, skipped" in table._repr_html_()
