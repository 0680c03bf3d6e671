"""The conformance suite (``tests/conformance/``) in full: every notebook eagerly, as
``%compile_mode function`` and ``xla``, each cell classified against eager (see
``tests/conformance/__init__.py`` for the report's schema; this JSON is that report plus goals).

Goals per compiled mode, from issue 11: no silent difference, at least 90% of cells identical to
eager, every other cell with a workbench message naming its line, no kernel death, at least 80%
of the cells that compute with tensors computing inside a compiled function (most of their ops
run inside graphs, counted by TensorFlow's op callbacks; tf.data's plumbing counts on neither
side and the functions it applies as graphs: the strict figure, the earlier reports' measure,
is given beside it), and the heavy cells (tagged ``heavy``:
loops, training steps, large matmuls) faster compiled than eager (geometric mean of the warm
re-runs' eager/compiled time ratios).
"""

from __future__ import annotations

import os
from typing import Any

from tests.bench.goals import Goal, at_least, at_most
from tests.conformance.suite import run_suite

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def goals(report: dict[str, Any]) -> list[Goal]:
    out = []
    for mode, t in report["totals"].items():
        out += [
            at_most(f"{mode}: cells differing silently", t["silent"], 0),
            at_least(f"{mode}: share of cells identical to eager", t["identical_share"], 0.9),
            at_least(
                f"{mode}: share of differing cells with a message naming the line",
                t["differing_with_message_share"],
                1.0,
            ),
            at_most(f"{mode}: kernel deaths", t["died"], 0),
            at_least(
                f"{mode}: share of tensor cells computed in a compiled function",
                t["compiled_cells_share"],
                0.8,
            ),
            at_least(  # tf.data plumbing as eager ops, its functions uncounted: earlier reports
                f"{mode}: the same, strict (tf.data plumbing counted as eager computation)",
                t["compiled_cells_share_strict"],
                0.8,
            ),
            at_least(
                f"{mode}: heavy cells, eager / compiled time (geometric mean)",
                t["heavy_speedup_geomean"] or 0.0,
                1.0,
            ),
        ]
    return out


def run() -> dict[str, Any]:
    report = run_suite()
    report["goals"] = goals(report)
    return report
