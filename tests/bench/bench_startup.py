"""What the workbench adds to start-up: ``import workbench`` next to ``import tensorflow``, and a
tf-workbench kernel's time to its first answer next to a plain python3 kernel's.

Measured side by side, interleaved, in one run; the figures that matter are the ratios. Goals:
``import workbench`` costs at most 5% of ``import tensorflow`` (it must not import it), and a
tf-workbench kernel answers a first TensorFlow cell within 1.15x a plain python3 kernel's time.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from tests.bench.goals import at_most

REPEATS = 5


def _import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _kernel_seconds(kernel_name: str) -> float:
    """From launch to the reply of a first cell that imports TensorFlow."""
    from jupyter_client.manager import start_new_kernel

    t = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=120)
    try:
        reply = kc.execute_interactive(
            "import tensorflow as tf; tf.constant(1)", timeout=120, output_hook=lambda _msg: None
        )
        assert reply["content"]["status"] == "ok"
        return time.perf_counter() - t
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run() -> dict[str, Any]:
    samples: dict[str, list[float]] = {
        "import_workbench_s": [],
        "import_tensorflow_s": [],
        "kernel_tf_workbench_s": [],
        "kernel_python3_s": [],
    }
    for _ in range(REPEATS):  # interleaved so that machine noise hits both sides alike
        samples["import_workbench_s"].append(_import_seconds("workbench"))
        samples["import_tensorflow_s"].append(_import_seconds("tensorflow"))
        samples["kernel_tf_workbench_s"].append(_kernel_seconds("tf-workbench"))
        samples["kernel_python3_s"].append(_kernel_seconds("python3"))
    med = {k: statistics.median(v) for k, v in samples.items()}
    import_ratio = med["import_workbench_s"] / med["import_tensorflow_s"]
    kernel_ratio = med["kernel_tf_workbench_s"] / med["kernel_python3_s"]
    return {
        "goals": [
            at_most("import workbench / import tensorflow", import_ratio, 0.05),
            at_most("tf-workbench kernel / python3 kernel, first TF cell", kernel_ratio, 1.15),
        ],
        "repeats": REPEATS,
        "samples": samples,
        "median": med,
        "summary": {
            "import_workbench_ms": round(med["import_workbench_s"] * 1000, 1),
            "import_workbench_over_import_tensorflow": round(
                med["import_workbench_s"] / med["import_tensorflow_s"], 4
            ),
            "tf_workbench_kernel_over_python3_kernel": round(
                med["kernel_tf_workbench_s"] / med["kernel_python3_s"], 3
            ),
        },
    }
