"""``workbench.project``: a projection of any array, embedding layer or layer's activations, shown
inline (``ProjectorView``), with nearest neighbours, selections and TensorBoard export.

    proj = workbench.project(x, labels=y, method="tsne")  # the cell shows the view
    proj.coords              # n x 2, row i for input row i (NaN rows of x stay NaN)
    proj.neighbors(42, k=10) # exact, in x's space; highlighted in the view
    proj.selected            # input rows lassoed in the view
    proj.export("logs/projector")  # TensorBoard's projector reads it

Reductions other than PCA run on a worker thread while the cell shows their progress; Ctrl-C
stops them. The same rows and settings again return the cached result at once.
"""

from __future__ import annotations

import html
import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from IPython.display import DisplayHandle, display

from workbench.projector import (
    Neighbors,
    Points,
    ProjectionError,
    ProjectorFiles,
    Reduction,
    export_projector,
    read_points,
)
from workbench.projector.background import reduce_in_background
from workbench.projector.reduce import umap_is_compiled
from workbench.widgets.projector_colors import snapshot_html, snapshot_png
from workbench.widgets.projector_view import ProjectorView

__all__ = ["NeighborList", "Projection", "project", "projection_from"]

log = logging.getLogger(__name__)
LIVE_MARK = "tf-workbench"  # output metadata the pre-save hook reads (server/presave.py)
NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
PROGRESS_EVERY = 0.5  # seconds between progress lines
_umap_warned = False


@dataclass
class NeighborList:
    """The ``k`` nearest rows to one row, nearest first (``indices`` are input rows)."""

    query: int
    indices: npt.NDArray[np.int64]
    distances: npt.NDArray[np.float32]
    labels: list[str]
    view_indices: npt.NDArray[np.int64]
    metric: str

    def __len__(self) -> int:
        return int(self.indices.size)

    def __repr__(self) -> str:
        rows = ", ".join(
            f"{i} ({label}, {d:.4g})" if label else f"{i} ({d:.4g})"
            for i, d, label in zip(self.indices, self.distances, self.labels, strict=True)
        )
        return f"<{len(self)} nearest to row {self.query} ({self.metric}): {rows}>"

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{i}</td><td>{html.escape(label)}</td><td>{d:.4g}</td></tr>"
            for i, d, label in zip(self.indices, self.distances, self.labels, strict=True)
        )
        return (
            f"<div>nearest to row {self.query} ({self.metric} distance in the original space)</div>"
            f"<table><tr><th>row</th><th>label</th><th>distance</th></tr>{body}</table>"
        )


class Projection:
    """A projection of rows to 2 or 3 dimensions; shows itself as an interactive view.

    Attributes:
        coords: input rows x dims float32; rows dropped for NaN/Inf are NaN.
        method, dims, metric: how it was made.
        explained_variance_ratio, components: PCA's, else None.
        dropped: how many input rows held NaN or Inf (left out).
        cached: whether the coordinates came from the cache.
    """

    def __init__(
        self, points: Points, reduction: Reduction, dims: int, metric: str, cached: bool
    ) -> None:
        self.points = points
        self.reduction = reduction
        self.method = reduction.method
        self.dims = dims
        self.metric = metric
        self.cached = cached
        coords = np.full((points.n_input, dims), np.nan, np.float32)
        coords[points.kept] = reduction.coords
        self.coords = coords
        self.explained_variance_ratio = reduction.explained_variance_ratio
        self.components = reduction.components
        self.dropped = points.dropped
        self._selected = np.zeros(0, np.int64)
        self._neighbors: Neighbors | None = None
        self._view: ProjectorView | None = None

    # --- what it shows --------------------------------------------------------------------------

    @property
    def title(self) -> str:
        name = NAMES[self.method]
        parts = [f"{name} of {self.points.source} to {self.dims}-D"]
        if self.reduction.info:
            parts.append(self.reduction.info)
        if self.dropped:
            parts.append(
                f"{self.dropped} row{'s' if self.dropped != 1 else ''} with NaN/Inf left out"
            )
        return "; ".join(parts)

    @property
    def view_coords(self) -> npt.NDArray[np.float32]:
        return self.reduction.coords

    @property
    def columns(self) -> dict[str, list[Any]]:
        return self.points.columns

    @property
    def labels(self) -> list[Any] | None:
        return self.points.columns.get("label")

    def view_column(self, name: str) -> list[Any]:
        values = self.points.columns[name]
        return [values[i] for i in self.points.kept]

    def view_row(self, index: int) -> dict[str, Any]:
        row = int(self.points.kept[index])
        return {"row": row, **{k: v[row] for k, v in self.points.columns.items()}}

    def view_search(self, query: str) -> npt.NDArray[np.int64]:
        """Drawn points whose label (or, without labels, any column) contains ``query``."""
        needle = query.lower()
        names = ["label"] if "label" in self.columns else list(self.columns)
        hits = np.zeros(self.points.kept.size, bool)
        for name in names:
            values = self.view_column(name)
            hits |= np.fromiter((needle in str(v).lower() for v in values), bool, len(values))
        return np.flatnonzero(hits)

    @property
    def view(self) -> ProjectorView:
        if self._view is None:
            self._view = ProjectorView(self, self._set_selected)
        return self._view

    def snapshot_png(self) -> bytes:
        """The static picture (what a saved notebook shows)."""
        view = self.view
        return snapshot_png(view.positions, view.codes, view.legend_entries)

    def _static_html(self) -> str:
        view = self.view
        return snapshot_html(self.snapshot_png(), self.title, view.legend_entries, view.color_by)

    def __repr__(self) -> str:
        return f"<Projection: {self.title}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = self.view._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = {**data, "text/html": self._static_html(), "text/plain": repr(self)}
        return data, {**metadata, LIVE_MARK: {"live": True, "static": "text/html"}}

    # --- interaction ----------------------------------------------------------------------------

    def color_by(self, column: str | None) -> None:
        """Colours the view's points by metadata ``column`` (None: one colour)."""
        if column is not None and column not in self.columns:
            raise ProjectionError(
                f"column: expected one of {sorted(self.columns)}. Received: {column!r}"
            )
        self.view.set_color(column or "")

    @property
    def selected(self) -> npt.NDArray[np.int64]:
        """Input rows selected in the view (lasso in 2-D, shift-drag box in 3-D)."""
        return self._selected

    def _set_selected(self, view_indices: np.ndarray) -> None:
        self._selected = self.points.kept[view_indices]

    def _row_of(self, row_or_label: int | str) -> int:
        if isinstance(row_or_label, (int, np.integer)) and not isinstance(row_or_label, bool):
            row = int(row_or_label)
            if not 0 <= row < self.points.n_input:
                raise ProjectionError(
                    f"row: expected 0 <= row < {self.points.n_input}. Received: {row}"
                )
            return row
        labels = self.labels
        if labels is None:
            raise ProjectionError("row: a label was given but the projection has no labels")
        matches = [i for i, v in enumerate(labels) if str(v) == str(row_or_label)]
        if not matches:
            raise ProjectionError(f"row: no row is labelled {row_or_label!r}")
        return matches[0]

    def neighbors(self, row_or_label: int | str, k: int = 10) -> NeighborList:
        """The ``k`` nearest rows to a row (its index, or the first row with that label), by the
        projection's metric in the original space (exact: blocked matrix products over every
        row). Highlighted in the view."""
        row = self._row_of(row_or_label)
        where = np.searchsorted(self.points.kept, row)
        if where >= self.points.kept.size or self.points.kept[where] != row:
            raise ProjectionError(f"row: row {row} holds NaN or Inf and was left out")
        found = self.view_neighbors(int(where), k)
        if self._view is not None:
            self._view.highlight("neighbors", found.view_indices, anchor=int(where))
        return found

    def view_neighbors(self, index: int, k: int) -> NeighborList:
        if self._neighbors is None:
            self._neighbors = Neighbors(self.points.data, self.metric)
        view_indices, distances = self._neighbors.query(index, k)
        rows = self.points.kept[view_indices]
        labels = self.labels
        names = [str(labels[r]) for r in rows] if labels is not None else [""] * len(rows)
        query = int(self.points.kept[index])
        return NeighborList(query, rows, distances, names, view_indices, self.metric)

    def export(self, logdir: str | Path, name: str = "embedding", **kwargs: Any) -> ProjectorFiles:
        """Writes the original rows (not the projection: TensorBoard projects them itself) with
        the metadata and any image thumbnails to ``logdir`` in TensorBoard's projector format."""
        columns = {k: self.view_column(k) for k in self.columns}
        images = self.points.images
        if images is not None:
            images = images[self.points.kept]
        return export_projector(
            logdir, self.points.data, columns, name=name, images=images, **kwargs
        )


class _Progress:
    """A line in the cell's output saying how a long reduction goes (updated twice a second)."""

    def __init__(self, method: str) -> None:
        self.name = NAMES[method]
        self.start = time.perf_counter()
        self.last = 0.0
        self.handle: DisplayHandle | None = None

    def __call__(self, fraction: float, text: str) -> None:
        now = time.perf_counter()
        if now - self.last < PROGRESS_EVERY and 0 < fraction < 1:
            return
        self.last = now
        self.show(f"{self.name}: {fraction:.0%}, {text} ({now - self.start:.0f} s)")

    def show(self, line: str) -> None:
        bundle = {"text/plain": line}
        try:
            if self.handle is None:
                self.handle = display(bundle, raw=True, display_id=True)
            else:
                self.handle.update(bundle, raw=True)
        except Exception:
            log.debug("progress line not shown", exc_info=True)


def project(
    x: Any,
    labels: Sequence[Any] | None = None,
    metadata: Any = None,
    method: str = "pca",
    dims: int = 2,
    metric: str = "euclidean",
    **method_kwargs: Any,
) -> Projection:
    """Projects rows to 2 or 3 dimensions and returns a :class:`Projection` (shown inline).

    Args:
        x: a NumPy array (n x features; images n x h x w [x c] are flattened), a tensor, a Keras
            ``Embedding`` layer (its table; pass the vocabulary as ``labels``), or
            ``(model, inputs, layer_name)`` for that layer's activations on ``inputs``.
        labels: one label per row (searchable, the default colouring). Default None.
        metadata: more columns, a mapping of name to values or a DataFrame. Default None.
        method: "pca" (exact), "tsne" (openTSNE, every point) or "umap" (umap-learn; its first
            call in a process compiles for 26-60 s). Default "pca".
        dims: 2 or 3. Default 2.
        metric: "euclidean" or "cosine", for the reduction and for neighbours. Default
            "euclidean".
        **method_kwargs: passed to the method (``perplexity=``, ``n_neighbors=``, ...).

    Returns:
        The projection; ``.coords`` holds one row per input row.

    Raises:
        ProjectionError: bad input or settings (the message names the argument).
        KeyboardInterrupt: interrupted while reducing.

    Example:
        >>> proj = project(np.random.rand(500, 16), labels=[i % 3 for i in range(500)])
        >>> proj.coords.shape
        (500, 2)
    """
    global _umap_warned
    points = read_points(x, labels, metadata)
    progress = _Progress(method) if method in NAMES else None
    if method == "umap" and not umap_is_compiled() and not _umap_warned:
        _umap_warned = True
        warnings.warn(
            "UMAP's first call in a kernel compiles numba code (26-60 s on a laptop CPU); later "
            "calls take seconds. method='pca' is instant, method='tsne' needs no compilation.",
            stacklevel=2,
        )
    reduction, cached = reduce_in_background(
        points.data,
        method,
        dims,
        metric,
        progress or (lambda f, t: None),
        **method_kwargs,
    )
    if progress is not None and progress.handle is not None:
        where = "from the cache" if cached else f"in {reduction.seconds:.1f} s"
        progress.show(f"{NAMES[method]} of {points.data.shape[0]:,} points {where}")
    return Projection(points, reduction, dims, metric, cached)


def projection_from(coords: npt.ArrayLike, **kwargs: Any) -> Projection:
    """A projection of precomputed ``coords`` (n x 2 or 3), e.g. for tests and benchmarks."""
    array = np.asarray(coords, dtype=np.float32)
    points = read_points(array, kwargs.pop("labels", None), kwargs.pop("metadata", None))
    reduction = Reduction(array[points.kept], "pca", info="given coordinates")
    return Projection(points, reduction, array.shape[1], "euclidean", False)
