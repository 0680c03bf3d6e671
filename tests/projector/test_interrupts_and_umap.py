"""Long reductions stop on the kernel's interrupt (KeyboardInterrupt on the waiting thread), and
UMAP warns about its first-call compile cost before anything runs. Cheap on purpose: no numba
compilation here (UMAP's first call costs 26-60 s; bench_projector.py measures it)."""

from __future__ import annotations

import _thread
import threading
import time
import warnings

import numpy as np
import pytest

from workbench.projector import ProjectionError
from workbench.projector.background import clear_cache, reduce_in_background
from workbench.widgets import projector


def test_an_interrupt_stops_tsne_and_reaches_the_cell() -> None:
    clear_cache()
    x = np.random.default_rng(0).normal(size=(400, 10)).astype(np.float32)
    seen: list[float] = []

    def interrupt_once_running() -> None:
        while not any(f > 0 for f in seen):  # once the optimisation runs
            time.sleep(0.02)
        _thread.interrupt_main()  # what the kernel's interrupt button does

    threading.Thread(target=interrupt_once_running, daemon=True).start()
    with pytest.raises(KeyboardInterrupt, match="tsne interrupted"):
        reduce_in_background(
            x, "tsne", 2, "euclidean", lambda f, t: seen.append(f), n_iter=100_000, n_jobs=1
        )
    for _ in range(600):  # it stops at its next check (every 10 iterations)
        if not any(t.name == "workbench-tsne" for t in threading.enumerate()):
            break
        time.sleep(0.1)
    assert not any(t.name == "workbench-tsne" for t in threading.enumerate())
    assert max(seen) < 0.5  # stopped long before its 100,000 iterations


def test_umap_warns_once_about_its_compile_cost_before_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(projector, "_umap_warned", False)
    x = np.random.default_rng(0).normal(size=(10, 3))
    with (
        pytest.warns(UserWarning, match=r"first call in a kernel compiles numba code"),
        pytest.raises(ProjectionError, match=r"n_neighbors=15 needs more than 15 points"),
    ):
        projector.project(x, method="umap")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second call does not warn again
        with pytest.raises(ProjectionError):
            projector.project(x, method="umap")
