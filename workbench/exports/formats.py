"""Writing a Keras model as a SavedModel, a ``.keras`` file, or a LiteRT flatbuffer (float,
dynamic-range, float16 or full int8), with the converter's errors turned into what to do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from workbench.exports.errors import ExportError

QUANTIZE = (None, "dynamic", "float16", "int8")


def check_model(model: Any) -> None:
    if not getattr(model, "built", False) or (
        not getattr(model, "inputs", None) and not _has_shape(model)
    ):
        raise ExportError(
            f"Expected a built model (call it on a batch, fit it, or give it an Input). Received: "
            f"{getattr(model, 'name', model)!r}, unbuilt: its input shape is unknown."
        )


def _has_shape(model: Any) -> bool:
    try:
        return model.input_shape is not None
    except (AttributeError, ValueError):
        return False


def savedmodel(model: Any, path: Path) -> Path:
    """``model.export``: a SavedModel with ``serve`` and ``serving_default``."""
    model.export(str(path), format="tf_saved_model", verbose=False)
    return path


def keras_file(model: Any, path: Path) -> Path:
    model.save(str(path))
    return path


def litert(
    saved_model: Path,
    path: Path,
    quantize: str | None,
    representative: Callable[[], Iterable[list[np.ndarray]]] | None,
    *,
    select_tf_ops: bool = False,
) -> Path:
    """Convert a SavedModel to LiteRT.

    Raises:
        ExportError: int8 without representative data, or an op LiteRT's builtins lack (named,
            with ``select_tf_ops=True`` suggested).
    """
    import tensorflow as tf

    if quantize not in QUANTIZE:
        raise ExportError(
            f"Expected quantize to be one of {list(QUANTIZE)}. Received: {quantize!r}"
        )
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model))
    ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":
        if representative is None:
            raise ExportError(
                "Expected representative_data with quantize='int8' (a few hundred typical inputs, "
                "e.g. representative_data=x_train[:200]: int8 ranges are calibrated on them). "
                "Received: representative_data=None"
            )
        converter.representative_dataset = representative
        ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    if select_tf_ops:
        ops.append(tf.lite.OpsSet.SELECT_TF_OPS)
    converter.target_spec.supported_ops = ops
    try:
        flatbuffer = converter.convert()
    except Exception as error:  # the converter raises several private error types
        raise ExportError(_conversion_message(error, quantize)) from error
    path.write_bytes(flatbuffer)
    return path


def _conversion_message(error: Exception, quantize: str | None) -> str:
    text = str(error)
    ops = sorted(set(re.findall(r"'tf\.(\w+)' op is neither a custom op nor a flex op", text)))
    ops += sorted(set(re.findall(r"tf\.(\w+)\b[^\n]*not supported", text)) - set(ops))
    if ops:
        return (
            f"LiteRT's builtin ops lack {', '.join(ops)} (quantize={quantize!r}). Convert with "
            "select_tf_ops=True to run them through the TensorFlow ops kernel (SELECT_TF_OPS; the "
            "app then links the Flex delegate), or replace them in the model."
        )
    first = next((line for line in text.splitlines() if "error" in line.lower()), text[:300])
    return f"LiteRT conversion failed (quantize={quantize!r}): {first.strip()}"


def representative_fn(data: Any, limit: int = 200) -> Callable[[], Iterable[list[np.ndarray]]]:
    """A converter's representative dataset from arrays or a dataset of (x, ...) batches: one
    example per call, at most ``limit``."""

    def examples() -> Iterable[list[np.ndarray]]:
        count = 0
        for batch in _batches(data):
            for row in batch:
                if count >= limit:
                    return
                yield [np.asarray(row, dtype=np.float32)[None]]
                count += 1

    return examples


def _batches(data: Any) -> Iterable[np.ndarray]:
    if isinstance(data, np.ndarray):
        yield data
        return
    for element in data:  # a tf.data.Dataset of x or (x, y) batches
        x = element[0] if isinstance(element, tuple | list) else element
        yield np.asarray(x)
