"""What ``workbench.project`` accepts, read into one form: a matrix of finite float32 rows, the
rows' labels and metadata columns, and images when the rows were images (for sprites).

Accepted: a NumPy array (or anything ``np.asarray`` reads), a tensor (``.numpy()``), a Keras
``Embedding`` layer (its table; a vocabulary labels the rows), or ``(model, inputs, layer_name)``
for a layer's activations in inference mode (inputs: an array or tensor, a list or dict of them
for a model of several inputs, a ``tf.data.Dataset`` or a generator as ``fit`` takes them).
Rows holding NaN or Inf are left out and counted (``Points.kept`` says which input rows remain);
every other problem is a :class:`ProjectionError` naming the argument.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Points", "ProjectionError", "read_points"]

F32 = npt.NDArray[np.float32]
ACTIVATION_BATCH = 1024
KERAS = ("keras", "tf_keras")  # the packages an Embedding layer comes from


class ProjectionError(ValueError):
    """A projection's input cannot be used (the message names the argument and what to do)."""


@dataclass
class Points:
    """Rows ready to reduce.

    Attributes:
        data: finite rows, ``kept.size x d`` float32.
        kept: the input rows ``data`` holds, in order (all of them unless some were not finite).
        n_input: how many rows the input had.
        columns: metadata columns over all input rows (``"label"`` first when labels were given).
        images: the input rows as images (n x h x w [x c]) when they were images, else None.
        source: what was read, in words ("embedding layer 'tokens' (1000 x 16)").
    """

    data: F32
    kept: npt.NDArray[np.int64]
    n_input: int
    columns: dict[str, list[Any]] = field(default_factory=dict)
    images: np.ndarray | None = None
    source: str = ""

    @property
    def dropped(self) -> int:
        return self.n_input - int(self.kept.size)


def read_points(
    x: Any,
    labels: Sequence[Any] | None = None,
    metadata: Any = None,
) -> Points:
    """Reads ``x`` (see the module docstring) with its ``labels`` and ``metadata``.

    Raises:
        ProjectionError: for 1-D or empty input, non-numeric values, all rows non-finite,
            ``labels``/``metadata`` of another length than the rows, or a layer name the model
            does not have (the model's layers are listed).
    """
    images: np.ndarray | None = None
    if isinstance(x, tuple) and len(x) == 3 and hasattr(x[0], "get_layer"):
        matrix, source, images = _activations(*x)
    elif _is_embedding(x):
        if not hasattr(x, "embeddings"):
            raise ProjectionError(
                f"x: the Embedding layer {x.name!r} has no table yet: build it first (call it "
                "on a batch of ids, or fit or call its model)."
            )
        matrix = np.asarray(x.embeddings)
        source = f"embedding layer {x.name!r} ({matrix.shape[0]} x {matrix.shape[1]})"
    else:
        matrix, images = _array(x, "x")
        source = f"array {' x '.join(str(s) for s in np.shape(x))}"
    n = matrix.shape[0]
    columns: dict[str, list[Any]] = {}
    if labels is not None:
        columns["label"] = _column(labels, n, "labels")
    columns.update(_metadata(metadata, n))
    finite = np.isfinite(matrix).all(axis=1)
    kept = np.flatnonzero(finite).astype(np.int64)
    if kept.size == 0:
        raise ProjectionError(
            f"x: every one of its {n} rows holds NaN or Inf; nothing is left to project."
        )
    data = np.ascontiguousarray(matrix[kept] if kept.size < n else matrix, dtype=np.float32)
    return Points(data, kept, n, columns, images, source)


def _array(x: Any, name: str) -> tuple[F32, np.ndarray | None]:
    value = x.numpy() if hasattr(x, "numpy") and not isinstance(x, np.ndarray) else x
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ProjectionError(
            f"{name}: expected a 2-D array of numbers. Received: {error}"
        ) from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise ProjectionError(
            f"{name}: expected numbers. Received an array of dtype {array.dtype}."
        )
    if array.ndim < 2:
        raise ProjectionError(
            f"{name}: expected one row per point (2-D, n x features). Received shape "
            f"{array.shape}; for one feature per point pass x.reshape(-1, 1)."
        )
    if array.shape[0] == 0 or array.size == 0:
        raise ProjectionError(f"{name}: expected at least one row. Received shape {array.shape}.")
    return array.reshape(array.shape[0], -1).astype(np.float32, copy=False), _images(array)


def _is_embedding(x: Any) -> bool:
    """A Keras ``Embedding`` layer or a subclass of one, told by its classes so that Keras is
    not imported for an array. Another object with an ``embeddings`` attribute is not one."""
    return any(
        kind.__name__ == "Embedding" and kind.__module__.partition(".")[0] in KERAS
        for kind in type(x).__mro__
    )


def _activations(model: Any, inputs: Any, layer_name: str) -> tuple[F32, str, np.ndarray | None]:
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ProjectionError(
            f"layer_name: expected one of the model's layers {names}. Received: {layer_name!r}"
        )
    import keras  # only for a model the user already built with it

    layer = model.get_layer(layer_name)
    try:
        # one input as a tensor, not a list of one: Keras warns on every call otherwise
        ins = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        probe = keras.Model(ins, layer.output)
    except (AttributeError, ValueError) as error:
        raise ProjectionError(
            f"model: its layer {layer_name!r} has no defined output yet ({error}); call the "
            "model on data once (or build it with an Input) before projecting activations."
        ) from None
    images = None
    if hasattr(inputs, "__array__"):  # an array, a tensor, a DataFrame
        array = np.asarray(inputs)
        if len(array) == 0:
            raise ProjectionError(
                f"inputs: expected at least one row. Received shape {array.shape}."
            )
        # called eagerly batch by batch: predict() on a new probe model each call would trace a
        # new function every time (TensorFlow then warns about retracing)
        outputs = np.concatenate(
            [
                keras.ops.convert_to_numpy(
                    _first(probe(array[start : start + ACTIVATION_BATCH], training=False))
                )
                for start in range(0, len(array), ACTIVATION_BATCH)
            ]
        )
        images = _images(array)
    else:  # several inputs (a list or dict of arrays), a tf.data.Dataset, a generator: Keras' own
        with warnings.catch_warnings():
            # the end of a generator (or a dataset of unknown length) is no problem here
            warnings.filterwarnings("ignore", "Your input ran out of data")
            try:
                outputs = _first(probe.predict(inputs, batch_size=ACTIVATION_BATCH, verbose=0))
            except UnboundLocalError:  # Keras' predict on inputs of no batch at all
                kind = (
                    "tf.data.Dataset" if hasattr(inputs, "element_spec") else type(inputs).__name__
                )
                raise ProjectionError(
                    f"inputs: expected at least one row. Received a {kind} of none."
                ) from None
    matrix, _ = _array(outputs, f"activations of {layer_name!r}")
    source = f"activations of layer {layer_name!r} ({matrix.shape[0]} x {matrix.shape[1]})"
    return matrix, source, images


def _first(outputs: Any) -> Any:
    """A layer's first output when it has several (an LSTM's sequence before its states)."""
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def _images(array: np.ndarray) -> np.ndarray | None:
    """The rows as images when they have a height and a width (n x h x w [x channels])."""
    return array if array.ndim in (3, 4) and min(array.shape[1:3]) >= 2 else None


def _column(values: Any, n: int, name: str) -> list[Any]:
    if hasattr(values, "numpy") and not isinstance(values, np.ndarray):
        values = values.numpy()
    if isinstance(values, np.ndarray):
        values = values.reshape(values.shape[0], -1)[:, 0] if values.ndim > 1 else values
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ProjectionError(
            f"{name}: expected a sequence with one value per row. Received {type(values).__name__}."
        )
    if len(values) != n:
        raise ProjectionError(f"{name}: expected {n} values (one per row). Received {len(values)}.")
    return [v.decode() if isinstance(v, bytes) else v for v in values]


def _metadata(metadata: Any, n: int) -> dict[str, list[Any]]:
    if metadata is None:
        return {}
    if hasattr(metadata, "columns") and hasattr(metadata, "__getitem__"):  # a DataFrame
        items = [(str(c), list(metadata[c])) for c in metadata.columns]
    elif isinstance(metadata, Mapping):
        items = [(str(k), v) for k, v in metadata.items()]
    else:
        raise ProjectionError(
            "metadata: expected a mapping of column name to values (or a DataFrame). "
            f"Received {type(metadata).__name__}."
        )
    return {name: _column(values, n, f"metadata[{name!r}]") for name, values in items}
