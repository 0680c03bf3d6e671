"""A process killed while writing a checkpoint leaves no checkpoint that restores garbage: the
kill lands while a temporary folder is being written (seen on disk), and what is left restores
the newest complete step, every value of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from tests.checkpoint.saver import big_model
from tests.conftest import REPO
from workbench.checkpoints import store
from workbench.checkpoints.callback import Checkpoint


def test_a_save_killed_mid_write_is_never_restored(tmp_path: Path) -> None:
    folder = tmp_path / "ckpts"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.checkpoint.saver", str(folder)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed_during: str | None = None
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and child.poll() is None:
            if _mid_write(folder):
                # Stopped first, then looked at again: a glob alone races the saver (a temporary
                # folder seen, then renamed before the kill lands, left nothing half-written).
                os.kill(child.pid, signal.SIGSTOP)
                _wait_stopped(child.pid)
                killed_during = _mid_write(folder)
                if killed_during:
                    os.kill(child.pid, signal.SIGKILL)
                    break
                os.kill(child.pid, signal.SIGCONT)
            time.sleep(0.001)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
    assert killed_during is not None, "the saver never got to a second save"
    left = sorted(p.name for p in folder.iterdir())
    assert any(name.startswith(".tmp-ckpt-") for name in left), left  # killed mid-write
    complete = store.listing(folder)
    assert complete, left
    said: list[str] = []
    net = big_model()
    saved = Checkpoint(folder, model=net, report=said.append).restore()
    assert saved is not None
    assert saved.step == complete[0].step
    for variable in net.weights:  # every value of the step it says, none of the half-written one
        np.testing.assert_array_equal(variable.numpy(), np.full(variable.shape, saved.step))
    assert said == [f"workbench.checkpoint: resumed from {saved.describe()}."]


def _mid_write(folder: Path) -> str | None:
    """The temporary folder of a save under way after at least one finished, if there is one."""
    if not folder.is_dir():
        return None
    done = [int(p.name[5:]) for p in folder.glob("ckpt-*") if p.name[5:].isdigit()]
    for tmp in folder.glob(".tmp-ckpt-*"):
        step = int(tmp.name.split("-")[2])
        if done and step > max(done):
            return tmp.name
    return None


def _wait_stopped(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state in "tT":
            return
        time.sleep(0.001)
    raise AssertionError(f"the saver (pid {pid}) did not stop within 10 s")
