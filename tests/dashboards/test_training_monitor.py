"""The training monitor: the dashboard notebook run on the ``tf-workbench`` kernel as Voila runs
it (nbclient), what it shows of a logdir, and the monitor following a run written meanwhile."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import comm
import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO
from tests.widgets.recording import Decoded, RecordingComm
from workbench.curves.store import Run
from workbench.dashboard import TrainingMonitor
from workbench.dashboard.serve import LOGDIR_VARIABLE

NOTEBOOK = REPO / "notebooks" / "dashboards" / "training_monitor.ipynb"


@pytest.mark.slow
def test_the_notebook_shows_the_runs_their_damage_and_the_latest_verdict(
    logdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOGDIR_VARIABLE, str(logdir))  # as `workbench dashboard` passes it
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint('tensorflow' in sys.modules)"))
    client = NotebookClient(
        nb, timeout=300, kernel_name="tf-workbench", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    (shown,) = [o for cell in nb.cells[:-1] for o in cell.get("outputs", [])]
    data = shown["data"]
    assert "application/vnd.jupyter.widget-view+json" in data  # the live page
    text = data["text/plain"]
    head = re.match(
        rf"<training monitor of {re.escape(str(logdir))}: 3 runs \(0 running\) · curves of "
        r"damaged · latest profile: profiled/train/\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d: "
        r"(partly )?input-bound: \d+% of step time waits for data .*"
        r" · checkpoints: 2 checkpoints, newest ckpt-\d+ \(step \d+\)"
        r" · embedding: projector: PCA of array 300 x 64 to 2-D; explained variance",
        text,
    )
    assert head, text
    assert re.search(r"\nprofiled +finished +\d+ +accuracy 0\.\d+, loss [\d.]+ ", text), text
    assert re.search(r"\nloop +finished +299 +loss 0\.006667", text), text
    assert re.search(r"\n! damaged: train/events\.out\.tfevents\.[^:]+: \d+ damaged bytes", text)
    # the static copy (what an export without widgets shows): the table, the chart, the verdict
    html = data["text/html"]
    for part in ("workbench-runs-table", "workbench-curves-snapshot", "workbench-profile-verdict"):
        assert part in html, part
    assert "workbench-profile-bars" in html  # the step-time breakdown
    assert "workbench-checkpoints-table" in html
    # event files, a capture's verdict and bars: no TensorFlow in the dashboard's kernel
    assert nb.cells[-1].outputs[0]["text"] == "False\n"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Decoded]:
    messages: list[Decoded] = []

    def create_comm(**kwargs: Any) -> RecordingComm:
        return RecordingComm(messages, **kwargs)

    monkeypatch.setattr(comm, "create_comm", create_comm)
    return messages


def _columns(sent: list[Decoded]) -> list[dict[str, Any]]:
    return [content for content, _ in sent if content.get("type") == "columns"]


def test_a_run_written_meanwhile_is_listed_picked_and_followed(
    tmp_path: Path, sent: list[Decoded]
) -> None:
    logdir = tmp_path / "runs"
    monitor = TrainingMonitor(logdir, follow=False)
    try:
        assert "does not exist yet" in monitor.table.value
        old = Run("old", logdir)
        old.log(0, {"loss": 1.0})
        old.close()
        live = Run("live", logdir)
        for step in range(100):
            live.log(step, {"loss": 1 / (step + 1)})
        live.flush()
        monitor.refresh()
        # the running run is drawn, not the older finished one
        assert monitor.picker.options == ("live", "old")
        assert monitor.picker.value == ("live",)
        (view,) = monitor.curves.children
        assert view.run.series[("train", "loss")].steps.tolist() == list(range(100))
        assert "data-run='live' data-state='running'" in monitor.table.value
        before = len(_columns(sent))
        assert before >= 1
        monitor.refresh()
        assert len(_columns(sent)) == before  # nothing new: nothing sent
        for step in range(100, 250):
            live.log(step, {"loss": 1 / (step + 1)})
        live.flush()
        monitor.refresh()
        assert len(view.run.series[("train", "loss")]) == 250
        assert len(_columns(sent)) > before
        assert view.progress["text"] == "step 249"
        assert view.bad_values == []
        live.log(250, {"loss": float("inf")})
        live.log(251, {"loss": float("nan")})
        live.flush()
        monitor.refresh()
        monitor.refresh()
        # the first bad value of the series, once, as the live view marks its own kernel's runs
        (bad,) = view.bad_values
        assert (bad["key"], bad["step"], bad["value"]) == ("train/loss", 250, "inf")
        live.close()
        monitor.refresh()
        assert view.state == "finished"
        assert "data-run='live' data-state='finished'" in monitor.table.value
        # picking another run draws it instead
        monitor.picker.value = ("old",)
        (drawn,) = monitor.curves.children
        assert drawn.run.name == "old"
        assert view.comm is None  # the view of the run no longer picked is closed
    finally:
        monitor.close()


def test_a_logdir_typed_in_is_listed_and_a_file_is_said_to_be_one(tmp_path: Path) -> None:
    Run("a", tmp_path / "one").close()
    (tmp_path / "file").write_text("not a folder")
    monitor = TrainingMonitor(tmp_path / "none", follow=False)
    try:
        monitor.logdir_input.value = str(tmp_path / "one")
        assert monitor.picker.options == ("a",)
        assert "1 runs, 0 running" in monitor.status.value
        monitor.logdir_input.value = str(tmp_path / "file")
        assert "is a file, not a folder of runs" in monitor.table.value
        assert monitor.curves.children == ()
    finally:
        monitor.close()


def test_the_dashboard_command_serves_with_a_token_on_this_machine_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from workbench.cli import build_parser, dashboard_argv, main
    from workbench.dashboard.serve import LAB_ONLY, notebook_path, voila_argv

    assert notebook_path() == NOTEBOOK
    argv = voila_argv(NOTEBOOK, ip="127.0.0.1", port=8866, token="t0k", theme="dark")
    assert argv[1:4] == ["-m", "voila", str(NOTEBOOK)]
    for option in ("--Voila.ip=127.0.0.1", "--Voila.token=t0k", "--strip_sources=True"):
        assert option in argv
    assert "--theme=dark" in argv
    for name in LAB_ONLY:
        assert f"--VoilaConfiguration.extension_denylist={name}" in argv
    parsed = build_parser().parse_args(["dashboard", "--", "--Voila.base_url=/monitor/"])
    argv, url = dashboard_argv(parsed)
    assert argv[-1] == "--Voila.base_url=/monitor/"
    assert "--" not in argv
    assert re.fullmatch(r"http://127\.0\.0\.1:8866/\?token=[\w-]{32}", url), url
    assert main(["dashboard", "--ip", "0.0.0.0"]) == 2
    assert "Expected a loopback --ip" in capsys.readouterr().err
    nb = json.loads(NOTEBOOK.read_text())
    assert LOGDIR_VARIABLE in "".join(nb["cells"][1]["source"])
    assert os.environ.get(LOGDIR_VARIABLE) is None  # the command sets it for Voila only
