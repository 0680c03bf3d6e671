"""The ``tf-workbench`` kernelspec: an ipykernel that loads the workbench at start-up."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from workbench.distribute.devices import VIRTUAL_DEVICES_ENV

KERNEL_NAME = "tf-workbench"
DISPLAY_NAME = "TensorFlow Workbench"


def _resources() -> Path:
    """The kernelspec's files (logos): in the wheel under ``workbench/_kernels`` (pyproject's
    force-include), in a source checkout or editable install at the top-level ``kernels/``."""
    for path in (
        Path(__file__).parent / "_kernels" / KERNEL_NAME,
        Path(__file__).resolve().parents[1] / "kernels" / KERNEL_NAME,
    ):
        if path.is_dir():
            return path
    raise FileNotFoundError(
        f"Expected the {KERNEL_NAME} kernelspec's files beside the workbench package. Received: "
        "neither workbench/_kernels nor kernels/ exists; reinstall tf-workbench."
    )


def kernel_json(python: str | None = None, virtual_devices: int | None = None) -> dict[str, Any]:
    """The kernel.json for a kernel running ``python`` (default: this interpreter).

    Args:
        python: the interpreter the kernel runs. Default ``None``, meaning ``sys.executable``.
        virtual_devices: if set, every kernel splits the CPU into this many logical devices at
            start-up (for prototyping distribution strategies). Default ``None``: no split.
    """
    env = {"TF_CPP_MIN_LOG_LEVEL": "2"}
    if virtual_devices is not None:
        if virtual_devices < 1:
            raise ValueError(
                f"Expected virtual_devices to be a positive integer. Received: {virtual_devices}"
            )
        env[VIRTUAL_DEVICES_ENV] = str(virtual_devices)
    return {
        "argv": [
            python or sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.extensions=['workbench']",
        ],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "env": env,
        "metadata": {"debugger": True},
    }


def install(
    user: bool = False,
    prefix: str | None = None,
    python: str | None = None,
    virtual_devices: int | None = None,
) -> str:
    """Install the kernelspec; returns the directory it was written to.

    Args:
        user: install for the current user (``~/.local/share/jupyter``). Default ``False``.
        prefix: install under this prefix (``PREFIX/share/jupyter/kernels``); pass
            ``sys.prefix`` for the current environment. Default ``None``: the system-wide
            location, as ``jupyter kernelspec install`` does.
        python: interpreter for the kernel. Default ``None``: this one.
        virtual_devices: see :func:`kernel_json`. Default ``None``.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / KERNEL_NAME
        shutil.copytree(_resources(), staged)
        spec = kernel_json(python=python, virtual_devices=virtual_devices)
        (staged / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
        dest: str = KernelSpecManager().install_kernel_spec(
            str(staged), KERNEL_NAME, user=user, prefix=prefix
        )
    return dest
