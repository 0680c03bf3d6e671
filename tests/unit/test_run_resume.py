"""A run read back and opened again (``Run.resume``): it writes on after the steps it holds, in
the same folder, running again; a bad value it already holds is not reported again; and what it
says of itself (``summary``, ``epochs_done``)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from workbench.curves.store import META, Run, writer_alive


def _first_session(logdir: Path) -> Path:
    run = Run("r", logdir)
    for step in (1, 2, 3):
        run.log(step, {"loss": 1.0 / step})
    run.log(3, {"loss": float("nan")}, split="validation", kind="epoch", epoch=0)
    run.log(3, {"loss": 0.3}, kind="epoch", epoch=0)
    run.log(6, {"loss": 0.2}, kind="epoch", epoch=1)
    run.close()
    return logdir / "r"


def test_a_resumed_run_writes_on_after_its_steps_and_is_running_again(tmp_path: Path) -> None:
    path = _first_session(tmp_path)
    run = Run.resume(path)
    assert (run.state, run.ended) == ("running", None)
    assert json.loads((path / META).read_text())["state"] == "running"
    assert writer_alive(json.loads((path / META).read_text()), path)  # this process writes it
    metrics, steps, last = run.summary()
    assert (metrics, steps) == (["loss"], 3)
    assert last == {"loss": pytest.approx(1 / 3)}  # float32 in the event files
    assert run.epochs_done() == 2
    # the validation NaN was reported in the first session: not again
    assert run.log(4, {"loss": float("nan")}, split="validation", kind="epoch", epoch=2) == []
    (bad,) = run.log(4, {"loss": float("inf")})  # the training loss is new to being bad
    assert (bad.metric, bad.split) == ("loss", "train")
    run.close()
    again = Run.load(path)
    assert again.series[("train", "loss")].steps.tolist() == [1, 2, 3, 4]
    assert again.state == "finished"


def test_what_a_run_says_of_itself(tmp_path: Path) -> None:
    assert Run("empty").summary() == ([], 0, {})
    assert Run("empty").epochs_done() == 0
    run = Run("r")
    run.log(5, {"loss": 0.5, "acc": 0.9})
    run.log(5, {"loss": 0.7, "auc": 0.8}, split="validation", kind="epoch")
    # validation values are not the latest training values
    assert run.summary() == (["acc", "auc", "loss"], 5, {"loss": 0.5, "acc": 0.9})
    assert run.epochs_done() == 1  # validation epochs count when no training epoch was logged
    run.log(5, {"loss": 0.6}, kind="epoch")
    run.log(9, {"loss": 0.4}, kind="epoch")
    assert run.epochs_done() == 2


def test_an_alive_check_never_signals_the_writer(tmp_path: Path) -> None:
    import subprocess
    import sys

    # the writer reports any signal it gets, then what it read: a SIGHUP would show first
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys\n"
            "for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGUSR1):\n"
            "    signal.signal(s, lambda n, f: print('signal', n, flush=True))\n"
            "print('ready', flush=True)\n"
            "print(sys.stdin.readline().strip(), flush=True)\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"  # its handlers are set (SIGHUP may be ignored)
    assert writer_alive({"pid": child.pid, "host": socket.gethostname()}, tmp_path)
    out, _ = child.communicate("done\n", timeout=60)
    assert out.split("\n")[0] == "done"
