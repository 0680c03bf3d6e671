"""A tensor display copies a bounded sample to the host, never the whole tensor: measured as the
peak memory a display of a 95 MB tensor adds, in a fresh process (``/proc/self/status``)."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import run_python

PEAK = """
from pathlib import Path
import tensorflow as tf
from workbench.inspect.tensors import summarize

def mb(key):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(key))
    return int(line.split()[1]) / 1024

x = tf.random.normal([25_000_000], seed=1)  # 95 MB of float32
summarize(tf.ones([10]))  # the first display's one-off costs
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
before = mb("VmRSS")
summary = summarize(x)
print(mb("VmHWM") - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_displaying_a_large_tensor_adds_far_less_memory_than_the_tensor() -> None:
    extra_mb = float(run_python(PEAK).split()[-1])
    # a copy of the tensor on the host (as float64, as the statistics read it) would add ~380 MB
    assert extra_mb < 95 / 4, f"the display added {extra_mb:.0f} MB at its peak"
