"""``compare``'s scores on data small enough to work out by hand: the bars each side is scored
on (a bar per integer, or BINS equal bars), the Jensen-Shannon divergence and L-infinity
distance to the last digit, which threshold flags which kind (strictly past it), the order of
features and categories, and what each note says (naming the dataset it means)."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.data.drift import BINS, SHOWN, Drift, _pair, compare
from workbench.data.html import BAR
from workbench.data.html import OTHER as ORANGE
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


def test_integer_dtypes_of_every_spelling_get_a_bar_per_integer() -> None:
    for dtype in ("Int64", "UInt8", "int16", "uint32"):
        base, other = pd.Series([1, 2], dtype=dtype), pd.Series([2, 3], dtype=dtype)
        assert _bars(base, other) == 3, dtype
    offset = np.array([100, 103], np.int64)  # a narrow range far from zero: still per integer
    assert _bars(offset, offset) == 4


def test_six_new_categories_list_five_and_one_more() -> None:
    base = workbench.stats(pd.DataFrame({"c": ["a"] * 3}))
    other = workbench.stats(pd.DataFrame({"c": ["a", "b", "c", "d", "e", "f", "g"]}))
    assert (
        compare(base, other)["c"].note
        == "new in the other data: 'b', 'c', 'd', 'e', 'f' and 1 more"
    )


def test_what_the_result_carries_besides_the_scores(pair: tuple[DataStats, DataStats]) -> None:
    base, other = pair
    result = compare(base, other, names=("train", "serving"))
    assert result.names == ("train", "serving")
    assert (result.base_examples, result.other_examples) == (4, 4)
    mixed = compare(base, workbench.stats(pd.DataFrame({"k": ["x", "y"]})))
    assert (mixed["k"].measure, mixed["k"].note) == ("", "numbers in base, strings in other")
    assert "numbers in base, strings in other" in mixed._repr_html_()
    with pytest.raises(TypeError) as raised:
        compare(base, pd.DataFrame())
    assert str(raised.value) == (
        "Expected statistics from workbench.stats(data). Received: DataFrame"
    )


def _bars_of(sparkline: str) -> list[tuple[str, int, int, str]]:
    """(tooltip, width, height, colour) of each bar of a sparkline, and its own height."""
    found = re.findall(
        r"<span title='([^']*)' style='display:inline-block;width:(\d+)px;height:(\d+)px;"
        r"margin-right:1px;vertical-align:bottom;background-color:([^']*)'></span>",
        sparkline,
    )
    return [(html.unescape(t), int(w), int(h), c) for t, w, h, c in found]


def test_the_two_sides_are_drawn_on_one_scale_one_above_the_other(
    pair: tuple[DataStats, DataStats],
) -> None:
    drift = compare(*pair)["c"]
    top, bottom = _pair(drift, "train", "serving").split("<br/>")
    for side in (top, bottom):
        assert side.startswith(
            "<span class='workbench-sparkline' style='display:inline-block;height:20px;"
        )
    grey = "#cccccc"
    assert _bars_of(top) == [  # the largest share of either side is the full 20 px
        ("train: 'a': 50.0%", 7, 20, BAR),
        ("train: 'd': 0.0%", 7, 1, grey),
        ("train: 'b': 25.0%", 7, 10, BAR),
        ("train: 'c': 25.0%", 7, 10, BAR),
        ("train: 'e': 0.0%", 7, 1, grey),
    ]
    assert _bars_of(bottom) == [
        ("serving: 'a': 25.0%", 7, 10, ORANGE),
        ("serving: 'd': 50.0%", 7, 20, ORANGE),
        ("serving: 'b': 0.0%", 7, 1, grey),
        ("serving: 'c': 0.0%", 7, 1, grey),
        ("serving: 'e': 25.0%", 7, 10, ORANGE),
    ]
    lower = Drift(
        "v",
        "l_infinity",
        0.1,
        False,
        base=np.array([0.2, 0.1]),
        other=np.array([0.1, 0.1]),
        categories=["p", "q"],
    )
    top, bottom = _pair(lower, "a", "b").split("<br/>")
    assert [h for _, _, h, _ in _bars_of(top) + _bars_of(bottom)] == [20, 10, 10, 10]
    # the other side holds the largest share: the base side is drawn to its scale too
    higher = Drift("v", "l_infinity", 0.1, False, base=lower.other, other=lower.base)
    higher.categories = ["p", "q"]
    top, bottom = _pair(higher, "a", "b").split("<br/>")
    assert [h for _, _, h, _ in _bars_of(top) + _bars_of(bottom)] == [10, 10, 20, 10]
    numeric = compare(*pair)["f"]
    top, _ = _pair(numeric, "a", "b").split("<br/>")
    bars = _bars_of(top)
    assert len(bars) == BINS
    assert bars[0][:2] == ("a: 0 to 0.15: 25.0%", 4)  # more than 12 bars: narrower
    assert bars[-1][0] == "a: 2.85 to 3: 25.0%"


def test_up_to_twelve_bars_are_wide() -> None:
    for count, width in ((12, 7), (13, 4)):
        d = Drift(
            "v",
            "l_infinity",
            0.0,
            False,
            base=np.full(count, 0.5),
            other=np.full(count, 0.5),
            categories=[str(i) for i in range(count)],
        )
        assert {w for _, w, _, _ in _bars_of(_pair(d, "a", "b"))} == {width}
    assert _pair(Drift("v", "", math.nan, True), "a", "b") == ""
