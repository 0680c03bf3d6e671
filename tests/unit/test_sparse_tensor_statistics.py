"""A sparse tensor's display describes the tensor the user has: its implicit zeros count in the
statistics and the histogram exactly as NumPy counts them in ``tf.sparse.to_dense``, without the
display ever making that dense copy."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from workbench.inspect.tensors import summarize


def _sparse(dense: np.ndarray) -> tf.SparseTensor:
    """``dense`` stored sparsely: every element that is not 0 (NaN and Inf included)."""
    return tf.sparse.from_dense(tf.constant(dense))


def _numpy(dense: np.ndarray) -> dict[str, float]:
    finite = dense[np.isfinite(dense)].astype(np.float64)
    return {"min": finite.min(), "max": finite.max(), "mean": finite.mean(), "std": finite.std()}


CASES: dict[str, np.ndarray] = {
    # values both sides of 0, NaN and Inf among them
    "mixed": np.array([[0, 1.5, 0, -2], [np.nan, 0, 0, 3], [0, np.inf, 0, 0]], np.float32),
    # every stored value positive: the zeros are the minimum; all negative: the maximum
    "positive": np.array([[0, 4, 0], [5, 0, 6]], np.float32),
    "negative": np.array([[0, -4, 0], [-5, 0, -6]], np.float64),
    "integers": np.array([[0, 7, 0, 0], [0, 0, -3, 0]], np.int64),
    "booleans": np.array([False, True, False, False, True]),
    "one stored of many": np.eye(1, 50, 7, np.float32) * 1e4,
}


@pytest.mark.parametrize("name", CASES)
def test_statistics_match_numpy_on_the_dense_tensor(name: str) -> None:
    dense = CASES[name]
    sparse = _sparse(dense)
    assert np.array_equal(tf.sparse.to_dense(sparse).numpy(), dense, equal_nan=True)
    summary = summarize(sparse)
    want = _numpy(dense)
    assert summary.stats["min"] == want["min"]
    assert summary.stats["max"] == want["max"]
    assert summary.stats["mean"] == pytest.approx(want["mean"], rel=1e-12, abs=1e-12)
    assert summary.stats["std"] == pytest.approx(want["std"], rel=1e-9)
    if dense.dtype.kind == "f":
        assert summary.stats["nan"] == np.isnan(dense).sum()
        assert summary.stats["inf"] == np.isinf(dense).sum()
    stored = np.count_nonzero(dense)
    assert summary.text().endswith(f"· stored values {stored} · density {stored / dense.size:.3g}>")
    assert summary.size == dense.size
    # the histogram counts every finite element, the zeros in the bar that holds 0
    finite = dense[np.isfinite(dense)].astype(np.float64)
    hist = summary.histogram
    assert hist is not None
    assert (hist.low, hist.high) == (finite.min(), finite.max())
    assert np.array_equal(hist.counts, np.histogram(finite, bins=hist.edges)[0])
    which = "values" if finite.size == dense.size else "finite values"
    assert hist.caption == f"all {finite.size:,} {which}"


def test_the_text_says_the_dense_tensors_numbers() -> None:
    matrix = tf.sparse.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 4])
    assert summarize(matrix).text() == (
        "<tf.SparseTensor shape=(3, 4) float32 on CPU:0 · min 0 · max 2 · mean 0.25 · std 0.5951"
        " · nan 0 · inf 0 · stored values 2 · density 0.167>"
    )
    # one stored value of four is no one-element tensor: statistics, not "= 5"
    vector = tf.sparse.SparseTensor([[1]], [5], [4])
    assert summarize(vector).text() == (
        "<tf.SparseTensor shape=(4,) int32 on CPU:0 · min 0 · max 5 · mean 1.25 · std 2.165"
        " · stored values 1 · density 0.25>"
    )


def test_nothing_stored_is_all_zeros() -> None:
    nothing = tf.sparse.SparseTensor(tf.zeros([0, 2], tf.int64), tf.zeros([0]), [2, 3])
    summary = summarize(nothing)
    assert summary.text() == (
        "<tf.SparseTensor shape=(2, 3) float32 on CPU:0 · min 0 · max 0 · mean 0 · std 0"
        " · nan 0 · inf 0 · stored values 0 · density 0>"
    )
    assert summary.histogram is not None
    assert summary.histogram.counts.sum() == 6
    assert summary.histogram.caption == "all 6 values"
    # one element, not stored: its value, zero
    one = tf.sparse.SparseTensor(tf.zeros([0, 1], tf.int64), tf.zeros([0], tf.int32), [1])
    assert summarize(one).text() == (
        "<tf.SparseTensor shape=(1,) int32 on CPU:0 = 0 · stored values 0 · density 0>"
    )
    # only NaN stored: the zeros are the finite values
    nan = summarize(tf.sparse.SparseTensor([[1]], [float("nan")], [3]))
    assert nan.text() == (
        "<tf.SparseTensor shape=(3,) float32 on CPU:0 · min 0 · max 0 · mean 0 · std 0"
        " · nan 1 · inf 0 · stored values 1 · density 0.333>"
    )
    assert nan.histogram is not None
    assert nan.histogram.caption == "all 2 finite values"
    assert nan.histogram.counts.sum() == 2


def test_a_huge_sparse_tensor_is_never_made_dense() -> None:
    # 10 billion elements: a dense copy would take 40 GB
    side = 100_000
    huge = tf.sparse.SparseTensor(
        [[0, 0], [5, 9], [side - 1, side - 1]], [4.0, -2.0, 7.0], [side] * 2
    )
    summary = summarize(huge)
    total = side * side
    mean = 9.0 / total
    squares = sum((v - mean) ** 2 for v in (4.0, -2.0, 7.0)) + (total - 3) * mean**2
    assert summary.stats["min"] == -2
    assert summary.stats["max"] == 7
    assert summary.stats["mean"] == pytest.approx(mean, rel=1e-12)
    assert summary.stats["std"] == pytest.approx((squares / total) ** 0.5, rel=1e-9)
    assert summary.histogram is not None
    assert summary.histogram.counts.sum() == total
    assert summary.histogram.caption == f"all {total:,} values"


def test_more_stored_values_than_the_sample_holds() -> None:
    rng = np.random.default_rng(3)
    dense = np.zeros((400, 400), np.float32)
    where = rng.random(dense.shape) < 0.6  # 96,000 stored values: the histogram samples them
    dense[where] = rng.normal(2.0, 1.0, where.sum()).astype(np.float32)
    summary = summarize(_sparse(dense))
    want = _numpy(dense)
    assert (summary.stats["min"], summary.stats["max"]) == (want["min"], want["max"])
    assert summary.stats["mean"] == pytest.approx(want["mean"], rel=1e-6)
    assert summary.stats["std"] == pytest.approx(want["std"], rel=1e-6)
    hist = summary.histogram
    assert hist is not None
    drawn = int(hist.counts.sum())
    assert hist.caption == f"a sample: {drawn:,} of {dense.size:,} values"
    # the zeros keep their share of the sample: 40% of the elements
    zero_bar = int(np.histogram([0.0], bins=hist.edges)[0].argmax())
    stored_near_zero = np.histogram(dense[where], bins=hist.edges)[0][zero_bar] / where.sum()
    share = hist.counts[zero_bar] / drawn - stored_near_zero * 0.6
    assert share == pytest.approx(0.4, abs=0.01)


def test_a_sparse_string_tensors_lengths_count_its_empty_strings() -> None:
    words = tf.sparse.SparseTensor([[0], [3]], ["abcd", "xy"], [8])
    assert summarize(words).text() == (
        "<tf.SparseTensor shape=(8,) string on CPU:0 · stored values 2 · density 0.25"
        " · bytes per string min 0 · max 4 · mean 0.75>"
    )
    full = tf.sparse.SparseTensor([[0], [1]], ["abcd", "xy"], [2])
    assert summarize(full).text() == (
        "<tf.SparseTensor shape=(2,) string on CPU:0 · stored values 2 · density 1"
        " · bytes per string min 2 · max 4 · mean 3>"
    )


def test_a_sample_keeps_a_single_zero_only_in_its_share() -> None:
    # 70,000 stored values and one implicit zero: the histogram samples every other value
    dense = np.arange(1, 70_002, dtype=np.float32)
    dense[5] = 0
    summary = summarize(_sparse(dense))
    assert (summary.stats["min"], summary.stats["max"]) == (0, 70_001)
    # float32 values are summed in float32 on the device, dense or sparse
    assert summary.stats["mean"] == pytest.approx(dense.astype(np.float64).mean(), rel=1e-6)
    hist = summary.histogram
    assert hist is not None
    # half a zero rounds to none: the bar of 0 holds only the stored values the sample drew
    drawn = dense[dense != 0][::2].astype(np.float64)
    assert hist.caption == f"a sample: {drawn.size:,} of 70,001 values"
    assert np.array_equal(
        hist.counts,
        np.histogram(np.append(drawn, 0.0), bins=hist.edges)[0]
        - np.histogram([0.0], bins=hist.edges)[0],
    )
    assert hist.low == 0


def test_only_nan_stored_in_a_sample_leaves_the_zeros_as_every_finite_value() -> None:
    dense = np.full(90_000, np.nan, np.float32)
    dense[::3] = 0  # 30,000 zeros, 60,000 NaN stored
    summary = summarize(_sparse(dense))
    assert summary.stats == {"min": 0, "max": 0, "mean": 0, "std": 0, "nan": 60_000, "inf": 0}
    hist = summary.histogram
    assert hist is not None
    assert hist.caption == "all 30,000 finite values"
    assert hist.counts.sum() == 30_000


def test_two_elements_one_stored() -> None:
    summary = summarize(tf.sparse.SparseTensor([[1]], [3.0], [2]))
    assert summary.text() == (
        "<tf.SparseTensor shape=(2,) float32 on CPU:0 · min 0 · max 3 · mean 1.5 · std 1.5"
        " · nan 0 · inf 0 · stored values 1 · density 0.5>"
    )
