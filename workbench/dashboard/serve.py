"""``workbench dashboard``: the training monitor served by Voila on this machine, with a token.

Voila runs the notebook in a kernel of its own per visitor and shows its outputs without the
code. Its page bundles JupyterLab 4.2.5, so extensions built for the JupyterLab beside it (the
workbench's own side panel, Voila's preview) are denied there; widgets come with their models
(anywidget), plotly charts with jupyterlab-plotly.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

NOTEBOOK = "training_monitor.ipynb"
LOGDIR_VARIABLE = "WORKBENCH_DASHBOARD_LOGDIR"  # what the notebook reads its logdir from
# extensions of JupyterLab itself that Voila's page cannot load
LAB_ONLY = ["tf-workbench", "@voila-dashboards/jupyterlab-preview"]
THEMES = ("light", "dark")


def notebook_path() -> Path:
    """The training monitor notebook: the wheel's copy, or the checkout's
    ``notebooks/dashboards/``.

    Raises:
        FileNotFoundError: neither is there (a broken install).
    """
    here = Path(__file__).resolve().parent
    for candidate in (
        here / "notebooks" / NOTEBOOK,
        here.parents[1] / "notebooks" / "dashboards" / NOTEBOOK,
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"Expected the dashboard notebook {NOTEBOOK} in the workbench package or the checkout's "
        "notebooks/dashboards/. Received: neither; reinstall tf-workbench."
    )


def voila_argv(
    notebook: Path,
    *,
    ip: str,
    port: int,
    token: str,
    theme: str = "light",
    extra: list[str] | None = None,
) -> list[str]:
    """The ``voila`` command line that serves ``notebook``."""
    if theme not in THEMES:
        raise ValueError(f"Expected theme to be one of {list(THEMES)}. Received: {theme!r}")
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--Voila.ip={ip}",
        f"--port={port}",
        "--no-browser",
        f"--Voila.token={token}",
        "--strip_sources=True",
        f"--theme={theme}",
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in LAB_ONLY),
        *(extra or []),
    ]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def environment(logdir: str | os.PathLike[str]) -> dict[str, str]:
    """The environment Voila (and so its kernels) runs in: the logdir made absolute, since the
    kernels start in the notebook's folder."""
    return {**os.environ, LOGDIR_VARIABLE: os.path.abspath(logdir)}
