"""UMAP as umap-learn fits it with the settings a user passes: the same coordinates, classes that
stay apart, what the reduction says about itself, and a stop asked for during the fit honoured
after it (umap-learn's optimiser has no hook). One module on purpose: the first fit in a process
compiles umap-learn's numba code (~20 s CPU here), the others reuse it. Not marked slow: it
is what ``make mutate`` kills UMAP's mutants with."""

from __future__ import annotations

import importlib
import threading
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from workbench.projector import reduce
from workbench.projector.reduce import Cancelled, umap

reduce_module = importlib.import_module("workbench.projector.reduce")


def _digits(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return x[:n].astype(np.float32), y[:n]


def test_a_users_settings_reach_umap_learn_and_give_its_coordinates() -> None:
    import umap as umap_learn  # type: ignore[import-untyped]

    x, _ = _digits()
    settings = {"n_neighbors": 7, "min_dist": 0.3, "random_state": 4}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # umap-learn's "n_jobs overridden" note stays out
        got = reduce(x, "umap", dims=3, metric="cosine", n_epochs=60, **settings)
    want = umap_learn.UMAP(n_components=3, metric="cosine", n_epochs=60, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(got.coords, want.fit_transform(x))
    assert got.coords.dtype == np.float32
    assert got.coords.flags.c_contiguous
    assert got.coords.shape == (300, 3)
    assert got.method == "umap"
    assert got.info == "umap-learn, n_neighbors=7, min_dist=0.3"
    assert got.params == settings
    assert got.seconds > 0
    assert reduce_module.umap_is_compiled()


def test_the_digits_classes_stay_apart_in_two_dimensions() -> None:
    x, y = _digits()
    got = reduce(x, "umap", random_state=0)
    assert got.coords.shape == (300, 2)
    assert got.info == "umap-learn, n_neighbors=15, min_dist=0.1"
    assert got.params == {"n_neighbors": 15, "min_dist": 0.1, "random_state": 0}
    # a point's neighbours in the layout are of its class: 0.97 here, 0.1 by chance
    assert cross_val_score(KNeighborsClassifier(5), got.coords, y, cv=5).mean() > 0.9
    # with a seed the layout is umap-learn's reproducible one, and umap() called on its own
    # has reduce()'s defaults
    np.testing.assert_array_equal(reduce(x, "umap", random_state=0).coords, got.coords)
    direct = umap(x, random_state=0)
    np.testing.assert_array_equal(direct.coords, got.coords)
    assert (direct.info, direct.params) == (got.info, got.params)


@pytest.mark.parametrize("compiled", [False, True])
def test_a_stop_asked_for_during_the_fit_is_honoured_after_it(
    monkeypatch: pytest.MonkeyPatch, compiled: bool
) -> None:
    monkeypatch.setattr(reduce_module, "_umap_used", compiled)
    x, _ = _digits(60)
    stop = threading.Event()
    seen: list[tuple[float, str]] = []

    def progress(fraction: float, text: str) -> None:
        seen.append((fraction, text))
        if fraction > 0:  # the fit starts after this report
            stop.set()

    with pytest.raises(Cancelled):
        reduce(x, "umap", n_neighbors=5, n_epochs=20, progress=progress, cancel=stop)
    first = "" if compiled else " and compiling (first call: 26-60 s)"
    layout = "" if compiled else " (compiling on first use)"
    assert seen == [
        (0.0, f"importing umap-learn{first}"),
        (0.05, f"nearest neighbours, layout{layout}"),
    ]
    assert reduce_module.umap_is_compiled()  # the fit ran: the next call says no compiling
