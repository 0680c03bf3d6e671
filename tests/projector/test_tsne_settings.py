"""t-SNE as openTSNE computes it with the settings a user passes (or ours by default), its
progress counted across openTSNE's two phases, and too few points named with the fix."""

from __future__ import annotations

import importlib
import re
from typing import Any

import numpy as np
import pytest
from openTSNE import TSNE  # type: ignore[import-untyped]

from workbench.projector import ProjectionError, reduce
from workbench.projector.reduce import tsne

reduce_module = importlib.import_module("workbench.projector.reduce")


def _points(n: int, d: int = 5, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def _opentsne(x: np.ndarray, **settings: object) -> tuple[np.ndarray, float]:
    defaults = {"n_components": 2, "perplexity": 30, "metric": "euclidean", "n_iter": 500}
    defaults |= {"early_exaggeration_iter": 250, "random_state": 0, "n_jobs": 1}
    embedding = TSNE(**{**defaults, "negative_gradient_method": "bh", **settings}).fit(x)
    return np.asarray(embedding, np.float32), float(embedding.kl_divergence)


def test_the_defaults_are_opentsnes_with_barnes_hut_and_a_fixed_seed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    x = _points(100)
    got = tsne(x)
    assert capfd.readouterr().out == ""  # openTSNE's own progress lines stay out of the cell
    want, kl = _opentsne(x)
    np.testing.assert_array_equal(got.coords, want)
    assert got.info == f"openTSNE, 750 iterations, KL divergence {kl:.3f}"
    assert got.params == {"perplexity": 30.0, "n_iter": 500, "random_state": 0}
    assert got.method == "tsne"


def test_a_users_settings_reach_opentsne() -> None:
    x = _points(40, seed=1)
    settings: dict[str, Any] = {
        "perplexity": 5,
        "n_iter": 30,
        "early_exaggeration_iter": 20,
        "random_state": 3,
    }
    got = reduce(x, "tsne", dims=3, metric="cosine", **settings)
    want, kl = _opentsne(x, n_components=3, metric="cosine", **settings)
    np.testing.assert_array_equal(got.coords, want)
    # an option of openTSNE's own reaches it
    slow, _ = _opentsne(x, learning_rate=3.0, **settings)
    np.testing.assert_array_equal(reduce(x, "tsne", learning_rate=3.0, **settings).coords, slow)
    assert got.info == f"openTSNE, 50 iterations, KL divergence {kl:.3f}"
    # a method of the user's own, past ours (FFT: a few iterations, each costs its grid)
    few: dict[str, Any] = {"perplexity": 5, "n_iter": 10, "early_exaggeration_iter": 0}
    fft, _ = _opentsne(x, negative_gradient_method="fft", **few)
    got = reduce(x, "tsne", negative_gradient_method="fft", **few)
    np.testing.assert_array_equal(got.coords, fft)


def test_fft_from_bh_below_points_in_two_dimensions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reduce_module, "BH_BELOW", 40)  # the 10k points rule, at 40 points
    settings: dict[str, Any] = {"perplexity": 5, "n_iter": 10, "early_exaggeration_iter": 0}
    x = _points(40, seed=2)
    fft, _ = _opentsne(x, negative_gradient_method="fft", **settings)
    np.testing.assert_array_equal(tsne(x, **settings).coords, fft)
    bh, _ = _opentsne(x[:39], **settings)
    np.testing.assert_array_equal(tsne(x[:39], **settings).coords, bh)
    bh3, _ = _opentsne(x, n_components=3, **settings)  # no FFT in 3-D
    np.testing.assert_array_equal(tsne(x, 3, **settings).coords, bh3)


@pytest.mark.parametrize(
    ("early", "done"),
    [
        (20, [10, 20, 30, 40, 50]),
        (10, [10, 20, 30, 40]),  # one call in the first phase, then 10 again
        (5, [15, 25, 35]),  # none in the first phase
    ],
)
def test_progress_counts_across_both_phases(early: int, done: list[int]) -> None:
    seen: list[tuple[float, str]] = []
    x = _points(20, seed=4)
    tsne(
        x,
        perplexity=3,
        n_iter=30,
        early_exaggeration_iter=early,
        progress=lambda *a: seen.append(a),
    )
    total = early + 30
    assert seen[0] == (0.0, "nearest neighbours and affinities")
    assert [f for f, _ in seen[1:]] == [d / total for d in done]
    for (_, text), d in zip(seen[1:], done, strict=True):
        assert re.fullmatch(rf"iteration {d}/{total}, KL \d+\.\d{{3}}", text), text


@pytest.mark.parametrize(
    ("n", "perplexity", "message"),
    [
        (50, 30, "perplexity=30 needs at least 91 points. Received 50; pass a smaller perplexity"
         " (under 16.3)"),
        (90, 30, "perplexity=30 needs at least 91 points. Received 90; pass a smaller perplexity"
         " (under 29.7)"),
        (3, 0.5, "perplexity=0.5 needs at least 4 points. Received 3; pass a smaller perplexity"
         " (under 0.7)"),
        (2, 0.5, "perplexity=0.5 needs at least 4 points. Received 2; pass a smaller perplexity"
         " (under 0.3)"),
    ],
)  # fmt: skip
def test_too_few_points_says_how_many_and_the_fix(n: int, perplexity: float, message: str) -> None:
    with pytest.raises(ProjectionError) as raised:
        tsne(_points(n), perplexity=perplexity)
    assert str(raised.value) == f"x: t-SNE with {message} or use method='pca'."


def test_just_enough_points() -> None:
    assert tsne(_points(4), perplexity=1, n_iter=10, early_exaggeration_iter=0).coords.shape == (
        4,
        2,
    )
    assert tsne(_points(31), perplexity=10, n_iter=10, early_exaggeration_iter=0).coords.shape == (
        31,
        2,
    )
