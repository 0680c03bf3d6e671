"""The live curves view at scale: what one widget sends per second at 10k and 100k ``log()``
calls a second (columns, as now, beside every point, as before issue 18), what ``log()`` costs
next to ``tf.summary.scalar``, and the kernel memory a finished 200k-step run keeps.

Traffic: a ``workbench.run`` custom loop logging two metrics, paced to the rate for a few
seconds, its widget's messages counted through a comm that keeps nothing (the boundary the widget
tests record at). The old scheme is the widget's push before issue 18 (every new point, a series
reset to 2,000 LTTB points past 20,000 in the view), run the same way. Bytes on the wire are the
messages' JSON and buffers plus the envelope each message gets on JupyterLab's websocket
(``ENVELOPE``, measured in the browser test: a progress update with ~40 bytes of content arrives
as ~680 bytes). The figure is the worst second of the run.

``log()`` against ``tf.summary.scalar``: the same loop of two metrics a step, in this process,
rounds interleaved, medians per call (``log`` with its event files and a streaming widget).

Memory: runs of 200k steps and two metrics, one after another in a fresh process, each streamed
to a widget; resident memory after each, and its growth per finished run after the second.

Goals: at most 100 KB/s at either rate, ``log()`` at most a tenth of ``tf.summary.scalar``'s
cost, at most 3 MB kept per finished run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from tests.bench.goals import at_most

RATES = (10_000, 100_000)  # log() calls a second
SECONDS = 3.0
ENVELOPE = 650  # bytes a message carries on the websocket besides its content and buffers
ROUNDS = 5
CALLS = 20_000  # per round of the log()/tf.summary comparison
RUNS = 6  # of 200k steps, for memory


class _Counter:
    """Every message the widgets send: (time, bytes of content and buffers)."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, int]] = []


@contextmanager
def _counting() -> Iterator[_Counter]:
    import comm
    from comm.base_comm import BaseComm

    counter = _Counter()

    class CountingComm(BaseComm):  # type: ignore[misc]
        def publish_msg(
            self,
            msg_type: str,
            data: Any = None,
            metadata: Any = None,
            buffers: Any = None,
            **keys: Any,
        ) -> None:
            size = len(json.dumps(data or {})) + sum(len(bytes(b)) for b in buffers or [])
            counter.sent.append((time.perf_counter(), size))

    original = comm.create_comm
    comm.create_comm = lambda **kwargs: CountingComm(**kwargs)
    try:
        yield counter
    finally:
        comm.create_comm = original


@contextmanager
def _old_scheme() -> Iterator[None]:
    """The widget's push before issue 18, for the same loop."""
    from workbench.curves.downsample import lttb
    from workbench.widgets import live_curves
    from workbench.widgets.base import float64_buffer

    class Appends(live_curves.CurvesWidget):
        LIVE_LIMIT, RESET_POINTS = 20_000, 2_000

        def push(self, *, final: bool = False) -> int:
            sent = self.__dict__.setdefault("_old_sent", {})
            front = self.__dict__.setdefault("_old_front", {})
            messages: dict[str, list[Any]] = {"append": [], "reset": []}
            for key, series in list(self.run.series.items()):
                start, end = sent.get(key, 0), len(series)
                if end <= start:
                    continue
                if front.get(key, 0) + end - start > self.LIVE_LIMIT:
                    steps, values = series.steps[:end], series.values[:end]
                    keep = lttb(steps.astype(float), values, self.RESET_POINTS)
                    messages["reset"].append((key, steps[keep], values[keep]))
                    front[key] = len(keep)
                else:
                    messages["append"].append(
                        (key, series.steps[start:end], series.values[start:end])
                    )
                    front[key] = front.get(key, 0) + end - start
                sent[key] = end
            for kind, items in messages.items():
                if items:
                    headers = [
                        {"key": f"{s}/{m}", "group": m, "split": s, "n": len(st)}
                        for (s, m), st, _ in items
                    ]
                    buffers = [float64_buffer(a) for _, st, v in items for a in (st, v)]
                    self.send({"type": kind, "series": headers}, buffers)
            return sum(len(st) for _, st, _ in items for items in messages.values())

    original = live_curves.CurvesWidget
    live_curves.CurvesWidget = Appends  # type: ignore[misc]
    try:
        yield
    finally:
        live_curves.CurvesWidget = original  # type: ignore[misc]


def _paced_run(rate: int, seconds: float) -> tuple[float, float, float]:
    """A custom loop logging two metrics at ``rate`` calls a second: the rate it kept, and
    when it began and ended (its run closed: the last push sent)."""
    import workbench

    n = int(rate * seconds)
    chunk = max(1, rate // 1000)  # look at the clock every millisecond's worth of calls
    with workbench.run(f"paced-{rate}", logdir=None, display=False) as r:
        began = time.perf_counter()
        step = 0
        while step < n:
            for _ in range(chunk):
                step += 1
                noise = ((step * 7919) % 1000) / 1e4
                r.log(step, loss=1 / (1 + step / 1e4) + noise, accuracy=step / n)
            ahead = step / rate - (time.perf_counter() - began)
            if ahead > 0:
                time.sleep(ahead)
        kept = step / (time.perf_counter() - began)
    return kept, began, time.perf_counter()


def _traffic(rate: int, old: bool) -> dict[str, float]:
    with _counting() as counter:
        if old:
            with _old_scheme():
                kept, began, ended = _paced_run(rate, SECONDS)
        else:
            kept, began, ended = _paced_run(rate, SECONDS)
    sent = [(t, n + ENVELOPE) for t, n in counter.sent if began <= t <= ended]
    worst = max(sum(n for u, n in sent if t <= u < t + 1) for t, _ in sent)
    return {
        "rate_kept": round(kept),
        "messages_per_second": round(len(sent) / (ended - began), 1),
        "kb_per_second": round(sum(n for _, n in sent) / (ended - began) / 1e3, 1),
        "worst_second_kb": round(worst / 1e3, 1),
    }


def _log_against_tf_summary() -> dict[str, float]:
    import tensorflow as tf

    import workbench

    logdir = tempfile.mkdtemp()
    values = np.random.default_rng(0).random(CALLS).tolist()
    writer = tf.summary.create_file_writer(os.path.join(logdir, "tf"))
    with _counting():
        times: dict[str, list[float]] = {"log": [], "tf.summary.scalar": []}
        for round_ in range(ROUNDS):
            with workbench.run(f"cost-{round_}", logdir=logdir, display=False) as r:
                began = time.perf_counter()
                for step, value in enumerate(values):
                    r.log(step, loss=value, accuracy=1 - value)
                times["log"].append((time.perf_counter() - began) / CALLS)
            with writer.as_default():
                began = time.perf_counter()
                for step, value in enumerate(values):
                    tf.summary.scalar("loss", value, step=step)
                    tf.summary.scalar("accuracy", 1 - value, step=step)
                writer.flush()
                times["tf.summary.scalar"].append((time.perf_counter() - began) / CALLS)
    return {name: statistics.median(t) * 1e6 for name, t in times.items()}


MEMORY = """
import json, tempfile, comm, workbench
from comm.base_comm import BaseComm

class Quiet(BaseComm):
    def publish_msg(self, *args, **kwargs):
        pass

comm.create_comm = lambda **kwargs: Quiet(**kwargs)
logdir = tempfile.mkdtemp()

def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 1e6

sizes = []
for i in range(RUNS):
    with workbench.run(f"big{i}", logdir=logdir, display=False) as r:
        for step in range(200_000):
            r.log(step, loss=1.0 / (1 + step), accuracy=step / 2e5)
    sizes.append(rss())
print(json.dumps(sizes))
"""


def _memory() -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY.replace("RUNS", str(RUNS))],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    sizes: list[float] = json.loads(out.stdout.strip().splitlines()[-1])
    return sizes


def run() -> dict[str, Any]:
    traffic = {
        f"{rate // 1000}k_per_second": {
            "columns": _traffic(rate, old=False),
            "points_before": _traffic(rate, old=True),
        }
        for rate in RATES
    }
    cost = _log_against_tf_summary()
    sizes = _memory()
    per_run = (sizes[-1] - sizes[1]) / (len(sizes) - 2)
    goals = [
        *(
            at_most(
                f"live view traffic at {rate // 1000}k log()/s, worst second, KB",
                traffic[f"{rate // 1000}k_per_second"]["columns"]["worst_second_kb"],
                100,
            )
            for rate in RATES
        ),
        at_most(
            "log() / tf.summary.scalar, two metrics a step",
            cost["log"] / cost["tf.summary.scalar"],
            0.1,
        ),
        at_most("kernel memory kept per finished 200k-step run, MB", per_run, 3),
    ]
    return {
        "goals": goals,
        "seconds": SECONDS,
        "envelope_bytes": ENVELOPE,
        "traffic": traffic,
        "us_per_call": {k: round(v, 2) for k, v in cost.items()},
        "rss_mb_after_each_run": [round(s, 1) for s in sizes],
        "summary": {
            "traffic_kb_per_second": {
                rate: {scheme: t["kb_per_second"] for scheme, t in schemes.items()}
                for rate, schemes in traffic.items()
            },
            "us_per_call": {k: round(v, 2) for k, v in cost.items()},
            "mb_per_finished_run": round(per_run, 2),
        },
    }
