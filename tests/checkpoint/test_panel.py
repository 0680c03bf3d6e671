"""The side panel's Checkpoints: the newest checkpoint of each folder this kernel saved to, with
step, epoch, time and size, pushed on the ``checkpoints`` topic when a save lands."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import workbench
from tests.checkpoint.train import model
from workbench.checkpoints.store import listing


def test_the_panel_lists_each_folders_newest_checkpoint(panel: Any, tmp_path: Path) -> None:
    from workbench.service import service

    net = model()
    ck = workbench.checkpoint(tmp_path / "ckpts", every=2, keep=2, model=net)
    before = time.time()
    for step in range(1, 7):
        ck.save(step)
    service.flush()
    pushed = [data for _, data in panel.events("checkpoints")]
    assert pushed, "no checkpoints event after a save"
    steps = [c["step"] for c in pushed[-1]["checkpoints"] if c["folder"] == str(ck.directory)]
    assert steps == [6]
    (tmp_path / "ckpts" / "ckpt-6" / "manifest.json").unlink()  # incomplete: not listed
    reply = panel.request(7, "checkpoints.list")
    (info,) = [c for c in reply["result"]["checkpoints"] if c["folder"] == str(tmp_path / "ckpts")]
    assert info["name"] == "ckpt-4"
    assert (info["step"], info["epoch"], info["count"], info["damaged"]) == (4, 0, 1, 0)
    assert info["size"] == listing(tmp_path / "ckpts")[0].size
    assert before <= info["time"] <= time.time()
