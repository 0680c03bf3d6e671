"""The running statistics behind ``workbench.stats``, batch by batch: strings' byte lengths, empty
strings and long strings cut for their top values; batches of one finite value or none merged
exactly; and a long dataset's quantile sketch fed a bounded sample that keeps its quantiles."""

from __future__ import annotations

import numpy as np
import pytest

import workbench
from workbench.data import sources
from workbench.data.accumulate import LONGEST, SKETCHED


def test_strings_lengths_in_bytes_empty_ones_and_long_ones_cut_for_top_values() -> None:
    words = ["", "é", "abc", "", "x" * 300 + "a", "x" * 300 + "b"]
    f = workbench.stats({"s": np.array(words, dtype=object)})["s"]
    lengths = [len(w.encode()) for w in words]
    assert f.length == (0.0, sum(lengths) / 6, 301.0)
    assert f.empty == 2
    assert f.cut == 2
    top = dict(f.top)
    assert top == {"": 2, "x" * LONGEST: 2, "é": 1, "abc": 1}
    # distinct values of the whole strings (fingerprints), not of their cut
    assert (f.distinct, f.distinct_exact) == (5, False)


def test_batches_of_one_finite_value_or_none_merge_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "ROWS", 3)
    values = np.array([4.0, 1.0, 7.0, np.nan, np.inf, np.nan, 2.5, 0.0, -3.0, 10.0])
    f = workbench.stats({"x": values})["x"]  # batches: 3, none finite, 3, then a single value
    finite = values[np.isfinite(values)]
    assert f.mean == pytest.approx(finite.mean(), rel=1e-15)
    assert f.std == pytest.approx(finite.std(), rel=1e-15)
    assert (f.count, f.nan, f.inf, f.zeros, f.min, f.max) == (7, 2, 1, 1, -3.0, 10.0)
    assert (f.examples, f.missing, f.missing_fraction) == (10, 2, 0.2)  # over every batch
    one = workbench.stats({"x": np.array([np.nan, 6.0, np.nan])})["x"]
    assert (one.mean, one.std, one.min, one.max) == (6.0, 0.0, 6.0, 6.0)
    gone = workbench.stats({"x": np.full(4, np.nan)})["x"]
    assert gone.notes == ["all values missing"]  # said once, not also "no finite value"


def test_a_long_dataset_feeds_its_sketch_a_bounded_sample() -> None:
    values = np.random.default_rng(2).exponential(1.0, 4 * SKETCHED)
    f = workbench.stats({"x": values})["x"]
    assert f.count == values.size
    assert f.mean == pytest.approx(values.mean(), rel=1e-12)
    assert abs(f.sketch.n - SKETCHED) < 0.01 * SKETCHED  # a quarter of the values, about
    for q, value in f.quantiles.items():
        assert abs((values <= value).mean() - q) < 0.01, q
    short = workbench.stats({"x": values[: SKETCHED // 2]})["x"]
    assert short.sketch.n == SKETCHED // 2  # every value while they are few
    cut = workbench.stats({"x": values}, max_examples=SKETCHED // 2)["x"]
    assert cut.sketch.n == SKETCHED // 2  # the examples it reads, not the data's length


@pytest.mark.parametrize("size", [1_023, 1_024, 1_025, 2_049])
def test_a_batch_of_any_length_near_a_power_of_two_gives_numpys_numbers(size: int) -> None:
    values = np.random.default_rng(size).normal(3.0, 2.0, size)  # padded to a power of two
    values[::97] = np.nan
    f = workbench.stats({"x": values})["x"]
    finite = values[np.isfinite(values)]
    assert (f.count, f.nan, f.missing) == (finite.size, size - finite.size, size - finite.size)
    assert f.mean == pytest.approx(finite.mean(), rel=1e-12)
    assert f.std == pytest.approx(finite.std(), rel=1e-12)
    assert (f.min, f.max) == (finite.min(), finite.max())
