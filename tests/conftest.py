"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

# jp_* fixtures (a real Jupyter server per test); pytest only takes plugins from the top conftest.
pytest_plugins = ["pytest_jupyter.jupyter_server"]

# Quiet TensorFlow in every kernel and subprocess the tests start.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run ``code`` in a fresh interpreter (TensorFlow's device set-up is once per process)."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture
def kernel_client() -> Iterator[object]:
    """A started ``tf-workbench`` kernel (from the installed kernelspec) and its client."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="tf-workbench", startup_timeout=120)
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture
def ip() -> Iterator[Any]:
    """A real IPython shell, in-process, with the workbench loaded: what a kernel runs cells in."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or InteractiveShell.instance()  # None once started
    shell.run_line_magic("load_ext", "workbench")
    shell.run_cell("import numpy as np\nimport tensorflow as tf\nimport keras")
    try:
        yield shell
    finally:
        shell.run_line_magic("compile_mode", "eager")
        shell.run_line_magic("tf_debug", "off")
        shell.run_line_magic("reset", "-f")


class RecordingComm:
    """The front end's end of a ``workbench`` comm, in-process: what the kernel service sends it,
    with the time it was sent. The comm object is the boundary; the service is the real one."""

    def __init__(self, comm_id: str = "test-panel") -> None:
        self.comm_id = comm_id
        self.sent: list[tuple[float, dict[str, Any]]] = []
        self.closed: Any = None
        self._on_msg: Any = None
        self._on_close: Any = None

    # what the kernel service calls
    def send(self, data: dict[str, Any]) -> None:
        import time

        self.sent.append((time.monotonic(), data))

    def on_msg(self, callback: Any) -> None:
        self._on_msg = callback

    def on_close(self, callback: Any) -> None:
        self._on_close = callback

    def close(self, data: Any = None) -> None:
        self.closed = data if data is not None else {}
        if self._on_close is not None:
            self._on_close({})

    # what the front end does
    def request(self, request_id: int, method: str, **params: Any) -> dict[str, Any]:
        """Send a request as the front end would, and return the kernel's reply."""
        self._on_msg({"content": {"data": {"id": request_id, "method": method, "params": params}}})
        return next(data for _, data in reversed(self.sent) if data.get("id") == request_id)

    def events(self, topic: str) -> list[tuple[float, Any]]:
        return [(t, data["data"]) for t, data in self.sent if data.get("topic") == topic]


@pytest.fixture
def panel() -> Iterator[RecordingComm]:
    """A side panel's comm on this process's kernel service, subscribed to every topic."""
    from workbench.service import load_capabilities

    service = load_capabilities()
    comm = RecordingComm()
    service.open(comm, {"protocol": 2})
    reply = comm.request(1, "subscribe", topics=sorted(service.topics))
    assert "result" in reply, reply
    try:
        yield comm
    finally:
        service.flush()
        comm.close()


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's run registry, empty for one test (it is process-wide)."""
    import weakref

    from workbench.curves import registry

    monkeypatch.setattr(registry, "_live", {})
    monkeypatch.setattr(registry, "_ended", weakref.WeakValueDictionary())
    monkeypatch.setattr(registry, "_order", {})
    monkeypatch.setattr(registry, "_listeners", [])
