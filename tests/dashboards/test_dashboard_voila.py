"""``workbench dashboard`` in a real Chromium: Voila serves the training monitor, a run that
another process is writing appears, its curves grow as the process writes, and it ends
finished; the latest profile's verdict, the checkpoints and the saved projection are there.
Saves the screenshot the README shows."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import chromium

WAIT = 150_000  # ms: a first kernel and its page on a loaded 2-core machine

WRITER = """
import sys, time
from pathlib import Path
from workbench.curves.store import Run

logdir, gate = sys.argv[1], Path(sys.argv[2])
run = Run("live", logdir)

def write(first, last):
    for step in range(first, last):
        run.log(step, {"loss": 2.0 / (step + 1) ** 0.5, "accuracy": min(1.0, step / 400)})
    run.flush()

def wait(name):
    while not (gate / name).exists():
        time.sleep(0.05)

write(0, 100)
(gate / "wrote-100").touch()
wait("more")
write(100, 400)
wait("end")
run.close()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"the writer exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} did not appear in {timeout} s")
        time.sleep(0.1)


def _wait_served(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"workbench dashboard exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", int(url.split(":")[2].split("/")[0])), 2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the dashboard did not listen in {timeout} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # Voila and the kernels it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _points(page: Any) -> int:
    panel = page.locator(".workbench-livecurves-panel[data-group='loss']").first
    return int(panel.get_attribute("data-points") or 0)


@pytest.mark.slow
@pytest.mark.browser
def test_a_run_written_by_another_process_appears_and_grows(logdir: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(logdir, runs)
    gate = tmp_path / "gate"
    gate.mkdir()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(runs), str(gate)], start_new_session=True
    )
    port, token, log = _free_port(), "dashboard-test-token", tmp_path / "voila.log"
    options = ["--port", str(port), "--token", token]
    with log.open("w") as out:
        dashboard = subprocess.Popen(
            [sys.executable, "-m", "workbench", "dashboard", "--logdir", str(runs), *options],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=tmp_path,
        )
    try:
        _wait_for(gate / "wrote-100", writer)
        url = f"http://127.0.0.1:{port}/?token={token}"
        _wait_served(url, dashboard, log)
        assert f"http://127.0.0.1:{port}/?token={token}" in log.read_text()  # printed for users
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert "/login" in response.url  # no token, no dashboard
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 1500})
            page.set_default_timeout(WAIT)
            page.goto(url)
            row = page.locator("tr.workbench-run[data-run='live']")
            expect(row).to_have_attribute("data-state", "running", timeout=WAIT)
            expect(row).to_contain_text("99", timeout=WAIT)
            page.wait_for_function(
                "() => Number(document.querySelector("
                "\".workbench-livecurves-panel[data-group='loss']\")?.dataset.points) > 0"
            )
            before = _points(page)
            header = page.locator(".workbench-livecurves-header").first
            expect(header).to_contain_text("step 99", timeout=WAIT)
            (gate / "more").touch()
            expect(header).to_contain_text("step 399", timeout=WAIT)
            page.wait_for_function(
                "(n) => Number(document.querySelector("
                "\".workbench-livecurves-panel[data-group='loss']\").dataset.points) > n",
                arg=before,
            )
            assert _points(page) > before
            expect(row).to_contain_text("399", timeout=WAIT)
            expect(page.locator(".workbench-profile-verdict")).to_contain_text(
                "input-bound", timeout=WAIT
            )
            expect(page.locator(".workbench-monitor-profile .js-plotly-plot")).to_be_visible(
                timeout=WAIT
            )
            expect(page.locator(".workbench-checkpoints-table")).to_contain_text(
                "ckpt-", timeout=WAIT
            )
            expect(
                page.locator(".workbench-monitor-projection .workbench-projector")
            ).to_be_visible(timeout=WAIT)
            time.sleep(1)  # the plot's last frame
            page.screenshot(path=str(tmp_path / "training_monitor.png"))
            shots = os.environ.get("WORKBENCH_SCREENSHOTS")
            if shots:
                shutil.copy(tmp_path / "training_monitor.png", Path(shots))
            (gate / "end").touch()
            expect(row).to_have_attribute("data-state", "finished", timeout=WAIT)
            expect(header).to_contain_text("finished", timeout=WAIT)
    finally:
        _stop(dashboard)
        (gate / "more").touch()
        (gate / "end").touch()
        try:
            writer.wait(timeout=60)
        finally:
            _stop(writer)
    assert writer.returncode == 0
