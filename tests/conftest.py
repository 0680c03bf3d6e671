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
