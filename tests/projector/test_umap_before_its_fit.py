"""What reduce(method="umap") does before umap-learn fits (a fit costs 26-60 s of numba
compilation, left to bench_projector.py): the user's settings reach it, too few points are
named with the fix, progress says what is slow, and a stop set before the fit is honoured."""

from __future__ import annotations

import importlib
import importlib.util
import threading
import time

import numpy as np
import pytest

from workbench.projector import ProjectionError, reduce
from workbench.projector.reduce import Cancelled

reduce_module = importlib.import_module("workbench.projector.reduce")


def _points(n: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, 3)).astype(np.float32)


@pytest.mark.parametrize(("n", "neighbors"), [(15, 15), (5, 5), (3, 7)])
def test_too_few_points_names_n_neighbors(n: int, neighbors: int) -> None:
    with pytest.raises(ProjectionError) as raised:
        reduce(_points(n), "umap", n_neighbors=neighbors)
    assert str(raised.value) == (
        f"x: UMAP with n_neighbors={neighbors} needs more than {neighbors} points. Received {n};"
        " pass a smaller n_neighbors or use method='pca'."
    )


@pytest.mark.parametrize("compiled", [False, True])
def test_a_stop_before_the_fit_is_honoured_after_saying_what_is_slow(
    monkeypatch: pytest.MonkeyPatch, compiled: bool
) -> None:
    monkeypatch.setattr(reduce_module, "_umap_used", compiled)
    seen: list[tuple[float, str]] = []
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        reduce(
            _points(6), "umap", metric="cosine", n_neighbors=5, cancel=stop,
            progress=lambda *a: seen.append(a),
        )  # fmt: skip
    note = "" if compiled else " and compiling (first call: 26-60 s)"
    assert seen == [(0.0, f"importing umap-learn{note}")]
    assert reduce_module.umap_is_compiled() == compiled  # no fit ran


def test_reduce_says_how_long_it_took() -> None:
    before = time.perf_counter()
    got = reduce(_points(20))
    assert 0 <= got.seconds <= time.perf_counter() - before


def test_without_umap_learn_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "umap" else real(name, *a)
    )
    with pytest.raises(ProjectionError) as raised:
        reduce(_points(30), "umap")
    assert str(raised.value) == "method='umap' needs umap-learn: pip install umap-learn"
