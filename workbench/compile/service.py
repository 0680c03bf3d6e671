"""The ``compile`` topic and ``compile.state`` method: how cells without ``%%compile`` run.

Published after a cell that changed ``%compile_mode`` or ``%tf_debug``.
"""

from __future__ import annotations

from workbench.compile import modes
from workbench.compile.modes import CompileState
from workbench.service import service


def _state(params: object = None) -> CompileState:
    return modes.state()


def _version() -> tuple[str, bool]:
    state = modes.state()
    return (state["mode"], state["tf_debug"])


service.method("compile.state", _state)
service.topic("compile", _state, _version)
