"""What a save leaves alone: another live process (asked whether it lives, never signalled, its
folders kept, also when it belongs to another user), a stray file named like a save in
progress, and a checkpoint that is a link to a folder elsewhere (pruning never deletes its
target, nor says it was removed)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.checkpoints import store

# a process that blocks every signal and, when asked, says which were sent to it: a kill() marks
# a blocked signal pending at once, so "never signalled" needs no waiting
BLOCKER = """
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
print("ready", flush=True)
sys.stdin.readline()
print(sorted(int(s) for s in signal.sigpending()), flush=True)
"""


@pytest.fixture
def other() -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", BLOCKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=60)


def _signals_sent(proc: subprocess.Popen[str]) -> str:
    out, _ = proc.communicate("\n", timeout=60)
    return out.strip()


def _save(directory: Path, step: int) -> None:
    with store.writing(directory, step) as folder:
        (folder / "state.index").write_bytes(b"index")
        store.seal(folder, {"step": step, "epoch": 0, "time": 1.0})


def test_a_live_process_is_asked_never_signalled(
    tmp_path: Path, other: subprocess.Popen[str]
) -> None:
    directory = store.open_folder(tmp_path)
    live = directory / f".tmp-ckpt-5-{other.pid}"
    live.mkdir()
    _save(directory, 1)
    assert live.is_dir()
    assert [s.step for s in store.listing(directory)] == [1]
    assert _signals_sent(other) == "[]"


def test_a_process_of_another_user_counts_as_alive(
    tmp_path: Path, other: subprocess.Popen[str]
) -> None:
    """Asking about a process one may not signal raises PermissionError: it lives."""
    if os.getuid() != 0:
        pytest.skip("makes a process of another user by dropping root in a fork")
    child = os.fork()
    if child == 0:  # as nobody, asking about a process of root's
        try:
            os.setgid(65534)
            os.setuid(65534)
            os._exit(0 if store._alive(other.pid) else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store._alive(other.pid)
    assert _signals_sent(other) == "[]"


def test_a_file_named_like_a_save_in_progress_stops_no_save(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path)
    stray = directory / ".tmp-ckpt-3-999999999"
    stray.write_text("not a folder")
    _save(directory, 4)
    _save(directory, 5)
    assert [s.step for s in store.listing(directory)] == [5, 4]
    assert stray.read_text() == "not a folder"


def test_pruning_a_linked_checkpoint_keeps_its_target_and_says_so(tmp_path: Path) -> None:
    directory = store.open_folder(tmp_path / "ckpts")
    elsewhere = store.open_folder(tmp_path / "elsewhere")
    _save(elsewhere, 1)
    (directory / "ckpt-1").symlink_to(elsewhere / "ckpt-1", target_is_directory=True)
    for step in (2, 3):
        _save(directory, step)
    assert [s.step for s in store.listing(directory)] == [3, 2, 1]
    # ckpt-2 removed; the link is not removed and its target stays whole
    assert store.prune(directory, 1) == [directory / "ckpt-2"]
    assert [s.step for s in store.listing(directory)] == [3, 1]
    assert [s.step for s in store.listing(elsewhere)] == [1]
