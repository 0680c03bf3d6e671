"""``tf.data.Dataset``: element spec, cardinality and the first few elements."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.inspect.html import box, table

PREVIEW = 3  # elements read from the pipeline
VALUES = 8  # values per tensor of an element copied to the host
BYTES = 32  # bytes per string value copied to the host


@dataclass
class DatasetSummary:
    """One reading of a dataset, shared by its text and HTML forms: a pipeline with an unseeded
    shuffle gives other elements each time it is read."""

    kind: str
    rows: list[tuple[str, str]]
    elements: list[str]

    def text(self) -> str:
        head = f"<{self.kind} " + " · ".join(f"{k} {v}" for k, v in self.rows) + ">"
        return "\n".join([head, *(f"  [{i}] {e}" for i, e in enumerate(self.elements))])

    def html(self) -> str:
        items = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in self.elements)
        return box(f"tf.data ({self.kind})", table(self.rows) + f"<ol start='0'>{items}</ol>")


def summarize(dataset: Any) -> DatasetSummary:
    """Reads the first ``PREVIEW`` elements; never raises on a failing pipeline, says why."""
    rows = [("element", _spec(dataset.element_spec)), ("cardinality", _cardinality(dataset))]
    elements = []
    try:
        for element in dataset.take(PREVIEW):
            elements.append(_element(element))
    except Exception as exc:  # noqa: BLE001 - a display must not raise; say why instead
        elements.append(f"(could not read the first elements: {type(exc).__name__}: {exc})")
    return DatasetSummary(kind=type(dataset).__name__, rows=rows, elements=elements)


def _cardinality(dataset: Any) -> str:
    n = int(dataset.cardinality())
    if n == int(tf.data.INFINITE_CARDINALITY):
        return "infinite"
    if n == int(tf.data.UNKNOWN_CARDINALITY):
        return "unknown"
    return f"{n:,}"


def _spec(spec: Any) -> str:
    def one(s: Any) -> str:
        shape = list(s.shape) if s.shape.rank is not None else "[?]"
        return f"{s.dtype.name}{shape}"

    return _structure(tf.nest.map_structure(one, spec))


def _element(element: Any) -> str:
    """Shape and the first ``VALUES`` values of each tensor: only those leave the tensor, so a
    batch of large images or a serialized record costs the same as a scalar."""

    def one(value: Any) -> str:
        if isinstance(value, tf.RaggedTensor | tf.SparseTensor):
            kind = "ragged" if isinstance(value, tf.RaggedTensor) else "sparse"
            flat = value.flat_values if isinstance(value, tf.RaggedTensor) else value.values
            shape = [None if d is None else int(d) for d in value.shape]
        else:
            kind, flat = "", tf.reshape(value, [-1])
            shape = value.shape.as_list()  # eager: every dimension known
        size = int(tf.size(flat))
        head = flat[:VALUES]
        if head.dtype == tf.string:
            long = bool(tf.reduce_any(tf.strings.length(head) > BYTES))
            first = np.array(tf.strings.substr(head, 0, BYTES).numpy().tolist(), dtype=object)
            values = np.array2string(first, separator=", ") + (" (cut)" if long else "")
        else:
            values = np.array2string(head.numpy(), precision=3, separator=", ")
        more = " ..." if size > VALUES else ""
        return f"{kind}{' ' if kind else ''}{value.dtype.name}{shape} {values}{more}"

    return _structure(tf.nest.map_structure(one, element))


def _structure(value: Any) -> str:
    """A nest of leaf descriptions written like Python, without quoting the leaves."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_structure(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        fields = ", ".join(
            f"{k}={_structure(v)}" for k, v in zip(value._fields, value, strict=True)
        )
        return f"{type(value).__name__}({fields})"
    if isinstance(value, list | tuple):
        inner = ", ".join(_structure(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return str(value)
