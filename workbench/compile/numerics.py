"""A compiled cell computes NaN and Inf as the eager cell does.

Two of TensorFlow's compilers change what NaN becomes (checked on this machine, FINDINGS.md):

* Grappler's remapper fuses MatMul or Conv2D, BiasAdd and Relu into one kernel whose Relu maps
  NaN to 0: a ``Dense(3, activation="relu")`` on a row holding a NaN gives ``[0, 0, 0]`` inside a
  ``tf.function`` and ``[nan, nan, nan]`` eagerly, so a compiled training step hid the NaN the
  workbench's curves and displays exist to show. The remapper is turned off for the calls of the
  cell's own functions only (a per-call option, so ``model.fit`` and the user's own
  ``tf.function`` keep TensorFlow's defaults); the step measured as fast without it (an MLP 0.99x,
  a CNN 0.94x of the fused step's time).
* XLA on CPU compiles ``reduce_max``/``reduce_min`` to min/max that skip NaN
  (``xla_cpu_enable_fast_min_max``): ``reduce_max([1, nan, 3])`` gives 3 under XLA and NaN
  eagerly. The flag is read once, when XLA first compiles, so :func:`eager_xla_flags` sets it when
  the extension loads, before any cell can compile.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

XLA_FLAG = "--xla_cpu_enable_fast_min_max=false"

_options: dict[bytes, Any] = {}  # the caller's serialized options -> the same without remapper


def eager_xla_flags() -> None:
    """Ask XLA for NaN-propagating min/max, unless the user chose the flag already."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_cpu_enable_fast_min_max" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {XLA_FLAG}".strip()


@contextmanager
def eager_numerics() -> Iterator[None]:
    """Calls of ``tf.function`` inside run with Grappler's remapper off (this thread only)."""
    from tensorflow.python.eager import context

    ctx = context.context()
    before = ctx.function_call_options
    ctx.function_call_options = _without_remapper(before)
    try:
        yield
    finally:
        ctx.function_call_options = before


def _without_remapper(options: Any) -> Any:
    key = options.config_proto_serialized
    if key not in _options:
        from tensorflow.core.protobuf import config_pb2, rewriter_config_pb2
        from tensorflow.python.eager.context import FunctionCallOptions

        config = config_pb2.ConfigProto.FromString(key)
        config.graph_options.rewrite_options.remapping = rewriter_config_pb2.RewriterConfig.OFF
        _options[key] = FunctionCallOptions(options.executor_type, config)
    return _options[key]
