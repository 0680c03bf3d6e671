"""Per-cell compilation: the same cell eagerly, as a ``tf.function``, or XLA-compiled.

The modes and the error type load without TensorFlow (``%load_ext workbench`` registers the
magics before any cell imports it); ``compile_cell`` brings TensorFlow in on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workbench.compile.errors import CompileError
from workbench.compile.modes import MODES, Mode, default_mode, set_default_mode

if TYPE_CHECKING:
    from workbench.compile.cell import CellRun, compile_cell

__all__ = [
    "MODES",
    "CellRun",
    "CompileError",
    "Mode",
    "compile_cell",
    "default_mode",
    "set_default_mode",
]


def __getattr__(name: str) -> Any:
    if name in ("compile_cell", "CellRun"):
        return getattr(importlib.import_module("workbench.compile.cell"), name)
    raise AttributeError(f"module 'workbench.compile' has no attribute {name!r}")
