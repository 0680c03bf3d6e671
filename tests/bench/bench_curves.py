"""LiveCurves against the tools users watch training with: cost on ``model.fit`` and the size of
what each leaves in the saved notebook.

Everything runs in a real tf-workbench kernel driven by nbclient, as users run it (widgets and
inline figures need a kernel). Per model, the variants' fits are interleaved round by round and
summarised by medians, each relative to a plain ``fit(verbose=0)`` of the same round. Output size:
each variant alone in a notebook, saved, minus the same notebook with a plain fit. Goals:
LiveCurves within 1.05x a plain fit on tiny (~1 ms) steps and 1.03x on ~10 ms steps, and at most
as slow as Keras' own progress bar; its saved output under 100 KB.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from tests.bench.goals import at_most

ROUNDS = 11
# Per model: the ~10 ms-step model makes ~11 steps an epoch, and a 3-epoch fit (under a second)
# varied by +-15% from fit to fit on these machines, more than any callback costs.
EPOCHS = {"tiny": 3, "ten_ms": 10}

SETUP = """
import json, statistics, time
import numpy as np, keras
from sklearn.datasets import load_digits
digits = load_digits()
x = digits.data.astype("float32") / 16
y = digits.target
def build(kind):
    if kind == "tiny":
        layers = [keras.layers.Dense(32, activation="relu")]
        batch = 16
    else:  # about 10 ms a step on these machines
        layers = [keras.layers.Dense(768, activation="relu") for _ in range(3)]
        batch = 128
    model = keras.Sequential([keras.Input((64,)), *layers, keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model, batch
"""

VARIANTS: dict[str, str] = {
    "plain": "dict(verbose=0)",
    "livecurves": "dict(verbose=0, callbacks=[workbench.LiveCurves(logdir=logdir)])",
    "tensorboard_batch": (
        "dict(verbose=0, callbacks=[keras.callbacks.TensorBoard(logdir, update_freq='batch')])"
    ),
    "tensorboard_epoch": (
        "dict(verbose=0, callbacks=[keras.callbacks.TensorBoard(logdir, update_freq='epoch')])"
    ),
    "progbar": "dict(verbose=1)",
    "tqdm": "dict(verbose=0, callbacks=[TqdmCallback(verbose=1)])",
    "livelossplot": "dict(verbose=0, callbacks=[PlotLossesKeras()])",
}

IMPORTS = """
import workbench, tempfile
from tqdm.keras import TqdmCallback
from livelossplot import PlotLossesKeras
logdir = tempfile.mkdtemp()
"""


def _fit_cell(kind: str, variant: str) -> str:
    return (
        f"kwargs = {VARIANTS[variant]}\n"
        f"model, batch = models[{kind!r}]\n"
        f"model.set_weights(initial[{kind!r}])\n"
        "start = time.perf_counter()\n"
        f"model.fit(x, y, epochs={EPOCHS[kind]}, batch_size=batch, validation_split=0.2, "
        "**kwargs)\n"
        f"times[{kind!r}][{variant!r}].append(time.perf_counter() - start)\n"
    )


def _execute(cells: list[str], cwd: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "tf-workbench", "display_name": "TF", "language": "python"}
    NotebookClient(
        nb, timeout=1800, kernel_name="tf-workbench", resources={"metadata": {"path": cwd}}
    ).execute()
    return nb


def _timings(cwd: Path) -> dict[str, Any]:
    cells = [
        SETUP + IMPORTS,
        "models = {k: build(k) for k in ('tiny', 'ten_ms')}\n"
        "initial = {k: m.get_weights() for k, (m, _) in models.items()}\n"
        f"times = {{k: {{v: [] for v in {list(VARIANTS)!r}}} for k in models}}\n"
        # warm-up: trace the train functions outside the timings
        "for m, b in models.values():\n    m.fit(x[:512], y[:512], batch_size=b, verbose=0)",
    ]
    names = list(VARIANTS)
    for kind in ("tiny", "ten_ms"):
        for round_ in range(ROUNDS):
            # a different variant goes first each round: order effects spread evenly
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            cells.extend(_fit_cell(kind, variant) for variant in order)
    cells.append(
        "ratios = {k: {v: statistics.median(t[v][i] / t['plain'][i] for i in range(len(t[v])))"
        " for v in t} for k, t in times.items()}\n"
        f"steps = {{k: len(x) * 0.8 / models[k][1] * {EPOCHS!r}[k] for k in models}}\n"
        "plain_ms = {k: statistics.median(times[k]['plain']) / steps[k] * 1e3 for k in models}\n"
        "print('RESULT' + json.dumps({'ratios': ratios, 'plain_step_ms': plain_ms}))"
    )
    nb = _execute(cells, cwd)
    for output in nb.cells[-1].outputs:
        text = output.get("text", "")
        if "RESULT" in text:
            return dict(json.loads(text.split("RESULT", 1)[1]))
    raise RuntimeError("the timing notebook printed no result")


def _output_bytes(cwd: Path) -> dict[str, int]:
    sizes = {}
    for variant in VARIANTS:
        nb = _execute(
            [
                SETUP + IMPORTS + "models = {'tiny': build('tiny')}\n"
                "initial = {'tiny': models['tiny'][0].get_weights()}\n"
                "times = {'tiny': {v: [] for v in " + repr(list(VARIANTS)) + "}}",
                _fit_cell("tiny", variant),
            ],
            cwd,
        )
        path = cwd / f"{variant}.ipynb"
        nbformat.write(nb, path)
        sizes[variant] = path.stat().st_size
    return {v: size - sizes["plain"] for v, size in sizes.items()}


def run() -> dict[str, Any]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        timings = _timings(cwd)
        sizes = _output_bytes(cwd)
    ratios = timings["ratios"]
    goals = [
        at_most("LiveCurves fit / plain fit, ~1 ms steps", ratios["tiny"]["livecurves"], 1.05),
        at_most("LiveCurves fit / plain fit, ~10 ms steps", ratios["ten_ms"]["livecurves"], 1.03),
        at_most(
            "LiveCurves fit / progress bar fit, ~1 ms steps",
            ratios["tiny"]["livecurves"] / ratios["tiny"]["progbar"],
            1.0,
        ),
        at_most("LiveCurves saved output, KB", sizes["livecurves"] / 1000, 100),
    ]
    return {
        "goals": goals,
        "rounds": ROUNDS,
        "epochs": EPOCHS,
        "plain_step_ms": timings["plain_step_ms"],
        "fit_time_over_plain": ratios,
        "notebook_bytes_over_plain": sizes,
        "summary": {
            "fit_time_over_plain": {
                k: {v: round(r, 3) for v, r in by.items()} for k, by in ratios.items()
            },
            "plain_step_ms": {k: round(v, 2) for k, v in timings["plain_step_ms"].items()},
            "notebook_bytes_over_plain": sizes,
        },
    }
