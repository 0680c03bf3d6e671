"""A real JupyterLab on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import chromium

# Playwright's `expect` waits 5 s by default, less than a restarted kernel needs to come back and
# import TensorFlow on a loaded 2-core CI machine; the same bound as the page's own waits.
expect.set_options(timeout=60_000)


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def open(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    root = tmp_path / "root"
    root.mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "lab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        # as `workbench lab` opens it: no "get notified about Jupyter news?" pop-up over the page
        f"--LabApp.app_settings_dir={_settings_without_news(tmp_path / 'app-settings')}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    lab = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
    try:
        _wait_ready(lab, proc, timeout=120)
        yield lab
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _settings_without_news(dest: Path) -> Path:
    from jupyterlab.commands import get_app_dir

    from workbench.cli import app_settings_without_news

    return app_settings_without_news(dest, Path(get_app_dir()) / "settings")


def _wait_ready(lab: Lab, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{lab.log.read_text()}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer in {timeout} s:\n{lab.log.read_text()}")


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            page.screenshot(path=str(tmp_path / "last.png"))
            context.close()
