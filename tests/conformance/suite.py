"""The conformance suite: every notebook eagerly and in each compiled mode, classified and summed.

``run_suite`` runs (notebook, mode) jobs in parallel kernels (one process per job, ``workers`` at
a time), classifies each compiled run's cells against the eager run (``classify``) and sums them
per notebook and mode. The report's schema is in ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import math
import statistics
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from tests.conformance.classify import CLASSES, classify
from tests.conformance.runner import notebooks, run_notebook

MODES = ("function", "xla")
COMPILED_CELL = 0.5  # a cell's computation ran compiled when most of its ops ran inside graphs


def run_suite(
    paths: list[Path] | None = None,
    modes: tuple[str, ...] = MODES,
    workers: int = 2,
    reruns: int = 2,
) -> dict[str, Any]:
    paths = paths or notebooks()
    # the eager reference runs are keyed "reference": a mode "eager" in ``modes`` is a second
    # eager run (the notebooks' own determinism)
    jobs = [(path, mode) for path in paths for mode in ("reference", *modes)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            job: pool.submit(run_notebook, job[0], job[1].replace("reference", "eager"), reruns)
            for job in jobs
        }
        runs = {job: future.result() for job, future in futures.items()}
    cells: list[dict[str, Any]] = []
    summaries = []
    for path in paths:
        eager = runs[(path, "reference")]
        # the eager run against itself: its cells' own compiled share (user tf.functions)
        base = classify(eager, eager)
        summaries.append(summarize(base, eager))
        for mode in modes:
            records = classify(eager, runs[(path, mode)])
            cells.extend(records)
            summaries.append(summarize(records, runs[(path, mode)]))
    return {
        "schema": 1,
        "modes": list(modes),
        "notebooks": [p.name for p in paths],
        "summary": summaries,
        "totals": {mode: totals(cells, mode) for mode in modes},
        "cells": cells,
    }


def summarize(records: list[dict[str, Any]], run: dict[str, Any]) -> dict[str, Any]:
    out = _counts(records)
    out.update({"notebook": run["notebook"], "mode": run["mode"], "seconds": run["wall_seconds"]})
    return out


def totals(cells: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    return _counts([c for c in cells if c["mode"] == mode])


def _counts(records: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(records)
    by = {name: sum(r["class"] == name for r in records) for name in CLASSES}
    differing = [r for r in records if r["class"] in ("message", "error", "silent")]
    tensor = [r for r in records if r.get("tensor_cell") and r.get("compiled_share") is not None]
    compiled = [r for r in tensor if r["compiled_share"] >= COMPILED_CELL]
    strict = [
        r
        for r in records
        if r.get("tensor_cell_strict") and r.get("compiled_share_strict") is not None
    ]
    strict_compiled = [r for r in strict if r["compiled_share_strict"] >= COMPILED_CELL]
    graph = sum(r["graph_ops"] for r in tensor)
    ops = graph + sum(r["eager_ops"] for r in tensor)
    # a heavy cell's speed counts only when it showed what eager showed, on both runs (a
    # failing cell is fast); names it did not keep are the namespace goals' business
    timed = [r for r in records if r.get("eager_seconds") and r.get("seconds")]
    heavy = [r for r in timed if not r["outputs_differ"] and not r["rerun_differs"]]
    speedups = [r["eager_seconds"] / r["seconds"] for r in heavy]
    return {
        "cells": n,
        **by,
        "identical_share": _ratio(by["identical"] + by["error_identical"], n),
        "messages_naming_line": sum(bool(r.get("names_line")) for r in differing),
        "differing_with_message_share": _ratio(
            sum(r["class"] == "message" and bool(r.get("names_line")) for r in differing),
            len(differing),
            empty=1.0,
        ),
        "cascades": sum(bool(r.get("cascade")) for r in differing),
        "tensor_cells": len(tensor),
        "compiled_cells_share": _ratio(len(compiled), len(tensor)),
        "compiled_ops_share": _ratio(graph, ops),
        # tf.data's plumbing as eager ops, its functions uncounted (classify._share)
        "tensor_cells_strict": len(strict),
        "compiled_cells_share_strict": _ratio(len(strict_compiled), len(strict)),
        "heavy": [
            {
                "cell": r["cell"],
                "notebook": r["notebook"],
                "eager_seconds": round(r["eager_seconds"], 4),
                "seconds": round(r["seconds"], 4),
                "speedup": round(s, 3),
            }
            for r, s in zip(heavy, speedups, strict=True)
        ],
        "heavy_not_comparable": [f"{r['notebook']}[{r['cell']}]" for r in timed if r not in heavy],
        "heavy_speedup_geomean": round(math.exp(statistics.fmean(map(math.log, speedups))), 3)
        if speedups
        else None,
    }


def _ratio(a: float, b: float, empty: float = 0.0) -> float:
    return round(a / b, 4) if b else empty
