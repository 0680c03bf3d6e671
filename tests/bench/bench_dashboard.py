"""The training monitor's first paint in Voila, in headless Chromium, and what following a run
costs, each measured side by side in one run.

First paint: from ``page.goto`` to the runs table and a drawn curve panel, over a logdir with a
20k-step run and a profile. Three pages, interleaved, served by one Voila: the monitor as it is;
the same with ``import tensorflow`` first (what reading event files through TensorBoard's
TensorFlow reader cost a page); the same with plotly's renderers imported first (how its
charts' mimebundles were made before: they import nbformat and jsonschema's grammars).
Following: one poll that reads 1,000 new steps of a 100k-step run, next to ``Run.load`` of it
(what a page that reloads the run to redraw it pays).

Goals: the page paints in at most 0.8x the time of the one that imports TensorFlow and of the
one that imports plotly's renderers; a poll of 1% of a run costs at most 3% of a reload.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

from tests.bench.goals import at_most
from tests.conftest import REPO, run_python

REPEATS = 3
NOTEBOOK = REPO / "notebooks" / "dashboards" / "training_monitor.ipynb"
VARIANTS = {
    "monitor": "",
    "with_tensorflow": "import tensorflow\n",
    "with_plotly_renderers": "import plotly.io as pio\npio.renderers\n",
}

WRITE = """
import sys
import keras, tensorflow as tf
import workbench
from sklearn.datasets import load_digits
from workbench.curves.store import Run

logdir = sys.argv[1] if len(sys.argv) > 1 else {logdir!r}
run = Run("long", logdir)
for step in range(20_000):
    run.log(step, {{"loss": 1 / (step + 1), "accuracy": step / 20_000}})
run.close()
digits = load_digits()
x, y = digits.data.astype("float32") / 16, digits.target
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y, epochs=1, verbose=0, callbacks=[
    workbench.LiveCurves(logdir=logdir, run="profiled", profile_steps=(5, 10), display=False)])
"""


def _notebooks(folder: Path) -> None:
    for name, first in VARIANTS.items():
        nb = nbformat.read(NOTEBOOK, as_version=4)
        cell = nb.cells[1]
        cell.source = first + cell.source
        nbformat.write(nb, folder / f"{name}.ipynb")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _first_paints(folder: Path, logdir: Path) -> dict[str, list[float]]:
    from tests.browser import chromium

    port, token = _free_port(), secrets.token_hex(8)
    env = {**os.environ, "WORKBENCH_DASHBOARD_LOGDIR": str(logdir)}
    cmd = [sys.executable, "-m", "voila", str(folder), f"--port={port}", "--no-browser"]
    cmd += ["--Voila.ip=127.0.0.1", f"--Voila.token={token}", "--strip_sources=True"]
    cmd += [f"--VoilaConfiguration.extension_denylist={n}" for n in ("tf-workbench",)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        with chromium() as browser:
            for _ in range(REPEATS):
                for name in VARIANTS:  # interleaved: machine noise hits every page alike
                    page = browser.new_page(viewport={"width": 1280, "height": 1200})
                    page.set_default_timeout(120_000)
                    t = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/voila/render/{name}.ipynb?token={token}")
                    page.wait_for_selector(".workbench-runs-table")
                    page.wait_for_function(
                        "() => Number(document.querySelector("
                        "'.workbench-livecurves-panel')?.dataset.points) > 0"
                    )
                    samples[name].append(time.perf_counter() - t)
                    page.close()  # Voila shuts the page's kernel down
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return samples


def _follow_costs(folder: Path) -> dict[str, float]:
    from workbench.curves.follow import RunFollower
    from workbench.curves.store import Run

    run = Run("big", folder)
    for step in range(100_000):
        run.log(step, {"loss": 1 / (step + 1)})
    run.flush()
    follower = RunFollower(folder / "big")
    polls, loads = [], []
    for block in range(REPEATS):
        first = 100_000 + block * 1_000
        for step in range(first, first + 1_000):
            run.log(step, {"loss": 1 / (step + 1)})
        run.flush()
        t = time.perf_counter()
        follower.poll()
        polls.append(time.perf_counter() - t)
        t = time.perf_counter()
        Run.load(folder / "big")
        loads.append(time.perf_counter() - t)
    run.close()
    return {"poll_s": statistics.median(polls), "load_s": statistics.median(loads)}


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        logdir = folder / "runs"
        run_python(WRITE.format(logdir=str(logdir)), timeout=600)
        _notebooks(folder)
        samples = _first_paints(folder, logdir)
        follow = _follow_costs(folder / "follow")
    med = {name: statistics.median(values) for name, values in samples.items()}
    over_tf = med["monitor"] / med["with_tensorflow"]
    over_renderers = med["monitor"] / med["with_plotly_renderers"]
    over_load = follow["poll_s"] / follow["load_s"]
    return {
        "goals": [
            at_most("first paint / with import tensorflow", over_tf, 0.8),
            at_most("first paint / with plotly's renderers", over_renderers, 0.8),
            at_most("poll of 1k new steps / Run.load, 100k-step run", over_load, 0.03),
        ],
        "repeats": REPEATS,
        "samples_s": samples,
        "follow": follow,
        "summary": {
            "first_paint_s": {name: round(value, 2) for name, value in med.items()},
            "first_paint_over_with_tensorflow": round(over_tf, 3),
            "first_paint_over_with_plotly_renderers": round(over_renderers, 3),
            "poll_ms": round(follow["poll_s"] * 1000, 1),
            "run_load_ms": round(follow["load_s"] * 1000, 1),
        },
    }
