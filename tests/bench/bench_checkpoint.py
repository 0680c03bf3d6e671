"""What checkpoints and export cost and give, measured side by side in one run.

Checkpoints: a 600k-parameter MLP fit on digits repeated 10 times (4 epochs of 141 steps) with
``workbench.checkpoint`` saving every epoch (7 MB: weights and Adam's slots, synced to disk),
interleaved with the same fit without it, fastest of 3 each; and a fit stopped after 2 epochs
and resumed against 4 straight (exactness). Export: ``workbench.export(compare=True)`` on a
digits CNN, its table read for LiteRT int8 against float and against Keras.

Goals: saving every epoch takes at most 8% of the fit's time (timed inside the fit; the
side-by-side ratio of whole fits is kept too, but on 2 shared cores their times vary by 2x); the
resumed weights equal the straight ones (max difference 0); int8 LiteRT is at most 35% of float
LiteRT's size and loses at most 2 points of accuracy; float LiteRT answers one example at least
5x faster than Keras' graph.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench.goals import at_least, at_most

REPEATS = 3


def _data() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = np.repeat(digits.data.astype("float32") / 16, 10, axis=0)  # 17970 examples
    return x, np.repeat(digits.target, 10)


def _mlp() -> Any:
    import keras

    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(1024, activation="relu"),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _fit(callbacks: list[Any], epochs: int = 4) -> tuple[float, Any]:
    import keras

    x, y = _data()
    keras.utils.set_random_seed(0)
    model = _mlp()
    start = time.perf_counter()
    model.fit(x, y, epochs=epochs, batch_size=128, callbacks=callbacks, verbose=0)
    return time.perf_counter() - start, model


def _time_saves(ck: Any) -> list[float]:
    """Wrap ``ck``'s saves with a timer; the returned list's one value is their total."""
    spent = [0.0]
    save = ck._save

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return save(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    ck._save = timed
    return spent


def _checkpoint_cost(work: Path) -> dict[str, Any]:
    """Fits with and without saving, interleaved; and, inside each checkpointed fit, the time its
    saves took over the fit's own time (one run: the machine's other load hits both alike)."""
    import workbench

    plain, saving, shares = [], [], []
    _fit([], epochs=1)  # warm-up: traces, allocations
    for repeat in range(REPEATS):
        plain.append(_fit([])[0])
        ck = workbench.checkpoint(work / f"cost-{repeat}", report=lambda _line: None)
        spent = _time_saves(ck)
        seconds = _fit([ck])[0]
        saving.append(seconds)
        shares.append(spent[0] / seconds)
    size = ck.last.size if ck.last is not None else 0
    return {
        "plain_s": plain,
        "checkpointed_s": saving,
        "save_share": shares,
        "share": statistics.median(shares),
        "ratio": min(saving) / min(plain),
        "checkpoint_bytes": size,
    }


def _resume_difference(work: Path) -> float:
    import tensorflow as tf

    import workbench

    tf.config.experimental.enable_op_determinism()
    quiet = {"report": lambda _line: None}
    _fit([workbench.checkpoint(work / "resume", **quiet)], epochs=2)
    _, resumed = _fit([workbench.checkpoint(work / "resume", **quiet)], epochs=4)
    _, straight = _fit([], epochs=4)
    pairs = zip(resumed.get_weights(), straight.get_weights(), strict=True)
    return max(float(np.abs(a - b).max()) for a, b in pairs)


def _export(work: Path) -> dict[str, Any]:
    import keras
    from sklearn.datasets import load_digits

    import workbench

    digits = load_digits()
    x = (digits.images / 16).astype("float32")[..., None]
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:1400], digits.target[:1400], epochs=10, verbose=0)
    report = workbench.export(
        model,
        work / "export",
        compare=True,
        representative_data=x[:200],
        validation_data=(x[1400:], digits.target[1400:]),
        display=False,
    )
    return {"text": repr(report), "rows": report.to_dict()["rows"]}


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cost = _checkpoint_cost(work)
        exported = _export(work)
        difference = _resume_difference(work)  # last: op determinism stays on once set
    rows = {row["kind"]: row for row in exported["rows"]}
    keras_row, float_row, int8 = (
        rows["keras (in memory)"],
        rows["litert-float"],
        rows["litert-int8"],
    )
    return {
        "goals": [
            at_most("share of a fit spent saving a checkpoint every epoch", cost["share"], 0.08),
            at_most("max |weights resumed at epoch 2 - straight 4 epochs|", difference, 0.0),
            at_most("LiteRT int8 size / LiteRT float size", int8["size"] / float_row["size"], 0.35),
            at_most(
                "accuracy lost by LiteRT int8 (points)",
                100 * (keras_row["accuracy"] - int8["accuracy"]),
                2.0,
            ),
            at_least(
                "Keras batch-1 latency / LiteRT float batch-1 latency",
                keras_row["batch1_ms"] / float_row["batch1_ms"],
                5.0,
            ),
        ],
        "checkpoint": cost,
        "resume_max_difference": difference,
        "export": exported,
        "summary": {
            "save_share_every_epoch": round(cost["share"], 4),
            "fit_with_over_without_fastest": round(cost["ratio"], 3),
            "checkpoint_kb": round(cost["checkpoint_bytes"] / 1024, 1),
            "resume_max_difference": difference,
            "export_table": exported["text"].splitlines(),
        },
    }
