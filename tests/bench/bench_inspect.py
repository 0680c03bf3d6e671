"""What a display costs: a 100M-element tensor's rich display (text and HTML) next to one
``tf.reduce_mean`` over it and next to TensorFlow's own repr, side by side in one process."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

REPEATS = 5
GOAL_S = 1.0  # a display must not stall a cell: a rich view of any tensor in under a second


def _median(action: Callable[[], object]) -> float:
    action()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run() -> dict[str, Any]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    from IPython.core.formatters import DisplayFormatter

    from workbench.inspect import formatters

    shell = type("Shell", (), {"display_formatter": DisplayFormatter()})()
    formatters.register(shell)
    big = tf.random.normal([10_000, 10_000], seed=0)  # 100M float32 elements, 400 MB

    def show() -> object:
        # each call is a new display: both forms ask again, so the summary is computed anew
        return shell.display_formatter.format(big)

    display = _median(show)
    reduce_mean = _median(lambda: float(tf.reduce_mean(big)))
    tf_repr = _median(lambda: repr(big))  # TensorFlow's own: a NumPy view, summarised by NumPy
    return {
        "elements": 100_000_000,
        "display_s": display,
        "reduce_mean_s": reduce_mean,
        "tf_repr_s": tf_repr,
        "goal": "under 1 s",
        "goal_met": display < GOAL_S,
        "summary": {
            "display_ms": round(display * 1e3, 1),
            "goal_met": display < GOAL_S,
            "display_over_reduce_mean": round(display / reduce_mean, 1),
            "display_over_tf_repr": round(display / tf_repr, 2),
        },
    }
