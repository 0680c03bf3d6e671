"""The projection view: an anywidget drawing a projection's points with WebGL (regl-scatterplot in
2-D, regl in 3-D), colours by metadata column, hover rows, lasso/box selections sent back to the
kernel, search by label and nearest-neighbour highlights.

Its front end (``extensions/widgets/projector/``, ~150 KB minified) does not ride in the widget's
state: ``_esm`` is a 2 KB loader (``projectorloader.js``) that asks the kernel for the bundle
once per page (the ``bundle`` request) and imports it, so a notebook with ten projections saves
2 KB of code each, not 150 KB. Points travel as float32 buffers (``projector_messages``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import traitlets

from workbench.widgets.base import STATIC, Bundle, StreamedView, handles
from workbench.widgets.projector_colors import color_codes
from workbench.widgets.projector_messages import (
    ColorsMessage,
    HighlightMessage,
    LegendEntry,
    PointsMessage,
)


class Found(Protocol):
    """What the view reads of a neighbour list (``widgets.projector.NeighborList``)."""

    view_indices: npt.NDArray[np.int64]
    distances: npt.NDArray[np.float32]
    labels: list[str]


class Projected(Protocol):
    """What the view reads of a ``widgets.projector.Projection``: a protocol, since the
    projection imports its view."""

    @property
    def title(self) -> str: ...
    @property
    def view_coords(self) -> npt.NDArray[np.float32]: ...
    @property
    def columns(self) -> dict[str, list[Any]]: ...
    @property
    def dims(self) -> int: ...
    def view_column(self, name: str) -> list[Any]: ...
    def view_row(self, index: int) -> dict[str, Any]: ...
    def view_search(self, query: str) -> npt.NDArray[np.int64]: ...
    def view_neighbors(self, index: int, k: int) -> Found: ...


__all__ = ["ProjectorView", "scaled"]

BUNDLE = STATIC / "projector.js"
MAX_ROW_TEXT = 200


def scaled(coords: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``coords`` centred and scaled into [-1, 1] by one factor for every axis."""
    low, high = coords.min(axis=0), coords.max(axis=0)
    centre = (low + high) / 2
    half = float((high - low).max()) / 2 or 1.0
    return np.ascontiguousarray((coords - centre) / half, dtype="<f4")


def _u32(values: npt.ArrayLike) -> bytes:
    return np.ascontiguousarray(values, dtype="<u4").tobytes()


class ProjectorView(StreamedView[Any]):
    """The interactive view of one :class:`~workbench.widgets.projector.Projection`."""

    _esm = Bundle("projectorloader.js")

    title = traitlets.Unicode("").tag(sync=True)
    dims = traitlets.Int(2).tag(sync=True)
    n = traitlets.Int(0).tag(sync=True)
    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    color_by = traitlets.Unicode("").tag(sync=True)
    legend = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected_count = traitlets.Int(0).tag(sync=True)
    bundle_hash = traitlets.Unicode("").tag(sync=True)

    def __init__(self, projection: Projected, on_select: Callable[[np.ndarray], None]) -> None:
        positions = scaled(projection.view_coords)
        columns = list(projection.columns)
        first = columns[0] if columns else ""
        super().__init__(
            title=projection.title,
            dims=projection.dims,
            n=int(positions.shape[0]),
            columns=columns,
            bundle_hash=_bundle_hash(),
        )
        self._projection = projection
        self._positions = positions
        self._on_select = on_select
        self._lock = threading.Lock()
        self._buffers: list[Any] = []
        self._codes = np.zeros(0, np.uint8)
        self._legend: list[LegendEntry] = []
        self.set_color(first, send=False)  # the front end asks for points and colours

    # --- the kernel's side ------------------------------------------------------------------

    def set_color(self, column: str, *, send: bool = True) -> list[LegendEntry]:
        """Colours the points by metadata ``column`` ("" for one colour)."""
        values = self._projection.view_column(column) if column else None
        codes, legend = color_codes(values)
        with self._lock:
            self._codes, self._legend = codes, legend
        with self.hold_sync():
            self.color_by = column
            self.legend = [dict(entry) for entry in legend]
        if send:
            message: ColorsMessage = {"type": "colors", "column": column}
            self.send_message(message, [codes.tobytes()])
        return legend

    @property
    def codes(self) -> npt.NDArray[np.uint8]:
        return self._codes

    @property
    def legend_entries(self) -> list[LegendEntry]:
        return self._legend

    @property
    def positions(self) -> npt.NDArray[np.float32]:
        return self._positions

    def highlight(self, kind: str, indices: npt.ArrayLike, anchor: int = -1) -> None:
        """Marks points (indices of drawn points) as neighbours, search hits or a selection."""
        array = np.asarray(indices, dtype=np.int64)
        message: HighlightMessage = {
            "type": "highlight",
            "kind": kind,  # type: ignore[typeddict-item]
            "anchor": int(anchor),
            "count": int(array.size),
        }
        self.send_message(message, [_u32(array)])

    # --- requests -----------------------------------------------------------------------------

    def _on_custom_message(self, widget: Any, content: Any, buffers: Any) -> None:
        self._buffers = list(buffers or [])  # a select request's indices ride as buffer 0
        try:
            super()._on_custom_message(widget, content, buffers)
        finally:
            self._buffers = []

    @handles("bundle")
    def _bundle(self, params: dict[str, Any]) -> dict[str, str]:
        try:
            return {"code": BUNDLE.read_text(), "hash": _bundle_hash()}
        except OSError:
            raise RuntimeError(
                f"{BUNDLE.name} is not built; run `make install` (or `jlpm build` in extensions/)"
            ) from None

    @handles("points")
    def _points(self, params: dict[str, Any]) -> dict[str, int]:
        message: PointsMessage = {"type": "points", "n": self.n, "dims": self.dims}
        self.send_message(message, [self._positions.tobytes()])
        colors: ColorsMessage = {"type": "colors", "column": self.color_by}
        self.send_message(colors, [self._codes.tobytes()])
        return {"n": self.n}

    @handles("color")
    def _color(self, params: dict[str, Any]) -> dict[str, Any]:
        column = str(params.get("column", ""))
        if column and column not in self.columns:
            raise ValueError(f"Expected a column in {self.columns}. Received: {column!r}")
        return {"legend": self.set_color(column)}

    @handles("row")
    def _row(self, params: dict[str, Any]) -> dict[str, Any]:
        index = int(params["index"])
        row = self._projection.view_row(index)
        return {
            "index": index,
            "row": {k: str(v)[:MAX_ROW_TEXT] for k, v in row.items()},
        }

    @handles("neighbors")
    def _neighbors(self, params: dict[str, Any]) -> dict[str, Any]:
        index = int(params["index"])
        k = int(params.get("k", 10))
        found = self._projection.view_neighbors(index, k)
        self.highlight("neighbors", found.view_indices, anchor=index)
        return {
            "indices": found.view_indices.tolist(),
            "distances": [float(d) for d in found.distances],
            "labels": found.labels,
        }

    @handles("search")
    def _search(self, params: dict[str, Any]) -> dict[str, int]:
        query = str(params.get("query", "")).strip()
        hits = self._projection.view_search(query) if query else np.zeros(0, np.int64)
        self.highlight("search" if query else "none", hits)
        return {"count": int(hits.size)}

    @handles("select")
    def _select(self, params: dict[str, Any]) -> dict[str, int]:
        if self._buffers:
            raw = self._buffers[0]
            data = raw.tobytes() if hasattr(raw, "tobytes") else bytes(raw)
            indices = np.frombuffer(data, dtype="<u4").astype(np.int64)
        else:
            indices = np.asarray(params.get("indices", []), dtype=np.int64)
        indices = indices[(indices >= 0) & (indices < self.n)]
        self._on_select(np.unique(indices))
        self.selected_count = int(np.unique(indices).size)
        return {"count": self.selected_count}


_hash: str | None = None


def _bundle_hash() -> str:
    """The bundle's digest: the front end caches one import per page and digest."""
    global _hash
    if _hash is None:
        try:
            _hash = hashlib.sha1(BUNDLE.read_bytes()).hexdigest()[:12]
        except OSError:
            _hash = "missing"
    return _hash
