"""The reductions: exact PCA by the covariance route, t-SNE with openTSNE, UMAP with umap-learn.

Each takes finite float32 rows and returns a :class:`Reduction`. t-SNE and UMAP report progress
through ``progress(fraction, text)`` and watch ``cancel`` (a ``threading.Event``): t-SNE stops
at its next 10 iterations; UMAP (whose optimiser has no hook) is checked between its phases.

PCA is exact: the eigendecomposition of the d x d covariance (one ``X^T X`` product, then
``eigh`` of a small matrix). Checked here: 100k x 128 float32 in ~0.05 s, against 0.7-1.6 s for
randomized PCA. Wider than ``GRAM_LIMIT`` features and fewer rows than features, the n x n Gram
matrix is decomposed instead (the same exact components).
"""

from __future__ import annotations

import importlib.util
import itertools
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.projector.inputs import ProjectionError

__all__ = ["METHODS", "METRICS", "Progress", "Reduction", "pca", "reduce", "tsne", "umap"]

METHODS = ("pca", "tsne", "umap")
METRICS = ("euclidean", "cosine")
GRAM_LIMIT = 4096
BH_BELOW = 10_000
EVERY = 10  # iterations between t-SNE's progress reports (and checks for a stop)
Progress = Callable[[float, str], None]


@dataclass
class Reduction:
    """A reduction's coordinates (one row per input row it was given) and what it says about them.

    Attributes:
        coords: n x dims float32.
        method: "pca", "tsne" or "umap".
        explained_variance_ratio: PCA only: the share of variance each component keeps.
        components: PCA only: dims x d, the principal axes.
        info: words about the run ("750 iterations, KL divergence 1.92").
        seconds: how long the reduction took.
    """

    coords: npt.NDArray[np.float32]
    method: str
    explained_variance_ratio: npt.NDArray[np.float64] | None = None
    components: npt.NDArray[np.float32] | None = None
    info: str = ""
    seconds: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)


class Cancelled(Exception):
    """The reduction was asked to stop (an interrupt)."""


def _noop(fraction: float, text: str) -> None:
    return None


def reduce(
    data: npt.NDArray[np.float32],
    method: str = "pca",
    dims: int = 2,
    metric: str = "euclidean",
    *,
    progress: Progress = _noop,
    cancel: threading.Event | None = None,
    **kwargs: Any,
) -> Reduction:
    """Reduces ``data`` (finite rows) to ``dims`` columns with ``method``.

    Raises:
        ProjectionError: an unknown method, metric or dims, or too few rows for the method.
        Cancelled: ``cancel`` was set before the reduction finished.
    """
    if method not in METHODS:
        raise ProjectionError(f"method: expected one of {set(METHODS)}. Received: {method!r}")
    if dims not in (2, 3):
        raise ProjectionError(f"dims: expected 2 or 3. Received: {dims!r}")
    if metric not in METRICS:
        raise ProjectionError(f"metric: expected one of {set(METRICS)}. Received: {metric!r}")
    cancel = cancel or threading.Event()
    start = time.perf_counter()
    if method == "pca":
        if kwargs:
            raise ProjectionError(f"method='pca' takes no options. Received: {sorted(kwargs)}")
        result = pca(_normalized(data) if metric == "cosine" else data, dims)
    elif method == "tsne":
        result = tsne(data, dims, metric, progress=progress, cancel=cancel, **kwargs)
    else:
        result = umap(data, dims, metric, progress=progress, cancel=cancel, **kwargs)
    result.seconds = time.perf_counter() - start
    return result


def _normalized(data: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(data, axis=1, keepdims=True)
    # float32 rows over float32 norms are float32: no second copy of the rows
    return data / np.where(norms == 0, 1, norms)  # type: ignore[return-value]


def pca(data: npt.NDArray[np.float32], dims: int = 2) -> Reduction:
    """Exact PCA of ``data`` to ``dims`` components (fewer features than dims: zero-padded)."""
    n, d = data.shape
    mean = data.mean(axis=0, dtype=np.float64).astype(np.float32)
    centred = data - mean
    if d > GRAM_LIMIT and n < d:
        gram = (centred @ centred.T).astype(np.float64)
        values, vectors = np.linalg.eigh(gram)
        order = np.argsort(values)[::-1][:dims]
        values = values[order]
        axes = (centred.T @ vectors[:, order].astype(np.float32)).T
        axes /= np.maximum(np.linalg.norm(axes, axis=1, keepdims=True), 1e-30)
    else:
        covariance = (centred.T @ centred).astype(np.float64)
        values, vectors = np.linalg.eigh(covariance)
        order = np.argsort(values)[::-1][:dims]
        values = values[order]
        axes = vectors[:, order].T.astype(np.float32)
    # each axis points where its largest loading is positive: the same picture on every run
    signs = np.sign(axes[np.arange(axes.shape[0]), np.abs(axes).argmax(axis=1)])
    axes *= np.where(signs == 0, 1, signs)[:, None]
    total = float(np.square(centred, dtype=np.float64).sum())
    ratio = np.clip(values, 0, None) / total if total > 0 else np.zeros_like(values)
    coords = centred @ axes.T
    if coords.shape[1] < dims:  # fewer features than dims
        pad = np.zeros((n, dims - coords.shape[1]), np.float32)
        coords, ratio = np.hstack([coords, pad]), np.concatenate([ratio, np.zeros(pad.shape[1])])
    shares = ", ".join(f"{r:.1%}" for r in ratio)
    return Reduction(
        np.ascontiguousarray(coords, dtype=np.float32),
        "pca",
        explained_variance_ratio=ratio,
        components=axes,
        info=f"explained variance {shares} (total {ratio.sum():.1%})",
    )


def tsne(
    data: npt.NDArray[np.float32],
    dims: int = 2,
    metric: str = "euclidean",
    *,
    perplexity: float = 30.0,
    n_iter: int = 500,
    early_exaggeration_iter: int = 250,
    random_state: int = 0,
    n_jobs: int | None = None,
    progress: Progress = _noop,
    cancel: threading.Event | None = None,
    **kwargs: Any,
) -> Reduction:
    """t-SNE of every row with openTSNE (FFT-accelerated from 10k points in 2-D, else
    Barnes-Hut).

    Raises:
        ProjectionError: fewer rows than ``3 * perplexity + 1`` (openTSNE's own bound).
    """
    from openTSNE import TSNE  # type: ignore[import-untyped]

    n = data.shape[0]
    needed = int(np.floor(3 * perplexity)) + 1
    if n < needed or n < 4:
        raise ProjectionError(
            f"x: t-SNE with perplexity={perplexity:g} needs at least {max(needed, 4)} points. "
            f"Received {n}; pass a smaller perplexity (under {max(n - 1, 1) / 3:.1f}) or use "
            "method='pca'."
        )
    cancel = cancel or threading.Event()
    total = early_exaggeration_iter + n_iter
    progress(0.0, "nearest neighbours and affinities")
    # openTSNE counts iterations from 1 in each of its two phases (exaggerated, then not) and
    # calls back every EVERY-th: the first early_exaggeration_iter // EVERY calls are the first's
    calls = itertools.count(1)

    def callback(iteration: int, error: float, embedding: Any) -> bool:
        first_phase = next(calls) <= early_exaggeration_iter // EVERY
        done = iteration if first_phase else early_exaggeration_iter + iteration
        progress(done / total, f"iteration {done}/{total}, KL {error:.3f}")
        return cancel.is_set()

    # FFT interpolation pays off from ~10k points (openTSNE's advice); below, and in 3-D where
    # FFT is not available, Barnes-Hut (300 digits: 1.2 s against 9 s with FFT, one thread)
    gradient = "fft" if dims == 2 and n >= BH_BELOW else "bh"
    # below 10k points threads cost more than they give (measured on 2 busy cores: 1,797 digits
    # 44 s on one thread, 167 s on two); n_jobs=None picks one thread there, all cores above
    jobs = n_jobs if n_jobs is not None else (1 if n < BH_BELOW else -1)
    estimator = TSNE(
        n_components=dims,
        perplexity=perplexity,
        metric=metric,
        n_iter=n_iter,
        early_exaggeration_iter=early_exaggeration_iter,
        negative_gradient_method=kwargs.pop("negative_gradient_method", gradient),
        random_state=random_state,
        n_jobs=jobs,
        callbacks=callback,
        callbacks_every_iters=EVERY,
        verbose=False,
        **kwargs,
    )
    from openTSNE.tsne import OptimizationInterrupt  # type: ignore[import-untyped]

    try:
        embedding = estimator.fit(data)
    except OptimizationInterrupt:
        raise Cancelled() from None
    if cancel.is_set():
        raise Cancelled()
    kl = float(embedding.kl_divergence)  # set by every fit, after its last iteration
    params = {"perplexity": perplexity, "n_iter": n_iter, "random_state": random_state}
    return Reduction(
        np.ascontiguousarray(embedding, dtype=np.float32),
        "tsne",
        info=f"openTSNE, {total} iterations, KL divergence {kl:.3f}",
        params=params,
    )


_umap_used = False  # whether this process has run UMAP (its numba code is compiled then)


def umap_is_compiled() -> bool:
    """Whether UMAP already ran in this process (else its first call compiles for 26-60 s)."""
    return _umap_used


def umap(
    data: npt.NDArray[np.float32],
    dims: int = 2,
    metric: str = "euclidean",
    *,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    random_state: int | None = None,
    progress: Progress = _noop,
    cancel: threading.Event | None = None,
    **kwargs: Any,
) -> Reduction:
    """UMAP with umap-learn. Its first call in a process compiles numba code (26-60 s here), and
    ``import umap`` imports TensorFlow (for its parametric variant)."""
    global _umap_used
    if importlib.util.find_spec("umap") is None:
        raise ProjectionError("method='umap' needs umap-learn: pip install umap-learn")
    n = data.shape[0]
    if n <= n_neighbors:
        raise ProjectionError(
            f"x: UMAP with n_neighbors={n_neighbors} needs more than {n_neighbors} points. "
            f"Received {n}; pass a smaller n_neighbors or use method='pca'."
        )
    cancel = cancel or threading.Event()
    first = not _umap_used
    progress(
        0.0, "importing umap-learn" + (" and compiling (first call: 26-60 s)" if first else "")
    )
    import umap as umap_learn  # type: ignore[import-untyped]

    if cancel.is_set():
        raise Cancelled()
    progress(0.05, "nearest neighbours, layout" + (" (compiling on first use)" if first else ""))
    # n_jobs is ignored by umap-learn when random_state is set (it then runs on one thread)
    reducer = umap_learn.UMAP(
        n_components=dims,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        **kwargs,
    )
    with warnings.catch_warnings():
        # the seed's single thread is the point of passing one, not news for the cell
        warnings.filterwarnings("ignore", "n_jobs value .* overridden", UserWarning)
        coords = reducer.fit_transform(data)
    _umap_used = True
    if cancel.is_set():
        raise Cancelled()
    params = {"n_neighbors": n_neighbors, "min_dist": min_dist, "random_state": random_state}
    return Reduction(
        np.ascontiguousarray(coords, dtype=np.float32),
        "umap",
        info=f"umap-learn, n_neighbors={n_neighbors}, min_dist={min_dist:g}",
        params=params,
    )
