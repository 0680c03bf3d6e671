"""Running each artifact on this CPU: a callable per format (Keras in memory, the SavedModel, the
``.keras`` file, LiteRT's interpreter), timed per example at batch 1 and at a batch, and its
outputs on the validation data compared with the Keras model's."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.exports.errors import ExportError

Runner = Callable[[np.ndarray], np.ndarray]


def litert_interpreter() -> tuple[Any, str]:
    """LiteRT's interpreter (``ai-edge-litert``), or TensorFlow's deprecated one if absent."""
    try:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter, "LiteRT"
    except ImportError:
        import tensorflow as tf

        return tf.lite.Interpreter, "tf.lite (ai-edge-litert absent)"


class LiteRTRunner:
    """A ``.tflite`` model in the interpreter: resized to each batch, int8 in/out quantized and
    dequantized with the model's own scale and zero point."""

    def __init__(self, path: Path) -> None:
        interpreter, self.runtime = litert_interpreter()
        self.interpreter = interpreter(model_path=str(path))
        inputs, outputs = (
            self.interpreter.get_input_details(),
            self.interpreter.get_output_details(),
        )
        if len(inputs) != 1 or len(outputs) != 1:
            raise ExportError(
                f"Expected a model of one input and one output to measure. Received: {path.name} "
                f"with {len(inputs)} inputs and {len(outputs)} outputs."
            )
        self.input, self.output = inputs[0], outputs[0]
        self.batch = -1

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) != self.batch:
            self.interpreter.resize_tensor_input(self.input["index"], [len(x), *x.shape[1:]])
            self.interpreter.allocate_tensors()
            self.batch = len(x)
        dtype = self.input["dtype"]
        if dtype == np.int8:
            scale, zero = self.input["quantization"]
            x = np.clip(np.round(x / scale + zero), -128, 127)
        self.interpreter.set_tensor(self.input["index"], x.astype(dtype))
        self.interpreter.invoke()
        out = self.interpreter.get_tensor(self.output["index"])
        if self.output["dtype"] == np.int8:
            scale, zero = self.output["quantization"]
            out = (out.astype(np.float32) - zero) * scale
        return np.asarray(out, dtype=np.float32)


def keras_runner(model: Any) -> Runner:
    """The model's inference as ``predict`` runs it (one traced graph, not eager calls)."""
    import tensorflow as tf

    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    return lambda x: np.asarray(call(tf.constant(x)))


def savedmodel_runner(path: Path) -> Runner:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    return lambda x: np.asarray(loaded.serve(tf.constant(x)))


@dataclass
class Measured:
    batch1_ms: float  # per example
    batch_ms: float  # per example, at ``batch``
    batch: int
    outputs: np.ndarray


def run_all(run: Runner, x: np.ndarray, batch: int) -> np.ndarray:
    return np.concatenate([run(x[i : i + batch]) for i in range(0, len(x), batch)])


def measure(run: Runner, x: np.ndarray, batch: int, budget: float = 0.4) -> Measured:
    """Median time per example at batch 1 and at ``batch`` (each timed for about ``budget``
    seconds after a warm-up call), and the outputs on all of ``x``."""
    outputs = run_all(run, x, batch)
    one = _median(run, x[:1], budget)
    many = _median(run, x[:batch], budget) / min(batch, len(x))
    return Measured(one * 1e3, many * 1e3, min(batch, len(x)), outputs)


def _median(run: Runner, x: np.ndarray, budget: float) -> float:
    run(x)  # warm-up: traces, allocations
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < 5 or (time.perf_counter() < deadline and len(times) < 500):
        start = time.perf_counter()
        run(x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size_on_disk(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
