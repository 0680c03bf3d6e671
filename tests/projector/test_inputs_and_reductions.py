"""Projections as plain data: inputs read and checked (each bad input a clear error naming the
argument), exact PCA, openTSNE on all points, the cache, interrupts, exact neighbours."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sklearn.datasets import load_digits

from workbench.projector import Neighbors, ProjectionError, read_points, reduce
from workbench.projector.background import clear_cache, reduce_in_background
from workbench.projector.reduce import Cancelled


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return x.astype(np.float32), y


def test_pca_is_exact_and_says_how_much_variance_it_keeps(digits: tuple) -> None:
    from sklearn.decomposition import PCA

    x, _ = digits
    result = reduce(x, "pca", dims=3)
    reference = PCA(3, svd_solver="full").fit(x)
    np.testing.assert_allclose(
        result.explained_variance_ratio, reference.explained_variance_ratio_, rtol=1e-4
    )
    # the same axes up to sign
    np.testing.assert_allclose(
        np.abs(result.coords), np.abs(reference.transform(x)), rtol=1e-3, atol=1e-3
    )
    assert "explained variance 14.9%, 13.6%, 11.8%" in result.info
    assert result.components is not None
    assert result.components.shape == (3, 64)


def test_pca_of_few_features_and_wide_rows() -> None:
    one = reduce(np.arange(10, dtype=np.float32).reshape(-1, 1), "pca", dims=2)
    assert one.coords.shape == (10, 2)
    assert np.all(one.coords[:, 1] == 0)
    wide = np.random.default_rng(0).normal(size=(20, 5000)).astype(np.float32)
    centred = wide.astype(np.float64) - wide.mean(axis=0, dtype=np.float64)
    singular = np.linalg.svd(centred, compute_uv=False)  # the exact answer, in float64
    got = reduce(wide, "pca")  # fewer rows than features: the Gram route
    expected = singular[:2] ** 2 / np.square(singular).sum()
    np.testing.assert_allclose(got.explained_variance_ratio, expected, rtol=1e-5)


def test_tsne_runs_on_every_point_reports_progress_and_can_be_stopped(digits: tuple) -> None:
    x, y = digits
    x, y = x[:300], y[:300]
    seen: list[float] = []
    result = reduce(
        x, "tsne", perplexity=10, n_iter=100, early_exaggeration_iter=50, n_jobs=1,
        progress=lambda f, _: seen.append(f),
    )  # fmt: skip
    assert result.coords.shape == (300, 2)
    assert seen[-1] == pytest.approx(1.0)
    assert sorted(seen) == seen
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        reduce(x, "tsne", perplexity=10, n_iter=100, n_jobs=1, cancel=stop)


def test_tsne_with_too_few_points_names_perplexity() -> None:
    with pytest.raises(
        ProjectionError, match=r"perplexity=30 needs at least 91 points\. Received 50"
    ):
        reduce(np.random.rand(50, 4).astype(np.float32), "tsne")


def test_the_cache_returns_the_same_reduction_at_once(digits: tuple) -> None:
    x, _ = digits
    clear_cache()
    settings = {"perplexity": 10, "n_iter": 50, "early_exaggeration_iter": 25, "n_jobs": 1}
    first, cached = reduce_in_background(
        x[:200], "tsne", 2, "euclidean", lambda f, t: None, **settings
    )
    again, cached_again = reduce_in_background(
        x[:200].copy(), "tsne", 2, "euclidean", lambda f, t: None, **settings
    )
    assert (cached, cached_again) == (False, True)
    assert again is first
    _other, cached_other = reduce_in_background(
        x[:200], "tsne", 2, "euclidean", lambda f, t: None, **{**settings, "n_iter": 60}
    )
    assert not cached_other


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.arange(5.0)}, r"x: expected one row per point \(2-D"),
        ({"x": np.zeros((0, 3))}, r"x: expected at least one row"),
        ({"x": np.array([["a", "b"]])}, r"x: expected numbers"),
        ({"x": np.full((3, 2), np.nan)}, r"every one of its 3 rows holds NaN or Inf"),
        ({"x": np.zeros((3, 2)), "labels": [1, 2]}, r"labels: expected 3 values .* Received 2"),
        (
            {"x": np.zeros((3, 2)), "metadata": {"kind": [1]}},
            r"metadata\['kind'\]: expected 3 values",
        ),
        ({"x": np.zeros((3, 2)), "metadata": [1, 2, 3]}, r"metadata: expected a mapping"),
    ],
)
def test_bad_input_is_a_clear_error_naming_the_argument(kwargs: dict, match: str) -> None:
    with pytest.raises(ProjectionError, match=match):
        read_points(**kwargs)


def test_bad_settings_name_the_argument() -> None:
    x = np.random.rand(10, 3).astype(np.float32)
    with pytest.raises(ProjectionError, match=r"method: expected one of .* Received: 'tsen'"):
        reduce(x, "tsen")
    with pytest.raises(ProjectionError, match=r"dims: expected 2 or 3. Received: 4"):
        reduce(x, "pca", dims=4)
    with pytest.raises(ProjectionError, match=r"metric: expected one of .* Received: 'l1'"):
        reduce(x, "pca", metric="l1")


def test_rows_with_nan_or_inf_are_left_out_and_counted() -> None:
    x = np.random.rand(6, 3)
    x[1, 0], x[4, 2] = np.nan, np.inf
    points = read_points(x, labels=list("abcdef"))
    assert points.dropped == 2
    assert points.kept.tolist() == [0, 2, 3, 5]
    assert points.data.shape == (4, 3)
    assert points.columns["label"] == list("abcdef")


def test_images_are_flattened_and_kept_for_sprites() -> None:
    images = np.random.rand(10, 8, 8)
    points = read_points(images)
    assert points.data.shape == (10, 64)
    assert points.images is not None


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_neighbours_match_brute_force(metric: str) -> None:
    rng = np.random.default_rng(1)
    data = rng.normal(size=(150_000, 16)).astype(np.float32)  # three blocks of rows
    index = Neighbors(data, metric)
    for row in (0, 70_000, 149_999):
        if metric == "cosine":
            unit = data / np.linalg.norm(data, axis=1, keepdims=True)
            brute = 1 - unit @ unit[row]
        else:
            brute = np.linalg.norm(data - data[row], axis=1)
        brute[row] = np.inf
        for k in (1, 10):  # the nearest alone too: a partition of a large block for one row
            got, distances = index.query(row, k=k)
            expected = np.argsort(brute, kind="stable")[:k]
            assert got.tolist() == expected.tolist()
            np.testing.assert_allclose(distances, brute[expected], rtol=1e-4, atol=1e-5)


def _brute(data: np.ndarray, row: int, metric: str) -> np.ndarray:
    if metric == "cosine":
        norms = np.linalg.norm(data, axis=1, keepdims=True)
        unit = data / np.where(norms == 0, 1, norms)
        brute = np.square(np.linalg.norm(unit - unit[row], axis=1)) / 2
    else:
        brute = np.linalg.norm(data - data[row], axis=1)
    brute[row] = np.inf
    return brute


@pytest.mark.parametrize("block", [7, 1 << 16])
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_every_row_and_every_k_matches_brute_force_across_block_edges(
    block: int, metric: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of 7 rows put the queried row first, last and inside a block, and blocks smaller
    than k; one block of all rows is the ordinary case."""
    from workbench.projector import neighbors

    monkeypatch.setattr(neighbors, "BLOCK", block)
    data = np.random.default_rng(3).normal(size=(20, 5)).astype(np.float32)
    index = Neighbors(data, metric)
    for row in range(20):
        brute = _brute(data, row, metric)
        for k in (1, 3, 10, 18, 19, 25):
            got, distances = index.query(row, k)
            expected = np.argsort(brute, kind="stable")[: min(k, 19)]
            assert got.tolist() == expected.tolist(), (row, k)
            assert got.dtype == np.int64
            assert distances.dtype == np.float32
            np.testing.assert_allclose(distances, brute[expected], rtol=1e-5, atol=1e-6)


def test_no_neighbours_asked_or_none_there() -> None:
    data = np.ones((4, 3), np.float32)
    for index, k in ((Neighbors(data), 0), (Neighbors(data[:1]), 5)):
        got, distances = index.query(0, k)
        assert (got.shape, got.dtype) == ((0,), np.int64)
        assert (distances.shape, distances.dtype) == ((0,), np.float32)


def test_a_zero_row_is_at_cosine_distance_one_half_from_every_row() -> None:
    data = np.array([[0, 0], [1, 0], [0, 2], [3, 3]], np.float32)
    got, distances = Neighbors(data, "cosine").query(0, 3)
    assert got.tolist() == [1, 2, 3]
    np.testing.assert_allclose(distances, [0.5, 0.5, 0.5])


def test_the_defaults_are_ten_euclidean_neighbours() -> None:
    from workbench.projector import nearest

    data = np.random.default_rng(4).normal(size=(30, 4)).astype(np.float32)
    index = Neighbors(data)
    assert index.metric == "euclidean"
    got, distances = nearest(data, 5)
    assert got.tolist() == np.argsort(_brute(data, 5, "euclidean"), kind="stable")[:10].tolist()
    assert got.tolist() == index.query(5)[0].tolist()
    np.testing.assert_array_equal(distances, index.query(5)[1])
    cosine = nearest(data, 5, 4, "cosine")[0]
    assert cosine.tolist() == np.argsort(_brute(data, 5, "cosine"), kind="stable")[:4].tolist()


def _assert_pca(data: np.ndarray, dims: int) -> None:
    """Coordinates, axes and variance shares as numpy's SVD gives them (axes up to sign)."""
    from workbench.projector.reduce import pca

    exact = data.astype(np.float64)
    centred = exact - exact.mean(axis=0)
    _, singular, rows = np.linalg.svd(centred, full_matrices=False)
    got = pca(data, dims)
    assert (got.method, got.coords.dtype, got.components.dtype) == ("pca", np.float32, np.float32)  # type: ignore[union-attr]
    np.testing.assert_allclose(
        got.explained_variance_ratio, singular[:dims] ** 2 / np.square(singular).sum(), rtol=1e-4
    )
    axes = got.components
    assert axes is not None
    np.testing.assert_allclose(np.abs(axes), np.abs(rows[:dims]), rtol=1e-3, atol=1e-4 * axes.max())
    np.testing.assert_allclose(np.linalg.norm(axes, axis=1), 1, rtol=1e-5)
    # each axis points where its largest loading is positive: the same picture on every run
    largest = axes[np.arange(dims), np.abs(axes).argmax(axis=1)]
    assert (largest > 0).all()
    np.testing.assert_allclose(
        got.coords, centred @ axes.T, rtol=1e-3, atol=1e-3 * np.abs(centred).max()
    )


@pytest.mark.parametrize("scale", [1.0, 1e-3])
def test_pca_axes_are_unit_exact_and_signed_by_their_largest_loading(
    digits: tuple, scale: float
) -> None:
    """Both routes (covariance; Gram for rows wider than GRAM_LIMIT), at a scale whose
    variances are far below 1 too."""
    rng = np.random.default_rng(5)
    _assert_pca(digits[0][:300] * scale, 3)
    _assert_pca(
        (rng.normal(size=(40, 5000)) * np.linspace(1, 3, 5000) * scale).astype(np.float32), 3
    )
    _assert_pca((rng.normal(size=(200, 6)) * [5, 4, 3, 2, 1, 0.5] * scale).astype(np.float32), 4)


def test_pca_of_constant_rows_explains_nothing_and_divides_by_nothing() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero
        got = reduce(np.full((20, 5), 3.0, np.float32), "pca")
    assert got.explained_variance_ratio.tolist() == [0.0, 0.0]  # type: ignore[union-attr]
    assert got.info == "explained variance 0.0%, 0.0% (total 0.0%)"
    assert not got.coords.any()


def test_pca_defaults_to_two_float32_columns_whatever_the_input_type(digits: tuple) -> None:
    from workbench.projector.reduce import pca

    x = digits[0][:100].astype(np.float64)
    assert pca(x).coords.shape == (100, 2)
    got = reduce(x, "pca", dims=3)
    assert (got.method, got.coords.dtype, got.components.dtype) == ("pca", np.float32, np.float32)  # type: ignore[union-attr]
    assert got.coords.flags.c_contiguous


class _Tensor:
    """Anything with ``.numpy()`` (a PyTorch or JAX tensor, a Keras variable)."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = value

    def numpy(self) -> np.ndarray:
        return self.value


def test_arrays_tensors_and_nested_rows_are_read_with_what_they_were() -> None:
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    points = read_points(x)
    assert np.shares_memory(points.data, x)  # finite float32 rows are not copied
    assert (points.source, points.images, points.n_input) == ("array 3 x 2", None, 3)
    for given in (_Tensor(x), x.tolist(), tuple(map(tuple, x.tolist())), x.astype(np.int64)):
        got = read_points(given)
        assert got.data.dtype == np.float32
        np.testing.assert_array_equal(got.data, x)
    assert read_points(np.ones((1, 1))).data.shape == (1, 1)  # one row of one feature
    assert read_points(np.ones((4, 2, 3))).source == "array 4 x 2 x 3"


@pytest.mark.parametrize(
    ("shape", "images"),
    [
        ((5, 2, 2), True),
        ((5, 8, 8, 1), True),
        ((5, 8, 8, 3), True),
        ((5, 1, 8), False),
        ((5, 8, 1), False),
        ((5, 8), False),
        ((5, 4, 4, 1, 1), False),
    ],
)
def test_rows_are_images_when_they_have_height_and_width(shape: tuple, images: bool) -> None:
    points = read_points(np.ones(shape, np.float32))
    assert (points.images is not None) == images
    assert points.data.shape == (5, int(np.prod(shape[1:])))


def test_more_bad_input_is_named() -> None:
    with pytest.raises(ProjectionError, match=r"^x: expected a 2-D array of numbers\. Received: "):
        read_points([[1.0, 2.0], [3.0]])
    with pytest.raises(ProjectionError, match=r"^x: expected at least one row\. Received shape"):
        read_points(np.ones((3, 0)))
    for labels in ("abc", {1, 2, 3}):
        with pytest.raises(ProjectionError) as error:
            read_points(np.ones((3, 2)), labels=labels)  # type: ignore[arg-type]
        kind = type(labels).__name__
        expected = f"labels: expected a sequence with one value per row. Received {kind}."
        assert str(error.value) == expected
    with pytest.raises(ProjectionError) as error:
        read_points(np.ones((3, 2)), metadata=[1, 2, 3])
    assert str(error.value) == (
        "metadata: expected a mapping of column name to values (or a DataFrame). Received list."
    )


def test_labels_and_metadata_from_arrays_tensors_bytes_and_frames() -> None:
    import pandas as pd

    x = np.ones((3, 2), np.float32)
    columns = np.array([[1, 10], [2, 20], [3, 30]])
    assert read_points(x, labels=columns).columns["label"] == [1, 2, 3]  # the first column
    assert read_points(x, labels=_Tensor(np.array([4, 5, 6]))).columns["label"] == [4, 5, 6]
    assert read_points(x, labels=[b"a", b"b", "c"]).columns["label"] == ["a", "b", "c"]
    frame = pd.DataFrame({"kind": ["p", "q", "r"], 7: [1.5, 2.5, 3.5]})
    got = read_points(x, labels=["a", "b", "c"], metadata=frame).columns
    assert got == {"label": ["a", "b", "c"], "kind": ["p", "q", "r"], "7": [1.5, 2.5, 3.5]}


def test_cosine_pca_is_the_pca_of_unit_rows(digits: tuple) -> None:
    from workbench.projector.reduce import pca

    x = digits[0][:200].copy()
    x[0] = 0  # a zero row stays at the origin of the unit rows
    unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-30)
    got = reduce(x, "pca", metric="cosine")
    expected = pca(unit.astype(np.float32))
    np.testing.assert_allclose(got.coords, expected.coords, rtol=1e-4, atol=1e-5)
    assert got.coords.dtype == np.float32
    assert np.isfinite(got.coords).all()


def test_variance_shares_are_never_negative_for_rank_deficient_rows() -> None:
    """Four copies of one column: three eigenvalues are zero, which ``eigh`` returns as tiny
    numbers of either sign."""
    from workbench.projector.reduce import pca

    column = np.random.default_rng(0).normal(size=(100, 1)).astype(np.float32)
    got = pca(np.hstack([column] * 4), 4)
    assert (got.explained_variance_ratio >= 0).all()  # type: ignore[operator]
    assert got.info == "explained variance 100.0%, 0.0%, 0.0%, 0.0% (total 100.0%)"
