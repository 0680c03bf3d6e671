"""A logdir as a user's would be after a day of work: a profiled Keras fit (input-bound by
construction: a Python function that sleeps in the pipeline) with its checkpoints, a saved
projection of the digits, a custom loop's run, and a run whose event file was damaged on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run_python

WRITE = """
import sys, time
import keras, numpy as np, tensorflow as tf
import workbench
import workbench.projector
from sklearn.datasets import load_digits
from workbench.curves.store import Run

logdir = sys.argv[1] if len(sys.argv) > 1 else {logdir!r}
digits = load_digits()
x, y = digits.data.astype("float32") / 16, digits.target
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
def load(t):  # 1 ms an example: a step waits ~32 ms for its batch, computes in ~1 ms
    time.sleep(0.001)
    return t
slow = tf.data.Dataset.from_tensor_slices((x, y)).map(
    lambda a, b: (tf.py_function(load, [a], tf.float32), b)).batch(32)
slow = slow.map(lambda a, b: (tf.reshape(a, [-1, 64]), b))
model.fit(slow, epochs=2, verbose=0, callbacks=[
    workbench.LiveCurves(logdir=logdir, run="profiled", profile_steps=(5, 12), display=False),
    workbench.checkpoint(logdir + "/ckpts")])
workbench.projector.export_projector(
    logdir + "/projector", x[:300], {{"label": [str(v) for v in y[:300]]}})
run = Run("loop", logdir)
for step in range(300):
    run.log(step, {{"loss": 2.0 / (step + 1)}})
run.close()
run = Run("damaged", logdir)
for step in range(300):
    run.log(step, {{"loss": 1.0}})
run.close()
"""


@pytest.fixture(scope="package")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dashboard") / "runs"
    run_python(WRITE.format(logdir=str(root)), timeout=300)
    (event_file,) = (root / "damaged" / "train").glob("events.out.tfevents.*")
    data = bytearray(event_file.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 48] = os.urandom(48)
    event_file.write_bytes(bytes(data))
    return root
