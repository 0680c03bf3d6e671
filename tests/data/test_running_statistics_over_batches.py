"""The running statistics summed over several batches, not only the last: strings' counts and
lengths, values out of a schema's range and the ones shown; the quantile sketch's sample the same
in every run; its share estimated from the mean values per example of ragged lists; and bytes
that are not UTF-8 shown escaped among the top values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import workbench
from workbench.data import sources
from workbench.data.accumulate import LONGEST, SKETCHED, NumberStats, StringStats, accumulator
from workbench.data.columns import Part
from workbench.data.stats import compute


def test_strings_are_counted_over_every_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "ROWS", 3)
    long = "q" * (LONGEST + 1)
    words = ["a", None, "", long, "bb", None, "", long, "ccc", "a"]  # batches of 3, 3, 3, 1
    f = workbench.stats({"s": np.array(words, dtype=object)})["s"]
    present = [w for w in words if w is not None]
    lengths = [len(w) for w in present]
    assert (f.examples, f.missing, f.values) == (10, 2, 8)
    assert (f.empty, f.cut) == (2, 2)
    assert f.length == (0.0, sum(lengths) / 8, float(LONGEST + 1))


def test_only_strings_longer_than_256_bytes_are_cut() -> None:
    edge, longer = "y" * LONGEST, "z" * (LONGEST + 1)
    f = workbench.stats({"s": np.array([edge, longer, edge], dtype=object)})["s"]
    assert f.cut == 1
    assert f.top == [(edge, 2), ("z" * LONGEST, 1)]


def test_values_out_of_range_are_counted_and_shown_over_every_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "ROWS", 4)
    # the bounds themselves (0 and 5) are inside the range
    values = np.array([-5.0, 0.0, 9.0, 5.0, -6.0, -7.0, 8.0, 11.0, 12.0, 1.5])
    f = compute({"x": values}, bounds={"x": (0.0, 5.0)})["x"]
    assert (f.below, f.above) == (3, 4)
    assert f.offending == [-5.0, 9.0, -6.0, -7.0, 8.0]  # the first five, in order


def test_without_a_range_no_value_is_out_of_it() -> None:
    f = workbench.stats({"x": np.array([-1e300, 0.0, 3.0, 1e300])})["x"]
    assert (f.below, f.above, f.offending) == (0, 0, [])


def test_the_sketchs_sample_is_the_same_in_every_run() -> None:
    # more values than the sketch is fed: it sees a Bernoulli sample of SKETCHED / n of them,
    # drawn from a fixed seed (0), so the same data always feeds it the same values. (The KLL
    # sketch's own compactions take random bits that DataSketches seeds from the clock: its
    # quantiles of the same values agree within its rank error, not to the bit.)
    n = SKETCHED + SKETCHED // 8
    values = np.random.default_rng(5).normal(0.0, 1.0, n)
    first = workbench.stats({"x": values})["x"]
    again = workbench.stats({"x": values})["x"]
    kept = values[np.random.default_rng(0).random(n) < SKETCHED / n]
    assert first.sketch.n == again.sketch.n == kept.size < n
    for f in (first, again):
        assert (f.sketch.get_min_value(), f.sketch.get_max_value()) == (kept.min(), kept.max())
        for q, value in f.quantiles.items():
            assert abs((values <= value).mean() - q) < 0.01, q


def test_a_ragged_features_share_comes_from_its_mean_values_per_example() -> None:
    # 7 values over 2 examples (3.5 each, not 3) of 100,000 examples to come
    ragged = Part("number", "float64", np.arange(7.0), 2, counts=np.array([3, 4]), ragged=1)
    stats = accumulator(ragged, total=100_000)
    assert isinstance(stats, NumberStats)
    assert stats.rate == SKETCHED / 350_000
    one = Part("number", "float64", np.arange(4.0), 1, shape=(4,))  # one example of 4 values
    assert accumulator(one, total=100_000).rate == SKETCHED / 400_000
    # too few values to sample, or no length known: every value
    assert accumulator(one, total=1_000).rate == 1.0
    assert accumulator(one).rate == 1.0
    plain = accumulator(Part("number", "float64", np.zeros(3), 3))
    assert (plain.low, plain.high) == (-math.inf, math.inf)
    assert isinstance(accumulator(Part("string", "object", np.array([b"a"]), 1)), StringStats)


def test_bytes_that_are_not_utf8_are_shown_escaped() -> None:
    raw = np.array([b"caf\xe9", b"caf\xe9", "café".encode()])  # bytes, as tf.data gives them
    f = workbench.stats({"s": raw})["s"]
    assert f.top == [("caf\\xe9", 2), ("café", 1)]
    assert (f.distinct, f.distinct_exact) == (2, True)
