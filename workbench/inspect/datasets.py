"""``tf.data.Dataset``: element spec, cardinality and the first few elements."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.inspect.html import box, table

PREVIEW = 3


def summary(dataset: Any) -> tuple[list[tuple[str, str]], list[str]]:
    rows = [("element", _spec(dataset.element_spec)), ("cardinality", _cardinality(dataset))]
    elements = []
    try:
        for element in dataset.take(PREVIEW):
            elements.append(_element(element))
    except Exception as exc:  # noqa: BLE001 - a display must not raise; say why instead
        elements.append(f"(could not read the first elements: {type(exc).__name__}: {exc})")
    return rows, elements


def text(dataset: Any) -> str:
    rows, elements = summary(dataset)
    head = f"<{type(dataset).__name__} " + " · ".join(f"{k} {v}" for k, v in rows) + ">"
    return "\n".join([head, *(f"  [{i}] {e}" for i, e in enumerate(elements))])


def html_view(dataset: Any) -> str:
    rows, elements = summary(dataset)
    items = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in elements)
    return box(f"tf.data ({type(dataset).__name__})", table(rows) + f"<ol start='0'>{items}</ol>")


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

    return str(tf.nest.map_structure(one, spec))


def _element(element: Any) -> str:
    def one(value: Any) -> str:
        array = np.asarray(value)
        flat = np.array2string(array.reshape(-1)[:8], precision=3, separator=", ")
        more = " ..." if array.size > 8 else ""
        return f"{array.dtype}{list(array.shape)} {flat}{more}"

    return str(tf.nest.map_structure(one, element))
