"""The three ways a cell can run, and the kernel-wide default for cells without ``%%compile``."""

from __future__ import annotations

import sys
from typing import Literal, TypedDict

Mode = Literal["eager", "function", "xla"]
MODES: tuple[Mode, ...] = ("eager", "function", "xla")
LABELS: dict[Mode, str] = {"eager": "eager", "function": "tf.function", "xla": "XLA"}

_default: Mode = "eager"


def check(mode: str) -> Mode:
    if mode not in MODES:
        raise ValueError(f"Expected mode to be one of {list(MODES)}. Received: {mode!r}")
    return mode  # narrowed by the membership test


def default_mode() -> Mode:
    return _default


def set_default_mode(mode: str) -> Mode:
    global _default
    _default = check(mode)
    return _default


def tf_debug() -> bool:
    """Whether every tf.function runs eagerly (``%tf_debug on``), without importing TensorFlow."""
    tf = sys.modules.get("tensorflow")
    return bool(tf is not None and tf.config.functions_run_eagerly())


def set_tf_debug(on: bool) -> bool:
    """Run every ``tf.function`` eagerly (breakpoints and ``print`` work inside) or compiled."""
    import tensorflow as tf

    tf.config.run_functions_eagerly(on)
    return tf_debug()


class CompileState(TypedDict):
    """How cells without ``%%compile`` run, and whether tf.functions run eagerly."""

    mode: Mode
    tf_debug: bool


def state() -> CompileState:
    return CompileState(mode=_default, tf_debug=tf_debug())
