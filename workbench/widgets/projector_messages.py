"""Wire types of the projection view (``ProjectorView``), mirrored in
``extensions/widgets/projector/messages.ts``.

Kernel -> front end, custom messages with binary buffers:

- ``points``: buffer 0 holds ``n * dims`` float32 (little-endian), the coordinates scaled into
  [-1, 1] (one scale for every axis, so shapes keep their proportions).
- ``colors``: buffer 0 holds ``n`` uint8 legend indices for the column ``column``.
- ``highlight``: buffer 0 holds uint32 point indices (neighbours, search hits or a selection);
  ``anchor`` is the point they are neighbours of (-1 for none).

Front end -> kernel: requests (``bundle``, ``points``, ``row``, ``color``, ``neighbors``,
``search``) and ``select``, a request whose buffer 0 holds the selected indices as uint32.
Indices are of the points the view draws (the finite rows), never of the input's rows.
"""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["ColorsMessage", "HighlightMessage", "LegendEntry", "PointsMessage"]


class PointsMessage(TypedDict):
    type: Literal["points"]
    n: int
    dims: int


class ColorsMessage(TypedDict):
    type: Literal["colors"]
    column: str


class HighlightMessage(TypedDict):
    type: Literal["highlight"]
    kind: Literal["neighbors", "search", "selection", "none"]
    anchor: int
    count: int


class LegendEntry(TypedDict):
    label: str
    count: int
    color: str
