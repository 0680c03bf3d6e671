"""``workbench.stats`` on generated data equals NumPy's statistics, from every kind of source and
batch size: counts, missing, mean, std, min, max and zeros exactly (to float rounding), quantiles
within the sketch's rank error, histogram bars within it too, top values and distinct counts
exactly while they are few."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import workbench
from workbench.data import sources
from workbench.data.accumulate import KLL_K

RANK_ERROR = 0.02  # KLL with k=400 guarantees ~0.7% at 99% confidence; the test allows margin
N = 20_000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    heights = rng.normal(170.0, 9.0, N)
    heights[rng.random(N) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "height": heights,
            "count": rng.poisson(2.0, N),  # many zeros
            "big": rng.normal(1e9, 1.0, N),  # std << |mean|: naive sums cancel
            "flag": rng.random(N) < 0.3,
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kyiv"], N, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )


def _check_numbers(f: workbench.data.stats.FeatureStats, values: np.ndarray) -> None:
    finite = values[np.isfinite(values)]
    assert f.count == finite.size
    assert f.missing == int(np.isnan(values).sum())
    assert f.mean == pytest.approx(finite.mean(), rel=1e-12, abs=1e-9)
    assert f.std == pytest.approx(finite.std(), rel=1e-6)
    assert (f.min, f.max) == (finite.min(), finite.max())
    assert f.zeros == int((finite == 0).sum())
    for q, value in f.quantiles.items():
        # a quantile of discrete data: the ranks below and at it straddle q
        below, upto = (finite < value).mean(), (finite <= value).mean()
        assert below - RANK_ERROR <= q <= upto + RANK_ERROR, (f.name, q, below, upto)
    counts, edges = f.histogram()
    exact, _ = np.histogram(finite, bins=edges)
    assert counts.sum() == pytest.approx(finite.size, rel=1e-6)
    assert np.abs(counts - exact).max() <= RANK_ERROR * finite.size * 2


def test_a_dataframe_matches_numpy(frame: pd.DataFrame) -> None:
    s = workbench.stats(frame)
    assert s.examples == N
    assert s.source == "DataFrame"
    for name in ("height", "count", "big", "flag"):
        _check_numbers(s[name], frame[name].to_numpy(dtype=float))
    city = s["city"]
    assert city.kind == "string"
    assert city.distinct == 4
    assert city.distinct_exact
    assert city.top == list(frame["city"].value_counts().items())
    assert city.length == (4.0, 4.0, 4.0)
    assert "height" in s.text()
    assert s.to_frame().loc["count", "zeros"] == (frame["count"] == 0).sum()


@pytest.mark.parametrize("batch", [1_000, 4_096, 7])
def test_tf_data_batched_or_not_gives_the_same_numbers(frame: pd.DataFrame, batch: int) -> None:
    part = frame.iloc[:3_000] if batch == 7 else frame
    columns = {k: part[k].to_numpy() for k in ("height", "count", "city")}
    dataset = tf.data.Dataset.from_tensor_slices(columns)
    s = workbench.stats(dataset.batch(batch))
    unbatched = workbench.stats(dataset)
    for name in ("height", "count"):
        _check_numbers(s[name], part[name].to_numpy(dtype=float))
        assert unbatched[name].mean == pytest.approx(s[name].mean, rel=1e-12)
    assert s.examples == unbatched.examples == len(part)
    assert s["city"].top == unbatched["city"].top


def test_numpy_dict_and_max_examples(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "ROWS", 999)  # many batches, the last one short
    array = frame[["height", "count"]].to_numpy()
    s = workbench.stats(array)
    assert list(s.features) == ["0", "1"]
    _check_numbers(s["0"], array[:, 0])
    d = workbench.stats(
        {"h": frame["height"].to_numpy(), "c": list(frame["city"])}, max_examples=5_000
    )
    assert d.examples == 5_000
    assert d.truncated
    _check_numbers(d["h"], frame["height"].to_numpy()[:5_000])
    assert dict(d["c"].top) == frame["city"].iloc[:5_000].value_counts().to_dict()


def test_images_and_sequences_have_shape_distributions() -> None:
    images = np.random.default_rng(1).integers(0, 256, (300, 8, 8, 1)).astype(np.uint8)
    s = workbench.stats(tf.data.Dataset.from_tensor_slices({"image": images}).batch(64))
    assert s["image"].shapes == [("(8, 8, 1)", 300)]
    _check_numbers(s["image"], images.reshape(-1).astype(float))
    lengths = [i % 7 for i in range(200)]
    sequences = tf.data.Dataset.from_generator(
        lambda: (np.arange(n, dtype=np.int64) for n in lengths),
        output_signature=tf.TensorSpec([None], tf.int64),
    )
    seq = workbench.stats(sequences)["value"]
    assert seq.examples == 200
    assert seq.missing == lengths.count(0)
    assert seq.per_example == (0.0, sum(lengths) / (200 - lengths.count(0)), 6.0)
    assert dict(seq.shapes) == {f"({n},)": lengths.count(n) for n in set(lengths)}


def test_distinct_counts_many_values_approximately() -> None:
    ids = np.array([f"user-{i}" for i in range(20_000)])
    f = workbench.stats({"id": ids})["id"]
    assert not f.distinct_exact
    assert abs(f.distinct - 20_000) / 20_000 < 0.05
    assert KLL_K >= 200
