"""``workbench.stats`` over 1M rows x 50 features (40 float columns, one with 5% NaN, 8 integer
columns, 2 string columns) beside pandas' ``describe(include="all")`` of the same DataFrame.

Times are taken side by side in one process, alternating, ``ROUNDS`` rounds, and judged by the
median of each round's ratio (the machine is shared: a ratio of times taken minutes apart would
measure the neighbours). Peak memory above the data is taken in a fresh process per tool, the
peak reset just before it runs (``/proc/self/clear_refs``).

Goals (ratios, never seconds): stats takes at most 1.5x describe's time (describe computes
exact quantiles but no histograms, top-value lists, shapes or distinct counts of its own for
numbers; stats gives all of those, streaming), and its peak memory above the data is at most a
tenth of the data's size (it holds one batch, never a copy of the frame: describe's peak is
printed beside it).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.goals import at_most

ROWS = 1_000_000
ROUNDS = 3
REPO = Path(__file__).resolve().parents[2]


def _memory_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"Expected {field} in /proc/self/status. Received: no such line")


def frame(rows: int = ROWS) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    columns: dict[str, Any] = {f"x{i}": rng.normal(i, 1.0 + i, rows) for i in range(40)}
    columns["x0"][rng.random(rows) < 0.05] = np.nan
    columns.update({f"n{i}": rng.integers(0, 10 ** (i % 5 + 1), rows) for i in range(8)})
    columns["city"] = rng.choice(np.array(["Oslo", "Lima", "Pune", "Kyiv", "Quito"]), rows)
    columns["code"] = rng.choice(np.array([f"c{i}" for i in range(5_000)]), rows)
    return pd.DataFrame(columns)


def _tools(data: Any) -> dict[str, Any]:
    from workbench.data.stats import compute

    return {
        "stats": lambda: compute(data),
        "describe": lambda: data.describe(include="all"),
    }


def times() -> dict[str, Any]:
    data = frame()
    tools = _tools(data)
    _tools(data.iloc[:70_000])["stats"]()  # XLA compiles its shapes, sketches load
    samples: dict[str, list[float]] = {name: [] for name in tools}
    for round_ in range(ROUNDS):
        order = list(tools) if round_ % 2 == 0 else list(reversed(tools))
        for name in order:
            start = time.perf_counter()
            tools[name]()
            samples[name].append(time.perf_counter() - start)
    ratio = statistics.median(
        a / b for a, b in zip(samples["stats"], samples["describe"], strict=True)
    )
    return {"median_s": {k: statistics.median(v) for k, v in samples.items()}, "ratio": ratio}


def peak(name: str) -> dict[str, float]:
    """MB the tool ``name`` holds at its peak above the process before it, and the data's MB.
    Run it in a fresh process."""
    data = frame()
    tools = _tools(data)
    if name == "stats":
        _tools(data.iloc[:70_000])["stats"]()
    size = float(data.memory_usage(deep=True).sum()) / 2**20
    before = _memory_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (the peak) to the current RSS
    tools[name]()
    return {"peak_mb": _memory_mb("VmHWM") - before, "data_mb": size}


def _fresh(call: str) -> Any:
    code = f"import json, tests.bench.bench_data as b; print(json.dumps(b.{call}))"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(f"Expected {call} to finish. Received: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run() -> dict[str, Any]:
    timed = _fresh("times()")
    stats_peak, describe_peak = _fresh("peak('stats')"), _fresh("peak('describe')")
    data_mb = stats_peak["data_mb"]
    goals = [
        at_most("stats / pandas describe, 1M x 50 (time)", timed["ratio"], 1.5),
        at_most(
            "stats peak memory above the data / data size", stats_peak["peak_mb"] / data_mb, 0.1
        ),
    ]
    return {
        "rows": ROWS,
        "features": 50,
        "rounds": ROUNDS,
        "median_s": timed["median_s"],
        "peak_mb": {"stats": stats_peak["peak_mb"], "describe": describe_peak["peak_mb"]},
        "data_mb": data_mb,
        "goals": goals,
        "summary": {
            "stats_s": round(timed["median_s"]["stats"], 2),
            "describe_s": round(timed["median_s"]["describe"], 2),
            "ratio": round(timed["ratio"], 3),
            "stats_peak_mb": round(stats_peak["peak_mb"], 1),
            "describe_peak_mb": round(describe_peak["peak_mb"], 1),
            "data_mb": round(data_mb, 1),
        },
    }
