"""Embedding projections: the reductions, nearest neighbours and the view at 100k and 1M points.

1. PCA of 100k x 128 float32 (ours: the covariance route) beside scikit-learn's randomized PCA.
2. t-SNE of 10k x 64 with openTSNE (ours) beside scikit-learn's TSNE, same perplexity and
   iterations, each in the same process one after the other.
3. UMAP of 20k x 64 in a fresh process: the first call (numba compiles) and a second (warm).
4. Exact neighbours of one row among 1M x 128 (blocked products) beside a plain
   ``norm(X - q)`` + ``argsort``.
5. The real view in headless Chromium (Debian's, software WebGL: no GPU here), fed by the real
   kernel half through a bridge (base64 over Playwright: slower than a comm): bytes sent, time to
   the first drawn frame (from render, and from the points' arrival), and frames per second
   while the camera moves every frame (2-D pan; 3-D turn) at 100k and 1M points.

Goals (the issue's): PCA under 0.5 s; first frame at 100k under 1 s and at 1M under 3 s; at
least 30 fps panning 1M points; openTSNE faster than scikit-learn (ratio under 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.bench.goals import at_least, at_most

REPO = Path(__file__).resolve().parents[2]
FRAMES = 90


def _blobs(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    centres = rng.normal(scale=4, size=(10, d))
    return (centres[labels] + rng.normal(size=(n, d))).astype(np.float32), labels


def _pca() -> dict[str, float]:
    from sklearn.decomposition import PCA

    from workbench.projector import reduce

    x, _ = _blobs(100_000, 128)
    reduce(x[:1000], "pca")  # warm BLAS
    ours = min(_timed(lambda: reduce(x, "pca"))[0] for _ in range(3))
    randomized = _timed(lambda: PCA(2, svd_solver="randomized", random_state=0).fit_transform(x))
    return {"pca_100k_s": ours, "sklearn_randomized_s": randomized[0]}


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _tsne() -> dict[str, float]:
    from sklearn.manifold import TSNE

    from workbench.projector import reduce

    x, _ = _blobs(10_000, 64)
    ours, result = _timed(lambda: reduce(x, "tsne", n_jobs=2, random_state=0))
    theirs, _ = _timed(
        lambda: TSNE(2, perplexity=30, max_iter=750, n_jobs=2, random_state=0).fit_transform(x)
    )
    return {"opentsne_10k_s": ours, "sklearn_tsne_10k_s": theirs, "info": result.info}


UMAP = """
import json, time, numpy as np
from workbench.projector import reduce
rng = np.random.default_rng(0)
x = (rng.normal(scale=4, size=(10, 64))[rng.integers(0, 10, 20000)]
     + rng.normal(size=(20000, 64))).astype("float32")
t = time.perf_counter(); reduce(x, "umap"); first = time.perf_counter() - t
t = time.perf_counter(); reduce(x, "umap"); warm = time.perf_counter() - t
print(json.dumps({"umap_first_call_s": first, "umap_warm_20k_s": warm}))
"""


def _umap() -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", UMAP], cwd=REPO, capture_output=True, text=True, timeout=900
    )
    if out.returncode != 0:
        return {"umap_error": out.stderr[-2000:]}  # type: ignore[dict-item]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _neighbors() -> dict[str, float]:
    from workbench.projector import Neighbors

    x = np.random.default_rng(0).normal(size=(1_000_000, 128)).astype(np.float32)
    index = Neighbors(x)
    index.query(0, 10)  # the squared norms, once per projection
    ours = min(_timed(lambda: index.query(12_345, 10))[0] for _ in range(3))
    naive, _ = _timed(lambda: np.argsort(np.linalg.norm(x - x[12_345], axis=1))[:11])
    return {"neighbors_1m_s": ours, "naive_norm_argsort_1m_s": naive}


def _view(n: int, dims: int) -> dict[str, float]:
    from tests.projector.page import projector_page
    from workbench.widgets.projector import projection_from

    rng = np.random.default_rng(0)
    coords = rng.normal(size=(n, dims)).astype(np.float32)
    coords[:, 0] += rng.integers(0, 6, n) * 2
    labels = (np.abs(coords[:, 0]) // 2).astype(int).tolist()
    proj = projection_from(coords, labels=labels)
    monkeypatch = pytest.MonkeyPatch()
    try:
        with projector_page(proj, monkeypatch, viewport=(1000, 640)) as pg:
            pg.render()
            first = pg.first_frame_ms()
            after_points = pg.page.evaluate(
                "window.el.workbenchProjector.firstFrameAt - window.el.workbenchProjector.pointsAt"
            )
            fps = pg.page.evaluate(
                """frames => new Promise(resolve => {
                  const r = window.el.workbenchProjector.renderer;
                  const start = performance.now(); const drawn = r.frames; let step = 0;
                  const tick = () => {
                    r.nudge(++step);
                    if (step < frames) { requestAnimationFrame(tick); return; }
                    requestAnimationFrame(() => resolve(
                      (r.frames - drawn) / ((performance.now() - start) / 1000)));
                  };
                  requestAnimationFrame(tick);
                })""",
                FRAMES,
            )
            return {
                "points": n,
                "dims": dims,
                "bytes_buffers": pg.buffer_bytes,
                "bytes_json_envelopes": pg.sent_bytes,
                "first_frame_ms": first,
                "first_frame_after_points_ms": float(after_points),
                "fps_moving": float(fps),
            }
    finally:
        monkeypatch.undo()


def run() -> dict[str, Any]:
    pca = _pca()
    neighbors = _neighbors()
    views = [_view(100_000, 2), _view(1_000_000, 2), _view(100_000, 3), _view(1_000_000, 3)]
    tsne = _tsne()
    umap = _umap()
    v100k, v1m = views[0], views[1]
    goals = [
        at_most("PCA of 100k x 128, seconds", pca["pca_100k_s"], 0.5),
        at_most(
            "openTSNE / scikit-learn TSNE, 10k x 64",
            tsne["opentsne_10k_s"] / tsne["sklearn_tsne_10k_s"],
            1.0,
        ),
        at_most("first frame drawn, 100k points (2-D), ms", v100k["first_frame_ms"], 1000),
        at_most("first frame drawn, 1M points (2-D), ms", v1m["first_frame_ms"], 3000),
        at_least("frames per second panning 1M points (2-D)", v1m["fps_moving"], 30),
        at_most(
            "bytes sent per point, 1M (2-D)",
            v1m["bytes_buffers"] / 1_000_000,
            9.0,  # 2 float32 + 1 byte of colour
        ),
        at_most(
            "exact neighbours 1M x 128 / norm+argsort",
            neighbors["neighbors_1m_s"] / neighbors["naive_norm_argsort_1m_s"],
            1.0,
        ),
    ]
    return {
        "pca": pca,
        "tsne": tsne,
        "umap": umap,
        "neighbors": neighbors,
        "views": views,
        "goals": goals,
        "summary": {"pca": pca, "tsne": tsne, "umap": umap, "neighbors": neighbors, "views": views},
    }
