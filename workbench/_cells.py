"""Doing something when the IPython cell that is running now ends (IPython's public API only).

Keras calls no callback when ``fit`` is interrupted or raises, so a run it feeds would stay
"running"; a one-shot ``post_run_cell`` hook ends it. Works with or without ``%load_ext
workbench``; outside IPython (a script, whose interrupt ends the process) it does nothing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any


def after_current_cell(callback: Callable[[BaseException | None], None]) -> bool:
    """Call ``callback(error)`` once, after the cell now running (``error``: what the cell
    raised, or None).

    Only from the cell's own thread: work in a background thread outlives its cell on purpose.

    Returns:
        Whether the hook was registered (False outside IPython or off the main thread).
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    ipython = sys.modules.get("IPython")
    shell = None if ipython is None else ipython.get_ipython()
    if shell is None:
        return False

    def after_cell(result: Any) -> None:
        shell.events.unregister("post_run_cell", after_cell)  # IPython iterates over a copy
        callback(getattr(result, "error_in_exec", None))

    shell.events.register("post_run_cell", after_cell)
    return True
