"""Distribution: how long a 2-worker job takes to train its first step, what 2 local workers give
next to one process on the same global batch, and what ``workbench.fit`` costs next to Keras'
``model.fit`` (one device; 4 virtual CPUs under the mirrored strategy).

The fit comparisons are ratios measured side by side, interleaved, in one fresh process each
(TensorFlow fixes its devices once per process). The launch goal is absolute because the issue
sets it so: from ``launch`` to the first finished step with 2 local workers under 10 s on a
2-core machine (it includes each worker's ``import tensorflow``, ~5 s of its own).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

from tests.bench.goals import at_most

REPEATS = 3

# the model and data of every measure here: a small MLP on 8k examples, global batch 64
SETUP = """
import time, numpy as np, tensorflow as tf, keras, workbench
def make_model():
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32,)), keras.layers.Dense(128, activation="relu"),
                          keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
    m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
    return m
rng = np.random.default_rng(0)
x = rng.normal(size=(8192, 32)).astype("float32"); y = rng.integers(0, 10, 8192)
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(64).prefetch(2)
"""

FIT_PAIR = """
strategy = workbench.strategy(show=False)
with strategy.scope():
    ours, theirs = make_model(), make_model()
workbench.fit(ours, data, epochs=1, strategy=strategy, verbose=0)  # warm: traces
theirs.fit(data, epochs=1, verbose=0)
times = {{"workbench": [], "keras": []}}
for _ in range({repeats}):
    t = time.perf_counter(); workbench.fit(ours, data, epochs=2, strategy=strategy, verbose=0)
    times["workbench"].append(time.perf_counter() - t)
    t = time.perf_counter(); theirs.fit(data, epochs=2, verbose=0)
    times["keras"].append(time.perf_counter() - t)
print(strategy.num_replicas_in_sync, min(times["workbench"]), min(times["keras"]))
"""


def _python(code: str, timeout: float = 600) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark process failed:\n{out.stdout}\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def _fit_pair(virtual: int) -> tuple[int, float, float]:
    split = f"import workbench\nworkbench.virtual_devices({virtual})\n" if virtual else ""
    code = split + SETUP + FIT_PAIR.format(repeats=REPEATS)
    replicas, ours, theirs = _python(code).split()
    return int(replicas), float(ours), float(theirs)


def _throughput(steps: int) -> float:
    """Steps a second of ``workbench.fit`` in the process it runs in (after a warm-up)."""
    import time as _time

    import keras
    import numpy
    import tensorflow as tf

    import workbench

    strategy = workbench.strategy(show=False)

    def make_model() -> Any:
        keras.utils.set_random_seed(0)
        m = keras.Sequential(
            [
                keras.Input((32,)),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10),
            ]
        )
        m.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m

    rng = numpy.random.default_rng(0)
    x = rng.normal(size=(8192, 32)).astype("float32")
    y = rng.integers(0, 10, 8192)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(64).repeat()
    with strategy.scope():
        model = make_model()
    workbench.fit(model, data, epochs=1, steps_per_epoch=20, strategy=strategy, verbose=0)
    t = _time.perf_counter()
    workbench.fit(model, data, epochs=1, steps_per_epoch=steps, strategy=strategy, verbose=0)
    return steps / (_time.perf_counter() - t)


def _first_step() -> tuple[float, float]:
    """From ``start_job`` to the first step a worker finished, 2 local workers; and to the
    moment both workers said hello (their Python started, before ``import tensorflow``)."""
    from workbench.distribute.launcher import start_job

    start = time.perf_counter()
    job = start_job(_throughput, 2, kwargs={"steps": 50}, logdir=None)
    hello = None
    try:
        while not any(w.step >= 1 for w in job.workers):
            if job.done:
                job.wait()
            if hello is None and all(w.heard is not None for w in job.workers):
                hello = time.perf_counter() - start
            time.sleep(0.01)
        return time.perf_counter() - start, hello or 0.0
    finally:
        job.cancel()


def run() -> dict[str, Any]:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    from workbench.distribute.launcher import start_job

    timings = [_first_step() for _ in range(REPEATS)]
    first = [t for t, _ in timings]

    steps = 300
    job = start_job(_throughput, 2, kwargs={"steps": steps}, logdir=None)
    two = job.wait(timeout=600)
    one = start_job(_throughput, 1, kwargs={"steps": steps}, logdir=None).wait(timeout=600)

    _, ours1, keras1 = _fit_pair(0)
    replicas, ours4, keras4 = _fit_pair(4)
    assert replicas == 4, replicas

    launch = statistics.median(first)
    throughput = min(two) / one[0]
    one_device = ours1 / keras1
    mirrored = ours4 / keras4
    return {
        # the launch goal is absolute: what else ran on the machine says what it is worth
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "launch_to_first_step_s": [round(s, 2) for s in first],
        "launch_to_both_workers_hello_s": [round(h, 2) for _, h in timings],
        "steps_per_s": {"two_workers": [round(s, 1) for s in two], "one_process": round(one[0], 1)},
        "fit_s": {
            "one_device": {"workbench": round(ours1, 3), "keras": round(keras1, 3)},
            "mirrored_4_virtual_cpus": {"workbench": round(ours4, 3), "keras": round(keras4, 3)},
        },
        "summary": {
            "launch_to_first_step_s": round(launch, 2),
            "two_workers_vs_one_process_throughput": round(throughput, 3),
            "workbench_fit_vs_model_fit_one_device": round(one_device, 3),
            "workbench_fit_vs_model_fit_mirrored_4_cpus": round(mirrored, 3),
        },
        "goals": [
            at_most("launch -> first finished step, 2 local workers (s)", launch, 10.0),
            at_most("workbench.fit / model.fit, one device", one_device, 1.10),
            at_most("workbench.fit / model.fit, mirrored on 4 virtual CPUs", mirrored, 1.10),
        ],
    }
