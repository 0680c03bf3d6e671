"""What a live curves view holds after the kernel's messages, in Python terms: the columns of each
series as ``extensions/widgets/livecurves/columns.ts`` keeps them (a reset starts a series
afresh, a grown ``size`` merges its columns pairwise first, rows overwrite their columns). The
TypeScript view is held to the same on a recorded stream (``test_columns.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from workbench.widgets.columns import FIELDS, Columns

Message = tuple[dict[str, Any], list[np.ndarray]]


def held(messages: Iterable[Message]) -> dict[str, Columns]:
    """Series key -> the columns a view holds after ``messages`` (other messages are skipped)."""
    views: dict[str, Columns] = {}
    for content, arrays in messages:
        if content.get("type") != "columns":
            continue
        for header, array in zip(content["series"], arrays, strict=True):
            apply(views, header, array.reshape(-1, len(FIELDS)))
    return views


def apply(views: dict[str, Columns], header: dict[str, Any], rows: np.ndarray) -> None:
    view = views.get(header["key"])
    if (
        view is None
        or header["reset"]
        or view.width != header["width"]
        or view.origin != header["origin"]
        or view.size > header["size"]
    ):
        view = views[header["key"]] = Columns(header["width"])
        view.origin = header["origin"]
        view.size = header["size"]
    while view.size < header["size"]:
        view._double()
    view.first_step, view.last_step = header["first"], header["last"]
    for column, count, total, first, a, b, last in rows.tolist():
        index = np.array([int(column)])
        view.agg.count[index] = int(count)
        view.agg.total[index] = total
        view.agg.first[index] = first
        view.agg.low[index] = min(a, b)
        view.agg.high[index] = max(a, b)
        view.agg.low_first[index] = a <= b
        view.agg.last[index] = last


def same_columns(view: Columns, kernel: Columns) -> None:
    """The view holds exactly the kernel's columns."""
    assert (view.width, view.size, view.origin) == (kernel.width, kernel.size, kernel.origin)
    assert (view.first_step, view.last_step) == (kernel.first_step, kernel.last_step)
    np.testing.assert_array_equal(view.rows(), kernel.rows())
