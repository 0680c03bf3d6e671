"""One batch of one feature, made uniform: its values as a flat tensor of numbers (float64) or
strings, how many examples it has and lack a value, and the shape of each example's values.

Every kind of column a source yields ends here (pandas columns of any dtype, NumPy arrays,
dense, ragged and sparse tensors), so the statistics see only two kinds of values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import tensorflow as tf

# Python and NumPy number types an object column may hold
NUMBERS = frozenset(
    {"int", "float", "bool", "int64", "float64", "int32", "float32", "bool_", "Decimal"}
)


@dataclass
class Part:
    """A batch of one feature.

    Attributes:
        kind: "number" or "string".
        dtype: the feature's own dtype ("float32", "int64", "bool", "string", "object", ...).
        values: every value of the batch, flat: float64 NumPy numbers or a tf.string tensor.
        examples: examples in the batch.
        missing: examples without a value (NaN or None for a scalar feature, no values for a
            ragged or sparse one).
        shape: each example's shape when all have the same (() for scalars), else None.
        counts: values per example when they vary (ragged, sparse), else None.
        ragged: ragged dimensions (0 for dense data).
    """

    kind: str
    dtype: str
    values: Any
    examples: int
    missing: int = 0
    shape: tuple[int, ...] | None = ()
    counts: np.ndarray | None = None
    ragged: int = 0


def part(column: Any) -> Part:
    """The batch ``column`` (one entry per example) as a :class:`Part`.

    Raises:
        TypeError: for values that are neither numbers nor strings (complex numbers, objects).
    """
    if isinstance(column, tf.RaggedTensor):
        return _ragged(column)
    if isinstance(column, tf.SparseTensor):
        return _sparse(column)
    if isinstance(column, tf.Tensor):
        return _dense(column.numpy() if column.dtype != tf.string else column, column.dtype.name)
    try:
        import pandas as pd

        if isinstance(column, pd.Series):
            return _series(column)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    array = np.asarray(column)
    return _dense(array, array.dtype.name)


def _dense(values: Any, dtype: str) -> Part:
    if isinstance(values, tf.Tensor):  # strings: kept in TensorFlow
        n = int(values.shape[0])
        shape = tuple(values.shape[1:])
        return Part("string", "string", tf.reshape(values, [-1]), n, shape=shape)
    n = len(values)
    shape = tuple(values.shape[1:])
    kind = values.dtype.kind
    if kind == "O":
        if values.ndim == 1:
            return _objects(values, dtype)
        # every value of every example (an example is not its first value), in one shape
        flat = _objects(values.reshape(-1), dtype)
        if flat.counts is not None:
            raise TypeError(
                f"Expected numbers or strings in an array of shape {values.shape}. "
                "Received: lists inside it"
            )
        return replace(flat, examples=n, missing=0, shape=shape)
    if kind in "US":
        flat = tf.constant(values.reshape(-1).astype(bytes if kind == "S" else str))
        return Part("string", "string", flat, n, shape=shape)
    if kind in "biuf":
        flat = values.reshape(-1).astype(np.float64)
        missing = int(np.isnan(flat).sum()) if not shape and kind == "f" else 0
        return Part("number", dtype, flat, n, missing=missing, shape=shape)
    if kind == "M":  # datetimes: seconds since the epoch, NaT missing
        seconds = values.reshape(-1).astype("datetime64[ns]").astype(np.int64) / 1e9
        seconds[np.isnat(values.reshape(-1))] = np.nan
        missing = int(np.isnan(seconds).sum()) if not shape else 0
        return Part("number", dtype, seconds, n, missing=missing, shape=shape)
    raise TypeError(f"Expected numbers or strings. Received: values of dtype {values.dtype}")


def no_values(p: Part, kind: str) -> Part:
    """``p``, a batch without values (all missing, or empty lists), as a part of ``kind``: such a
    batch fits a feature of either kind (an object column of numbers may have a batch of None)."""
    scalars = p.examples if p.counts is None else 0  # a missing single number is a NaN
    values = np.full(scalars, np.nan) if kind == "number" else tf.constant([], tf.string)
    return replace(p, kind=kind, values=values)


def _series(series: Any) -> Part:
    import pandas as pd

    dtype = str(series.dtype)
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        if pd.api.types.is_complex_dtype(series.dtype):
            raise TypeError(f"Expected numbers or strings. Received: values of dtype {dtype}")
        flat = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return Part("number", dtype, flat, len(flat), missing=int(np.isnan(flat).sum()))
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _dense(series.to_numpy(dtype="datetime64[ns]"), dtype)
    if isinstance(series.dtype, pd.StringDtype):  # only strings and missing: no types to count
        present = series[series.notna()]
        flat = tf.constant(present.to_numpy(dtype=object).tolist(), dtype=tf.string)
        return Part("string", dtype, flat, len(series), missing=len(series) - len(present))
    return _objects(series.to_numpy(dtype=object), dtype)


def _objects(values: np.ndarray, dtype: str) -> Part:
    """An object column: strings, numbers, None/NaN, perhaps mixed; lists become ragged."""
    import pandas as pd

    n = len(values)
    missing_mask = pd.isna(values)  # values is one-dimensional: one entry per example
    present = values[~missing_mask]
    types = Counter(type(v).__name__ for v in present)
    if any(t in ("list", "tuple", "ndarray") for t in types):
        if len(types) > 1:
            raise TypeError(
                f"Expected lists in every entry, or none. Received: {_listing(types)}: "
                "one column holds lists and single values"
            )
        # a missing entry (None, NaN, pd.NA) is an example without values
        lists = [
            [] if gone else list(np.ravel(v)) for v, gone in zip(values, missing_mask, strict=True)
        ]
        return _ragged(
            tf.ragged.constant(lists)
            if any(lists)
            else tf.ragged.constant([[]] * n, dtype=tf.float64)
        )
    if types and set(types) <= NUMBERS:
        flat = np.array([float(v) for v in present], dtype=np.float64)
        full = np.full(n, np.nan)
        full[~missing_mask] = flat
        return Part("number", dtype, full, n, missing=int(missing_mask.sum()))
    strings = [
        v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else str(v) for v in present
    ]
    flat = tf.constant(strings, dtype=tf.string) if strings else tf.constant([], dtype=tf.string)
    # missing entries have no value: the strings are only those present (numbers mixed in were
    # made strings by the source, which says so in a note)
    return Part("string", dtype, flat, n, missing=int(missing_mask.sum()))


def _listing(types: Counter[str]) -> str:
    return ", ".join(f"{t} {c:,}" for t, c in types.most_common())


def _ragged(column: tf.RaggedTensor) -> Part:
    flat = column.flat_values
    per_example = column
    while isinstance(per_example, tf.RaggedTensor) and per_example.ragged_rank > 1:
        per_example = per_example.merge_dims(1, 2)
    counts = per_example.row_lengths().numpy()
    counts = counts * int(np.prod(flat.shape[1:]))  # values in each row of a ragged row
    base = _dense(flat.numpy() if flat.dtype != tf.string else flat, flat.dtype.name)
    missing = int((counts == 0).sum())
    return Part(
        base.kind,
        base.dtype,
        base.values,
        len(counts),
        missing=missing,
        counts=counts,  # the shape is read from the counts
        ragged=column.ragged_rank,
    )


def _sparse(column: tf.SparseTensor) -> Part:
    n = int(column.dense_shape[0])
    counts = np.bincount(column.indices[:, 0].numpy(), minlength=n)
    values = column.values
    base = _dense(values.numpy() if values.dtype != tf.string else values, values.dtype.name)
    return Part(
        base.kind,
        base.dtype,
        base.values,
        n,
        missing=int((counts == 0).sum()),
        counts=counts,  # the shape is read from the counts
    )
