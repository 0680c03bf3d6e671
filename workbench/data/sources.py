"""What ``stats`` reads, as batches of named columns: a ``tf.data.Dataset`` (of dicts, tuples,
nests; batched or not), a NumPy array, a pandas DataFrame or a dict of arrays.

A batch is ``{feature name: column}`` where a column holds one entry per example: a NumPy array
(numbers; strings or Python objects as ``object``), a dense ``tf.Tensor`` whose first dimension
is the examples, a ``tf.RaggedTensor`` or a ``tf.SparseTensor``. Nothing here reads more than one
batch at a time, so memory is bounded by the batch size whatever the data's length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.data.columns import NUMBERS

ROWS = 65_536  # examples per batch cut from in-memory data
UNBATCHED = 4_096  # examples per batch made from an unbatched tf.data pipeline


@dataclass
class Source:
    """Batches of one dataset, and what is known before reading it.

    Attributes:
        kind: what the data is, for messages ("DataFrame", "tf.data.Dataset", ...).
        total: examples it holds when known in advance (None for most pipelines).
        batches: the batches, read lazily.
    """

    kind: str
    total: int | None
    batches: Iterator[dict[str, Any]]
    notes: dict[str, str] = field(default_factory=dict)


def open_source(data: Any, max_examples: int | None = None, batched: bool | None = None) -> Source:
    """The batches of ``data``, cut at ``max_examples`` examples.

    Raises:
        TypeError: for data of a kind it does not read.
        ValueError: for arrays of different lengths in one dict, or a bad ``max_examples``.
    """
    if max_examples is not None and (not isinstance(max_examples, int) or max_examples < 1):
        raise ValueError(
            f"Expected max_examples as a positive int or None. Received: {max_examples!r}"
        )
    source = _open(data, batched, max_examples)
    if max_examples is not None:
        # total stays what the data holds: more than max_examples means the pass is cut
        source = Source(source.kind, source.total, _cut(source.batches, max_examples), source.notes)
    return source


def _open(data: Any, batched: bool | None, max_examples: int | None = None) -> Source:
    if isinstance(data, tf.data.Dataset):
        return _dataset(data, batched, max_examples)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(data, pd.Series):
        data = data.to_frame()
    if pd is not None and isinstance(data, pd.DataFrame):
        notes = {
            str(name): _mixed(types)
            for name, column in data.items()
            if column.dtype == object and (types := mixed_types(column))
        }
        return Source("DataFrame", len(data), _frame(data, set(notes)), notes)
    if isinstance(data, np.ndarray):
        return Source("NumPy array", len(data) if data.ndim else 1, _array(data))
    if isinstance(data, tf.Tensor):
        return _open(data.numpy(), batched)
    if isinstance(data, Mapping):
        columns = {str(k): _column(k, v) for k, v in data.items()}
        lengths = {k: _length(v) for k, v in columns.items()}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k}: {n:,}" for k, n in lengths.items())
            raise ValueError(
                f"Expected arrays of one length (one entry per example). Received: {listed}"
            )
        total = next(iter(lengths.values()), 0)
        # numbers and strings in one object array: strings throughout, as in a DataFrame
        objects = {
            k: pd.Series(v)
            for k, v in columns.items()
            if isinstance(v, np.ndarray) and v.dtype == object and v.ndim == 1 and pd is not None
        }
        notes = {}
        for k, series in objects.items():
            if types := mixed_types(series):
                notes[k] = _mixed(types)
                columns[k] = _as_strings(series).to_numpy(dtype=object)
        return Source("dict of arrays", total, _slices(columns, total), notes)
    raise TypeError(
        "Expected a tf.data.Dataset, a NumPy array, a pandas DataFrame or a dict of arrays. "
        f"Received: {type(data).__name__}"
    )


def _length(column: Any) -> int:
    if isinstance(column, tf.SparseTensor):
        return int(column.dense_shape[0])
    return int(column.shape[0]) if not isinstance(column, np.ndarray) else len(column)


def _column(name: Any, values: Any) -> Any:
    """One dict entry as a column: arrays as they are, lists of lists as ragged tensors."""
    if isinstance(values, tf.Tensor | tf.RaggedTensor | tf.SparseTensor):
        if values.shape.rank == 0:
            raise ValueError(f"Expected one entry per example for {name!r}. Received: a scalar")
        return values.numpy() if isinstance(values, tf.Tensor) else values
    try:
        import pandas as pd

        if isinstance(values, pd.Series):
            return values.to_numpy()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(values, list | tuple) and any(
        isinstance(v, list | tuple | np.ndarray) for v in values
    ):
        lengths = {len(v) if isinstance(v, list | tuple | np.ndarray) else -1 for v in values}
        if -1 in lengths:
            return np.asarray(values, dtype=object)  # mixed scalars and lists: said later
        if len(lengths) > 1:
            return tf.ragged.constant([list(v) for v in values])
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError(
            f"Expected one entry per example for {name!r}. "
            f"Received: a single {type(values).__name__}"
        )
    return array


def _slices(columns: dict[str, Any], total: int) -> Iterator[dict[str, Any]]:
    for start in range(0, total, ROWS):
        yield {k: _take(v, start, start + ROWS) for k, v in columns.items()}


def _take(column: Any, start: int, stop: int) -> Any:
    if isinstance(column, tf.SparseTensor):
        return tf.sparse.slice(
            column,
            [start] + [0] * (column.shape.rank - 1),
            [stop - start, *column.dense_shape[1:].numpy()],
        )
    return column[start:stop]


def _array(array: np.ndarray) -> Iterator[dict[str, Any]]:
    if array.ndim == 0:
        array = array.reshape(1)
    if array.dtype.names:  # a structured array: one feature per field
        for start in range(0, len(array), ROWS):
            chunk = array[start : start + ROWS]
            yield {name: chunk[name] for name in array.dtype.names}
        return
    for start in range(0, len(array), ROWS):
        chunk = array[start : start + ROWS]
        if array.ndim == 2:  # rows of features, as pandas names them
            yield {str(i): chunk[:, i] for i in range(array.shape[1])}
        else:  # a value per example, or an image (or sequence) per example
            yield {"value": chunk}


def mixed_types(column: Any) -> Counter[str]:
    """The Python types of an object column's values when numbers and strings are mixed (else
    empty): such a column is counted as strings throughout, not as numbers in one batch and
    strings in the next."""
    import pandas as pd

    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind not in ("mixed", "mixed-integer"):
        return Counter()
    values = column[column.notna()] if hasattr(column, "notna") else column
    types = Counter(type(v).__name__ for v in values)
    kinds = set(types)
    # numbers of several types (int and bool, say) are numbers; strings and bytes are strings
    both = bool(kinds & NUMBERS) and not kinds <= NUMBERS
    return types if both and not {"list", "tuple", "dict"} & kinds else Counter()


def _mixed(types: Counter[str]) -> str:
    return (
        "mixed types ("
        + ", ".join(f"{t} {c:,}" for t, c in types.most_common())
        + "): counted as strings"
    )


def _as_strings(chunk: Any) -> Any:
    return chunk.map(_text)


def _text(value: Any) -> Any:
    if value is None or value != value:  # missing stays missing
        return value
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else str(value)


def _frame(frame: Any, mixed: set[str]) -> Iterator[dict[str, Any]]:
    names = [str(c) for c in frame.columns]
    if len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"Expected distinct column names. Received: {twice} more than once")
    for start in range(0, len(frame), ROWS):
        chunk = frame.iloc[start : start + ROWS]
        yield {
            name: _as_strings(chunk.iloc[:, i]) if name in mixed else chunk.iloc[:, i]
            for i, name in enumerate(names)
        }


def _dataset(dataset: tf.data.Dataset, batched: bool | None, limit: int | None) -> Source:
    spec = dataset.element_spec
    leaves = tf.nest.flatten(spec)
    if batched is None:
        batched = _batched(dataset, leaves)
    cardinality = int(dataset.cardinality())
    if cardinality == int(tf.data.INFINITE_CARDINALITY) and limit is None:
        raise ValueError(
            "Expected a finite dataset. Received: a tf.data.Dataset of infinite cardinality "
            "(.repeat() without a count?): pass max_examples=N to read its first N examples"
        )
    total = cardinality if cardinality >= 0 and not batched else None
    if not batched:
        dataset = dataset.ragged_batch(UNBATCHED)
    return Source("tf.data.Dataset", total, _elements(dataset))


def _batched(dataset: tf.data.Dataset, leaves: list[Any]) -> bool:
    """Whether a pipeline's elements are batches: the nearest batching (or unbatching) step up
    its chain says; without one, its elements are examples. A pipeline whose chain cannot be read
    is taken as batched when every component's first dimension is unknown."""
    seen = dataset
    for _ in range(1_000):
        name = type(seen).__name__.lower()
        if "unbatch" in name:
            return False
        if "batch" in name or ("ragged" in name and "dataset" in name):
            return True
        inputs = getattr(seen, "_input_dataset", None)
        if inputs is None:
            found: list[Any] = getattr(seen, "_inputs", lambda: [])()
            inputs = found[0] if found else None
        if inputs is None:
            return False
        seen = inputs
    return bool(leaves) and all(
        s.shape.rank is not None and s.shape.rank >= 1 and s.shape[0] is None for s in leaves
    )


def _elements(dataset: tf.data.Dataset) -> Iterator[dict[str, Any]]:
    for element in dataset:
        yield flatten(element)


def flatten(element: Any) -> dict[str, Any]:
    """A dataset element as named columns: dict keys (nested ones joined with "/"), and the
    positions of a tuple named as Keras names them (``x``, ``y``, ``sample_weight``)."""
    if isinstance(element, tuple) and not hasattr(element, "_fields"):
        names = (
            ["x", "y", "sample_weight"]
            if len(element) <= 3
            else [str(i) for i in range(len(element))]
        )
        out: dict[str, Any] = {}
        for name, part in zip(names, element, strict=False):
            if isinstance(part, Mapping):
                out.update(flatten(part))
            else:
                out.update({f"{name}/{k}" if k else name: v for k, v in _paths(part).items()})
        return out
    return {k or "value": v for k, v in _paths(element).items()}


def _paths(element: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a nest of dicts, tuples and lists, named by their path joined with "/"."""
    if isinstance(element, Mapping):
        items = [(str(k), v) for k, v in element.items()]
    elif isinstance(element, tuple) and hasattr(element, "_fields"):
        items = list(zip(element._fields, element, strict=True))
    elif isinstance(element, list | tuple):
        items = [(str(i), v) for i, v in enumerate(element)]
    else:
        return {prefix: element}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(_paths(value, f"{prefix}/{key}" if prefix else key))
    return out


def _cut(batches: Iterator[dict[str, Any]], limit: int) -> Iterator[dict[str, Any]]:
    seen = 0
    for batch in batches:
        n = rows(batch)
        if seen + n >= limit:
            yield {k: _take(v, 0, limit - seen) for k, v in batch.items()}
            return
        seen += n
        yield batch


def rows(batch: Mapping[str, Any]) -> int:
    """Examples in a batch (0 for a batch without columns)."""
    for column in batch.values():
        return _length(column)
    return 0
