"""What a display costs: the rich display (text and HTML) of a 100M-element float32 tensor, clean,
with one NaN and with half of it NaN, next to one ``tf.reduce_mean`` over the same tensor.

Times are taken side by side in one process, the cases interleaved in rotating order and
summarised by the median of each round's ratio to the clean display (the machine is shared: a
ratio of times taken minutes apart would measure the neighbours). Peak memory is taken in a
fresh process per case, on its first display: the allocator keeps what it once held, so a later
display, or one after building the tensor in TensorFlow, would reuse it unseen.

Goals (ratios, never seconds): a tensor with one NaN displays in the time of a clean one
(within 1.25x), half NaN within 2x (its chunks are masked: NaN and Inf counted, non-finite
values replaced, distances summed), and a display with NaNs needs no more memory than a clean
one's beyond a tenth of the tensor's size (compacting the finite values needed 3x its size).
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

ROUNDS = 11
CASES = ("clean", "one_nan", "half_nan")
SIDE = 10_000  # a SIDE x SIDE float32 tensor: 100M elements
TENSOR_MB = SIDE * SIDE * 4 / 2**20
REPO = Path(__file__).resolve().parents[2]


def _memory_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"Expected {field} in /proc/self/status. Received: no such line")


def _shell() -> Any:
    import tensorflow as tf
    from IPython.core.formatters import DisplayFormatter

    from workbench.inspect import formatters

    shell = type("Shell", (), {"display_formatter": DisplayFormatter()})()
    formatters.register(shell)
    # kernels, thread pools and formatters set up on a small tensor with NaN and Inf
    shell.display_formatter.format(tf.constant([[1.0, float("nan")], [float("inf"), 2.0]]))
    return shell


def _tensor(name: str) -> Any:
    """Built in NumPy: TensorFlow's allocator would keep the temporaries of building it in TF."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    values = rng.standard_normal((SIDE, SIDE), dtype=np.float32)
    if name == "one_nan":
        values[SIDE // 2, SIDE // 3] = np.nan
    elif name == "half_nan":
        values[rng.random((SIDE, SIDE), dtype=np.float32) < 0.5] = np.nan
    return tf.constant(values)


def peak(name: str) -> float:
    """MB the first display of case ``name`` holds at its peak above what the process held
    before it. Run it in a fresh process."""
    shell, tensor = _shell(), _tensor(name)
    before = _memory_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (the peak) to the current RSS
    shell.display_formatter.format(tensor)
    return _memory_mb("VmHWM") - before


def times() -> dict[str, Any]:
    """Each case's display time over ``ROUNDS`` rounds, the cases in rotating order, and one
    ``reduce_mean``; with each round's ratio of a case to the clean display."""
    import tensorflow as tf

    shell = _shell()
    tensors = {name: _tensor(name) for name in CASES}
    actions = {name: (lambda t=t: shell.display_formatter.format(t)) for name, t in tensors.items()}
    actions["reduce_mean"] = lambda: float(tf.reduce_mean(tensors["clean"]))
    names = list(actions)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for action in actions.values():
        action()  # each display is a new one: both forms ask again, so it is computed anew
    for round_ in range(ROUNDS):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            start = time.perf_counter()
            actions[name]()
            samples[name].append(time.perf_counter() - start)
    ratios = {
        name: statistics.median(a / b for a, b in zip(samples[name], samples["clean"], strict=True))
        for name in ("one_nan", "half_nan", "reduce_mean")
    }
    return {
        "median_s": {name: statistics.median(s) for name, s in samples.items()},
        "over_clean": ratios,
    }


def _fresh(call: str) -> Any:
    code = f"import json, tests.bench.bench_inspect as b; print(json.dumps(b.{call}))"
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
    seconds, ratios = timed["median_s"], timed["over_clean"]
    peaks = {name: _fresh(f"peak({name!r})") for name in CASES}
    extra = (max(peaks["one_nan"], peaks["half_nan"]) - peaks["clean"]) / TENSOR_MB
    goals = [
        at_most("display with one NaN / clean display (time)", ratios["one_nan"], 1.25),
        at_most("display half NaN / clean display (time)", ratios["half_nan"], 2.0),
        at_most("display with NaNs - clean display (peak memory, x tensor size)", extra, 0.1),
    ]
    met = all(goal["met"] for goal in goals)
    return {
        "elements": SIDE * SIDE,
        "rounds": ROUNDS,
        "median_s": seconds,
        "over_clean": ratios,
        "peak_mb": peaks,
        "goals": goals,
        "goal": "a tensor with one NaN displays within 1.25x the time of a clean one, half NaN "
        "within 2x, and with at most a tenth of the tensor's size more peak memory",
        "goal_met": met,
        "summary": {
            **{f"{n}_ms": round(seconds[n] * 1e3) for n in CASES},
            **{f"{n}_over_clean": round(ratios[n], 2) for n in ("one_nan", "half_nan")},
            **{f"{n}_peak_mb": round(peaks[n]) for n in CASES},
            "nan_extra_peak_over_tensor": round(extra, 3),
            "clean_over_reduce_mean": round(1 / ratios["reduce_mean"], 1),
            "goal_met": met,
        },
    }
