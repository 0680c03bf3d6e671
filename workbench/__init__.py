"""TF Workbench: a Jupyter-native workbench for TensorFlow/Keras.

``import workbench`` stays light: TensorFlow, Keras and the widgets load only when a name that needs
them is first used (PEP 562 ``__getattr__`` below). ``%load_ext workbench`` (or the
``tf-workbench`` kernel, which loads it at start-up) adds the kernel helpers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workbench._version import __version__

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from workbench.checkpoints.callback import Checkpoint, checkpoint, resume
    from workbench.checkpoints.errors import CheckpointError
    from workbench.compile import CompileError, compile_cell
    from workbench.compile.graph import graph
    from workbench.data.drift import compare
    from workbench.data.schema import Schema
    from workbench.data.slices import evaluate
    from workbench.data.validate import validate
    from workbench.distribute.context import report
    from workbench.distribute.devices import devices, virtual_devices
    from workbench.distribute.fit import fit
    from workbench.distribute.job import Job
    from workbench.distribute.strategies import strategy
    from workbench.exports.errors import ExportError
    from workbench.inspect.gradients import inspect_gradients
    from workbench.profiler.errors import ProfilerError
    from workbench.widgets.data import stats
    from workbench.widgets.export import export
    from workbench.widgets.launch import launch
    from workbench.widgets.live import LiveCurves, run
    from workbench.widgets.profile import Profile, profile, profiles
    from workbench.widgets.projector import Projection, project
    from workbench.widgets.runs_view import runs

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "CompileError",
    "ExportError",
    "Job",
    "LiveCurves",
    "Profile",
    "ProfilerError",
    "Projection",
    "Schema",
    "__version__",
    "checkpoint",
    "compare",
    "compile_cell",
    "devices",
    "evaluate",
    "export",
    "fit",
    "graph",
    "inspect_gradients",
    "launch",
    "profile",
    "profiles",
    "project",
    "report",
    "resume",
    "run",
    "runs",
    "stats",
    "strategy",
    "validate",
    "virtual_devices",
]

# public name -> module that defines it; imported on first use.
_LAZY: dict[str, str] = {
    "project": "workbench.widgets.projector",
    "Projection": "workbench.widgets.projector",
    "Checkpoint": "workbench.checkpoints.callback",
    "CheckpointError": "workbench.checkpoints.errors",
    "checkpoint": "workbench.checkpoints.callback",
    "resume": "workbench.checkpoints.callback",
    "export": "workbench.widgets.export",
    "ExportError": "workbench.exports.errors",
    "CompileError": "workbench.compile",
    "compile_cell": "workbench.compile",
    "graph": "workbench.compile.graph",
    "LiveCurves": "workbench.widgets.live",
    "inspect_gradients": "workbench.inspect.gradients",
    "Profile": "workbench.widgets.profile",
    "ProfilerError": "workbench.profiler.errors",
    "profile": "workbench.widgets.profile",
    "profiles": "workbench.widgets.profile",
    "run": "workbench.widgets.live",
    "runs": "workbench.widgets.runs_view",
    "devices": "workbench.distribute.devices",
    "virtual_devices": "workbench.distribute.devices",
    "stats": "workbench.widgets.data",
    "Schema": "workbench.data.schema",
    "validate": "workbench.data.validate",
    "compare": "workbench.data.drift",
    "evaluate": "workbench.data.slices",
    "strategy": "workbench.distribute.strategies",
    "fit": "workbench.distribute.fit",
    "launch": "workbench.widgets.launch",
    "Job": "workbench.distribute.job",
    "report": "workbench.distribute.context",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Called by ``%load_ext workbench`` and by the ``tf-workbench`` kernel at start-up."""
    from workbench._ipython import load

    load(ipython)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    from workbench._ipython import unload

    unload(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "tf-workbench"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "workbench.server"}]
