"""The checkpoint folder without TensorFlow: ours or not, complete or not, damaged or not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.checkpoints import store
from workbench.checkpoints.callback import parse_every
from workbench.checkpoints.errors import CheckpointError


def _save(directory: Path, step: int, payload: bytes = b"x" * 1000) -> Path:
    with store.writing(directory, step) as folder:
        (folder / "state.index").write_bytes(b"index")
        (folder / "state.data-00000-of-00001").write_bytes(payload)
        store.seal(folder, {"step": step, "epoch": step // 10, "time": 1.0})
    return directory / f"ckpt-{step}"


def test_a_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CheckpointError, match=r"holds notes\.txt .*nothing was written"):
        store.open_folder(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    (tmp_path / "file").write_text("")
    with pytest.raises(CheckpointError, match="a file"):
        store.open_folder(tmp_path / "file")


def test_newest_good_checkpoint_first_and_damage_named(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path / "ckpts")
    for step in (10, 20, 30, 40):
        _save(directory, step)
    # 40 truncated, 30 corrupted (same size), 20 without its manifest: 10 is the good one
    data40 = directory / "ckpt-40" / "state.data-00000-of-00001"
    os.truncate(data40, 300)
    data30 = directory / "ckpt-30" / "state.data-00000-of-00001"
    data30.write_bytes(b"y" * 1000)
    (directory / "ckpt-20" / store.MANIFEST).unlink()
    said: list[str] = []
    found = list(store.good(directory, said.append))
    assert [s.step for s in found] == [10]
    assert found[0].epoch == 1
    assert found[0].size == 1005
    assert (
        "ckpt-40/state.data-00000-of-00001: truncated or overwritten (300 bytes, 1,000" in said[0]
    )
    assert "ckpt-30/state.data-00000-of-00001: corrupted" in said[1]
    assert "ckpt-20: incomplete, it has no manifest.json" in said[2]
    assert all("kept as ckpt-" in line and ".damaged" in line for line in said)
    # set aside, not deleted; a later save of the same step does not meet them
    assert (directory / "ckpt-40.damaged" / "state.index").exists()
    _save(directory, 40)
    assert [s.step for s in store.listing(directory)] == [40, 10]


def test_a_killed_save_leaves_no_checkpoint_and_is_cleaned_up(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    _save(directory, 1)
    # what a process killed mid-write leaves: a temporary folder of a pid that is gone
    stale = directory / ".tmp-ckpt-2-999999999"
    stale.mkdir()
    (stale / "state.data-00000-of-00001").write_bytes(b"half")
    assert [s.step for s in store.listing(directory)] == [1]
    with pytest.raises(RuntimeError, match="disk full"):
        _fail_mid_save(directory)
    assert not stale.exists()  # the next save cleared it
    assert sorted(p.name for p in directory.iterdir()) == ["ckpt-1", store.MARKER]


def _fail_mid_save(directory: Path) -> None:
    with store.writing(directory, 3) as folder:
        (folder / "state.index").write_bytes(b"i")
        raise RuntimeError("disk full")


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    for step in range(1, 6):
        _save(directory, step)
    store.prune(directory, 3)
    assert [s.step for s in store.listing(directory)] == [5, 4, 3]
    meta = json.loads((directory / "ckpt-5" / store.MANIFEST).read_text())
    assert set(meta["files"]) == {"state.index", "state.data-00000-of-00001"}


def test_every_accepts_epochs_steps_and_durations() -> None:
    assert parse_every("epoch") == ("epoch", 0.0)
    assert parse_every(100) == ("steps", 100.0)
    assert parse_every("10min") == ("seconds", 600.0)
    assert parse_every("30s") == ("seconds", 30.0)
    for bad in (0, -5, True, "often", "0s", 1.5):
        with pytest.raises(ValueError, match="Expected every to be 'epoch'"):
            parse_every(bad)
