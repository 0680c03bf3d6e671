"""``%%profile`` in a real shell: sugar for ``with workbench.profile() as prof:`` around its
cell, run as a cell (its last value shown, its magics working: ``%%compile`` on the next line),
returning the profile; an interrupted cell keeps its capture and shows no profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow


def test_a_profiled_cell_returns_its_profile(ip: Any, tmp_path: Path) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    result = ip.run_cell(
        "%%profile --logdir $logdir\n"
        "step = tf.function(lambda a: tf.reduce_sum(a @ a))\n"
        "a = tf.ones((64, 64))\n"
        "for _ in range(20):\n"
        "    value = step(a)\n"
    )
    assert result.success
    prof = result.result
    assert type(prof).__name__ == "Profile"
    assert len(prof.events.filter(name="MatMul")) >= 20
    assert prof.path.parent == tmp_path / "plugins" / "profile"
    assert int(ip.user_ns["value"]) == 64 * 64 * 64  # the cell ran in the user's namespace


def test_compile_on_the_next_line_runs_under_the_profile(ip: Any, tmp_path: Path) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    result = ip.run_cell(
        "%%profile --logdir $logdir --max-seconds 10\n"
        "%%compile function\n"
        "b = tf.ones((32, 32))\n"
        "c = tf.reduce_sum(b @ b)\n"
    )
    assert result.success
    assert float(ip.user_ns["c"]) == 32 * 32 * 32
    assert len(result.result.events) > 0


def test_an_interrupted_cell_keeps_its_capture(ip: Any, tmp_path: Path, capsys: Any) -> None:
    ip.user_ns["logdir"] = str(tmp_path)
    result = ip.run_cell(
        "%%profile --logdir $logdir\ntf.reduce_sum(tf.ones((8, 8)))\nraise KeyboardInterrupt\n"
    )
    assert result.result is None
    assert "what was captured is in" in capsys.readouterr().out
    assert list(tmp_path.glob("plugins/profile/*/*.xplane.pb"))
    assert ip.run_cell("%%profile --logdir $logdir\ntf.ones(3)").success  # the profiler is free


def test_bad_arguments_are_refused(ip: Any) -> None:
    result = ip.run_cell("%%profile --max-seconds soon\npass")
    assert not result.success
