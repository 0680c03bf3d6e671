"""Which points to draw: a few thousand of a million, keeping the shape (LTTB) and every bad one.

Largest-Triangle-Three-Buckets (Steinarsson, 2013) keeps, per bucket, the point that makes the
largest triangle with the previous kept point and the next bucket's mean: peaks and troughs
survive, unlike striding. Vectorised per bucket boundary so 1M points take milliseconds.
"""

from __future__ import annotations

import numpy as np


def lttb(x: np.ndarray, y: np.ndarray, n_out: int) -> np.ndarray:
    """Indices (sorted) of at most ``n_out`` points plus every NaN/Inf point.

    The first and last points are always kept. Non-finite values are skipped by the triangle
    arithmetic and added back, so a plot can still mark them.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    if len(y) != n:
        raise ValueError(f"Expected x and y of one length. Received: {n} and {len(y)}")
    if n_out < 3:
        raise ValueError(f"Expected n_out >= 3. Received: {n_out}")
    bad = np.flatnonzero(~np.isfinite(y))
    if n <= n_out:
        return np.arange(n)
    good = np.flatnonzero(np.isfinite(y))
    if len(good) <= n_out:
        return np.arange(n)
    gx, gy = x[good], y[good]
    kept = good[_lttb(gx, gy, n_out)]
    return np.union1d(kept, bad)


def _lttb(x: np.ndarray, y: np.ndarray, n_out: int) -> np.ndarray:
    n = len(x)
    # bucket edges over the inner points 1..n-2
    edges = np.linspace(1, n - 1, n_out - 1).astype(np.int64)
    out = np.empty(n_out, dtype=np.int64)
    out[0], out[-1] = 0, n - 1
    # the mean of each next bucket (the last one's "next" is the final point)
    sums_x = np.add.reduceat(x[1 : n - 1], edges[:-1] - 1)
    sums_y = np.add.reduceat(y[1 : n - 1], edges[:-1] - 1)
    counts = np.diff(edges)
    mean_x = np.append(sums_x / counts, x[-1])[1:]
    mean_y = np.append(sums_y / counts, y[-1])[1:]
    previous = 0
    for bucket in range(n_out - 2):
        lo, hi = edges[bucket], edges[bucket + 1]
        px, py = x[previous], y[previous]
        area = np.abs(
            (px - mean_x[bucket]) * (y[lo:hi] - py) - (px - x[lo:hi]) * (mean_y[bucket] - py)
        )
        previous = lo + int(np.argmax(area))
        out[bucket + 1] = previous
    return out
