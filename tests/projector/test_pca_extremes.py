"""PCA of rows far from the origin and of huge finite values: the projection is centred where
the rows are (a float32 mean of a million rows near 1e4 is off by over 100) and the variance
shares add up (a float32 sum of squares past 3.4e38 is inf)."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.projector import ProjectionError, reduce
from workbench.projector.reduce import _normalized


def _reference(x: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates and variance shares in float64, axes signed as the projector signs them."""
    centred = x.astype(np.float64) - x.astype(np.float64).mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(values)[::-1][:dims]
    axes = vectors[:, order].T
    axes *= np.sign(axes[np.arange(dims), np.abs(axes).argmax(axis=1)])[:, None]
    return centred @ axes.T, values[order] / np.square(centred).sum()


def test_a_million_rows_far_from_the_origin_are_centred_where_they_are() -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((1_000_000, 2)) * [3.0, 1.0] + 1e4).astype(np.float32)
    got = reduce(x, "pca")
    coords, shares = _reference(x, 2)
    assert np.abs(got.coords.mean(axis=0)).max() < 1e-2
    np.testing.assert_allclose(got.coords, coords, atol=2e-2)
    np.testing.assert_allclose(got.explained_variance_ratio, shares, atol=1e-4)  # type: ignore[arg-type]
    assert got.info == "explained variance 90.0%, 10.0% (total 100.0%)"


def test_huge_finite_values_still_share_out_all_the_variance() -> None:
    # each column's sum of squares fits float32; the ten columns' total (1.4e39) does not
    big = np.array([[6e18] * 10, [-6e18] * 10, [6e18, -6e18] * 5, [-6e18, 6e18] * 5], np.float32)
    got = reduce(big, "pca")
    _, shares = _reference(big, 2)
    np.testing.assert_allclose(got.explained_variance_ratio, shares, rtol=1e-6)  # type: ignore[arg-type]
    assert got.info == "explained variance 50.0%, 50.0% (total 100.0%)"
    assert np.isfinite(got.coords).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unit_rows_keep_the_rows_dtype_and_zero_rows_stay_zero(dtype: type) -> None:
    x: np.ndarray = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]], dtype)
    unit = _normalized(x)
    assert unit.dtype == dtype  # float32 rows are not widened (twice the memory)
    np.testing.assert_array_equal(unit, np.array([[0.6, 0.8], [0.0, 0.0], [0.0, -1.0]], dtype))


def test_reduce_is_two_dimensional_euclidean_pca_unless_told_and_pca_takes_no_options() -> None:
    from workbench.projector.reduce import pca

    x = np.random.default_rng(1).normal(size=(30, 4)).astype(np.float32)
    got = reduce(x)
    assert got.method == "pca"
    np.testing.assert_array_equal(got.coords, pca(x, 2).coords)
    assert got.seconds >= 0
    with pytest.raises(ProjectionError) as raised:
        reduce(x, "pca", perplexity=5, n_iter=3)
    assert str(raised.value) == "method='pca' takes no options. Received: ['n_iter', 'perplexity']"
