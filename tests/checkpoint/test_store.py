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


def test_the_panels_summary_is_read_from_manifests_without_hashing(tmp_path: Path) -> None:
    assert store.summary(tmp_path / "none") is None
    directory = store.open_folder(tmp_path / "ckpts")
    assert store.summary(directory) is None
    for step in (10, 20, 30):
        _save(directory, step)
    (directory / "ckpt-30" / store.MANIFEST).write_text("{torn")  # skipped, not the end
    # corrupted data still counts: the summary only reads manifests
    (directory / "ckpt-10" / "state.data-00000-of-00001").write_bytes(b"y" * 1000)
    for _ in range(2):
        _save(directory, 40)
        store.set_aside(directory / "ckpt-40", "damaged", lambda _: None)
    found = store.summary(directory)
    assert found is not None
    newest, count, damaged = found
    assert (newest.path, newest.step, newest.epoch, newest.time) == (
        directory / "ckpt-20",
        20,
        2,
        1.0,
    )
    assert (newest.size, newest.meta["step"]) == (1005, 20)
    assert (count, damaged) == (2, 2)


def test_a_manifest_without_step_epoch_or_time_reads_as_zero(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    folder = _save(directory, 7)
    manifest = json.loads((folder / store.MANIFEST).read_text())
    for key in ("step", "epoch", "time"):
        del manifest[key]
    (folder / store.MANIFEST).write_text(json.dumps(manifest))
    for saved in (store.verify(folder), store.summary(directory)[0]):  # type: ignore[index]
        assert (saved.path, saved.step, saved.epoch, saved.time) == (folder, 0, 0, 0.0)
        assert saved.meta == manifest


def test_verify_names_each_kind_of_damage(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    folder = _save(directory, 5)
    saved = store.verify(folder)
    assert (saved.path, saved.step, saved.epoch, saved.time, saved.size) == (
        folder,
        5,
        0,
        1.0,
        1005,
    )
    assert saved.meta["format"] == store.FORMAT
    assert saved.meta["step"] == 5
    manifest_path = folder / store.MANIFEST
    good_manifest = manifest_path.read_text()
    os.truncate(folder / "state.index", 2)
    with pytest.raises(CheckpointError) as error:
        store.verify(folder)
    assert (
        str(error.value)
        == f"{folder / 'state.index'}: truncated or overwritten (2 bytes, 5 written)"
    )
    (folder / "state.index").unlink()
    with pytest.raises(CheckpointError) as error:
        store.verify(folder)
    assert str(error.value) == f"{folder / 'state.index'}: missing"
    for listed in ({}, ["state.index"], "state.index"):
        manifest_path.write_text(json.dumps({**json.loads(good_manifest), "files": listed}))
        with pytest.raises(CheckpointError) as error:
            store.verify(folder)
        assert str(error.value) == f"{manifest_path}: lists no files"
    manifest_path.write_text("{torn")
    with pytest.raises(CheckpointError, match=r"manifest\.json: unreadable \(Expecting"):
        store.verify(folder)


def test_seal_lists_the_files_not_the_folders_in_a_checkpoint(tmp_path: Path) -> None:
    folder = tmp_path / "ckpt-1"
    (folder / "assets").mkdir(parents=True)  # sorts before the state files
    (folder / "state.index").write_bytes(b"index")
    assert store.seal(folder, {"step": 1}) == 5
    assert store.seal(folder, {"step": 1}) == 5  # sealed again: the old manifest is not a file
    manifest = json.loads((folder / store.MANIFEST).read_text())
    assert (manifest["format"], manifest["step"], list(manifest["files"])) == (
        1,
        1,
        ["state.index"],
    )
    assert sorted(p.name for p in folder.iterdir()) == ["assets", store.MANIFEST, "state.index"]


def test_a_checkpoint_shows_its_epoch_step_size_and_time(tmp_path: Path) -> None:
    import time

    when = 1_700_000_000.0
    clock = time.strftime("%H:%M:%S", time.localtime(when))
    for size, shown in ((1536, "1.5 KB"), ((1 << 20) - 1, "1024.0 KB"), (3 << 20, "3.0 MB")):
        saved = store.Saved(tmp_path / "ckpt-5", step=5, epoch=1, time=when, size=size)
        assert repr(saved) == f"<checkpoint ckpt-5: epoch 1, step 5, {shown}, {clock}>"
    assert repr(store.Saved(tmp_path, 0, 0, when, 1 << 20)).endswith(f", 1.0 MB, {clock}>")


def test_open_folder_creates_parents_marks_the_folder_and_names_what_it_refuses(
    tmp_path: Path,
) -> None:
    path = store.open_folder(tmp_path / "a" / "b")
    assert json.loads((path / store.MARKER).read_text()) == {
        "format": 1,
        "by": "workbench.checkpoint",
    }
    (tmp_path / "file").write_text("")
    with pytest.raises(CheckpointError) as error:
        store.open_folder(tmp_path / "file")
    assert str(error.value) == (
        f"Expected a folder for checkpoints. Received: {str(tmp_path / 'file')!r}, a file."
    )
    for names, shown in ((["a", "b", "c"], "a, b, c "), (["a", "b", "c", "d"], "a, b, c... ")):
        folder = tmp_path / f"other{len(names)}"
        folder.mkdir()
        for name in names:
            (folder / name).write_text("")
        with pytest.raises(CheckpointError) as error:
            store.open_folder(folder)
        assert f"Received: {str(folder)!r}, which holds {shown}(choose" in str(error.value)


def test_a_folder_of_ours_without_its_marker_is_taken(tmp_path: Path) -> None:
    """Checkpoints, damaged ones and a save in progress: a folder whose marker was lost."""
    directory = store.open_folder(tmp_path)
    _save(directory, 2)
    (directory / "ckpt-3.damaged").mkdir()
    (directory / ".tmp-ckpt-4-999999999").mkdir()
    (directory / store.MARKER).unlink()
    assert store.open_folder(directory) == directory
    assert [s.step for s in store.listing(directory)] == [2]


def test_a_save_in_progress_in_another_live_process_is_left_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    directory = store.open_folder(tmp_path)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = [directory / f".tmp-ckpt-{i}-999999999" for i in range(5)]
        live = [directory / f".tmp-ckpt-{i}-{other.pid}" for i in range(5, 8)]
        ours = directory / f".tmp-ckpt-9-{os.getpid()}"  # a save of ours that failed earlier
        for folder in (*dead, *live, ours):
            folder.mkdir()
        _save(directory, 1)
        assert [p.exists() for p in (*dead, *live, ours)] == [False] * 5 + [True] * 3 + [False]
        assert other.poll() is None  # asked whether it lives, not signalled
    finally:
        other.kill()
        other.wait()


def test_prune_returns_what_it_removed(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    for step in range(1, 4):
        _save(directory, step)
    assert store.prune(directory, 1) == [directory / "ckpt-2", directory / "ckpt-1"]


def test_setting_aside_numbers_repeats_and_says_what_it_could_not_do(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    said: list[str] = []
    for _ in range(3):
        _save(directory, 4)
        store.set_aside(directory / "ckpt-4", "why", said.append)
    assert sorted(p.name for p in directory.glob("ckpt-4*")) == [
        "ckpt-4.damaged",
        "ckpt-4.damaged-2",
        "ckpt-4.damaged-3",
    ]
    assert (
        said[2]
        == "workbench.checkpoint: skipping damaged checkpoint why; kept as ckpt-4.damaged-3."
    )
    store.set_aside(directory / "ckpt-9", "gone", said.append)
    assert said[3].startswith("workbench.checkpoint: skipping damaged checkpoint gone; could not")
    assert "No such file or directory" in said[3]
    store.set_aside(directory / "ckpt-9", "in place", said.append, move_aside=False)
    assert said[4] == "workbench.checkpoint: skipping damaged checkpoint in place."


def test_a_listing_leaves_damaged_checkpoints_in_place_and_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = store.open_folder(tmp_path)
    for step in (1, 2):
        _save(directory, step)
    (directory / "ckpt-2" / "state.index").write_bytes(b"INDEX")
    assert [s.step for s in store.listing(directory)] == [1]
    assert (directory / "ckpt-2").is_dir()
    assert not list(directory.glob("*.damaged*"))
    assert capsys.readouterr().out == ""
