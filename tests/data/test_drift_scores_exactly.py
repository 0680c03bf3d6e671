"""``compare``'s scores on data small enough to work out by hand: the bars each side is scored
on (a bar per integer, or BINS equal bars), the Jensen-Shannon divergence and L-infinity
distance to the last digit, which threshold flags which kind (strictly past it), the order of
features and categories, and what each note says (naming the dataset it means)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.data.drift import BINS, SHOWN, compare
from workbench.data.stats import DataStats

BASE = pd.DataFrame(
    {
        "k": np.array([0, 1, 2, 2], np.int64),
        "f": [0.0, 1.0, 2.0, 3.0],
        "c": ["a", "a", "b", "c"],
        "e": [np.nan] * 4,
        "s": [None] * 4,
    }
)
OTHER = pd.DataFrame(
    {
        "k": np.array([0, 0, 2, 2], np.int64),
        "f": [0.0, 0.5, 1.0, 3.0],
        "c": ["a", "d", "d", "e"],
        "e": [1.0, np.nan, 2.0, 3.0],
        "s": ["x", None, None, None],
    }
)


def _js(p: list[float], q: list[float]) -> float:
    """The Jensen-Shannon divergence in bits, from its definition."""
    p_, q_ = np.array(p), np.array(q)
    m = (p_ + q_) / 2

    def kl(x: np.ndarray) -> float:
        return float(sum(a * math.log2(a / b) for a, b in zip(x, m, strict=True) if a))

    return (kl(p_) + kl(q_)) / 2


@pytest.fixture(scope="module")
def pair() -> tuple[DataStats, DataStats]:
    return workbench.stats(BASE), workbench.stats(OTHER)


def test_each_kind_scored_on_its_own_bars(pair: tuple[DataStats, DataStats]) -> None:
    result = compare(*pair)
    k = result["k"]  # integers over a narrow range: a bar per integer, centred on it
    assert k.measure == "jensen_shannon"
    np.testing.assert_array_equal(k.edges, [-0.5, 0.5, 1.5, 2.5])
    np.testing.assert_array_equal(k.base, [0.25, 0.25, 0.5])
    np.testing.assert_array_equal(k.other, [0.5, 0.0, 0.5])
    assert k.score == pytest.approx(_js([0.25, 0.25, 0.5], [0.5, 0.0, 0.5]), abs=1e-12)
    f = result["f"]  # floats: BINS equal bars over both sides' range
    np.testing.assert_allclose(f.edges, np.linspace(0.0, 3.0, BINS + 1))
    expected_p, expected_q = np.zeros(BINS), np.zeros(BINS)
    expected_p[[0, 6, 13, 19]] = 0.25
    expected_q[[0, 3, 6, 19]] = 0.25
    np.testing.assert_array_equal(f.base, expected_p)
    np.testing.assert_array_equal(f.other, expected_q)
    assert f.score == pytest.approx(_js(list(expected_p), list(expected_q)), abs=1e-12)
    assert f.score == pytest.approx(0.25, abs=1e-12)
    c = result["c"]  # categories: frequencies over every value of either side
    assert c.measure == "l_infinity"
    assert c.categories == ["a", "d", "b", "c", "e"]  # commonest over both; ties by value
    np.testing.assert_array_equal(c.base, [0.5, 0.0, 0.25, 0.25, 0.0])
    np.testing.assert_array_equal(c.other, [0.25, 0.5, 0.0, 0.0, 0.25])
    assert c.score == 0.5
    assert c.note == "new in the other data: 'd', 'e'"


def test_features_with_nothing_to_compare_come_first_and_say_which_side(
    pair: tuple[DataStats, DataStats],
) -> None:
    result = compare(*pair, names=("train", "serving"))
    assert [d.feature for d in result.drifts] == ["e", "s", "c", "f", "k"]
    e, s = result["e"], result["s"]
    assert (e.measure, e.flagged, e.note) == (
        "jensen_shannon",
        True,
        "no finite value in the train data",
    )
    assert (s.measure, s.flagged, s.note) == ("l_infinity", True, "no value in the train data")
    assert math.isnan(e.score)
    assert math.isnan(s.score)
    assert result["c"].note == "new in the serving data: 'd', 'e'"
    swapped = compare(pair[1], pair[0], names=("train", "serving"))
    assert swapped["e"].note == "no finite value in the serving data"
    assert swapped["s"].note == "no value in the serving data"
    assert swapped["c"].note == "new in the serving data: 'b', 'c'"
    empty = workbench.stats(pd.DataFrame({"e": [np.nan, np.nan], "s": [None, None]}))
    both = compare(empty, empty)
    assert [both["e"].note, both["s"].note] == [
        "no finite value in either dataset",
        "no value in either dataset",
    ]


def test_each_kind_has_its_threshold_and_a_score_at_it_is_not_flagged(
    pair: tuple[DataStats, DataStats],
) -> None:
    base, other = pair
    assert compare(base, other).flagged == ["e", "s", "c", "f", "k"]  # 0.5, 0.25, 0.156 > 0.1
    assert compare(base, other, 0.2).flagged == ["e", "s", "c", "f"]
    at = compare(base, other, numeric_threshold=0.25, categorical_threshold=0.5)
    assert at.flagged == ["e", "s"]  # 0.25 and 0.5 exactly: not past
    assert (at.numeric_threshold, at.categorical_threshold) == (0.25, 0.5)
    only_numeric = compare(base, other, 0.6, numeric_threshold=0.2)
    assert only_numeric.flagged == ["e", "s", "f"]
    only_categorical = compare(base, other, 0.6, categorical_threshold=0.4)
    assert only_categorical.flagged == ["e", "s", "c"]
    assert (only_categorical.numeric_threshold, only_categorical.categorical_threshold) == (
        0.6,
        0.4,
    )


def _bars(base: object, other: object) -> int:
    a = workbench.stats(pd.DataFrame({"v": base}))
    b = workbench.stats(pd.DataFrame({"v": other}))
    return int(compare(a, b)["v"].base.size)


def test_a_bar_per_integer_only_for_integers_over_fewer_than_four_bins_each() -> None:
    narrow = np.arange(0, 4 * BINS, dtype=np.int64)  # 0..79: a range of 79
    assert _bars(narrow, narrow[:10]) == 4 * BINS
    wide = np.arange(0, 4 * BINS + 1, dtype=np.int64)  # a range of 80
    assert _bars(wide, wide[:10]) == BINS
    assert _bars(np.array([3, 5], np.uint8), np.array([4], np.uint16)) == 3
    assert _bars(np.array([True, False]), np.array([True, True])) == 2
    assert _bars(np.array([1, 2], np.int32), np.array([1.0, 2.0])) == BINS  # one side floats
    assert _bars(np.array([1.0, 2.0]), np.array([1, 2], np.int32)) == BINS


def test_many_categories_drawn_up_to_shown_and_new_ones_listed_up_to_five() -> None:
    base = workbench.stats(pd.DataFrame({"c": ["a"] * 20}))
    values = ["a"] * 20 + [f"n{i:02d}" for i in range(12) for _ in range(12 - i)]
    other = workbench.stats(pd.DataFrame({"c": values}))
    drift = compare(base, other)["c"]
    assert drift.categories == ["a"] + [f"n{i:02d}" for i in range(SHOWN - 1)]
    assert (drift.base.size, drift.other.size) == (SHOWN, SHOWN)
    assert drift.note == "new in the other data: 'n00', 'n01', 'n02', 'n03', 'n04' and 7 more"
    total = 20 + sum(range(1, 13))
    assert drift.score == pytest.approx(1 - 20 / total, abs=1e-12)
