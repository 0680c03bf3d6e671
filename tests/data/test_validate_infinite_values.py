"""Infinite values are outside any finite range a schema sets: ``validate`` counts them with the
values out of range and shows them (they passed unseen, being no finite value); NaN, a missing
value, is outside no range; a feature without bounds takes them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import workbench
from workbench.data.schema import FeatureSchema, Schema
from workbench.data.stats import compute

TEN = Schema({"x": FeatureSchema("x", "float", False, [], 0, 10)})


def said(values: list[float], schema: Schema = TEN) -> list[tuple[str, int | None, list[Any]]]:
    found = workbench.validate({"x": np.array(values)}, schema)
    return [(a.description, a.examples, a.values) for a in found]


def test_infinite_values_are_out_of_a_finite_range() -> None:
    assert said([5.0, np.inf, 6.0]) == [
        ("values outside 0 to 10: 1 above 10 (most inf)", 1, [np.inf])
    ]
    assert said([5.0, -np.inf, 11.0]) == [
        ("values outside 0 to 10: 1 below 0 (least -inf), 1 above 10 (most 11)", 2, [-np.inf, 11.0])
    ]
    assert said([np.inf, np.inf]) == [
        ("values outside 0 to 10: 2 above 10 (most inf)", 2, [np.inf] * 2)
    ]
    # the count is exact; five of the values are shown
    many = said([-np.inf] * 7 + [20.0])
    assert many == [
        ("values outside 0 to 10: 7 below 0 (least -inf), 1 above 10 (most 20)", 8, [-np.inf] * 5)
    ]


def test_nan_is_in_range_and_unbounded_features_take_infinite_values() -> None:
    assert said([np.nan, 5.0]) == []
    assert said([5.0, np.inf, -np.inf], Schema({"x": FeatureSchema("x", "float", True, [])})) == []
    low_only = Schema({"x": FeatureSchema("x", "float", True, [], 0, None)})
    assert said([5.0, np.inf, -np.inf], low_only) == [
        ("values outside 0 to inf: 1 below 0 (least -inf)", 1, [-np.inf])
    ]


def test_the_pass_counts_values_out_of_bounds_as_numpy_does() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(0.0, 3.0, 5_000)
    values[rng.random(5_000) < 0.01] = np.inf
    values[rng.random(5_000) < 0.01] = -np.inf
    values[rng.random(5_000) < 0.02] = np.nan
    f = compute({"x": values}, bounds={"x": (-2.0, 2.5)})["x"]
    assert (f.below, f.above) == (int((values < -2.0).sum()), int((values > 2.5).sum()))
    outside = values[(values < -2.0) | (values > 2.5)]
    assert f.offending == pytest.approx(outside[:5].tolist())


def test_the_extremes_said_are_the_datas_beyond_the_values_shown() -> None:
    # five values are shown; the least and the most are read from all of them
    assert said([11.0, 12.0, 13.0, 14.0, 15.0, 99.0, 5.0]) == [
        ("values outside 0 to 10: 6 above 10 (most 99)", 6, [11.0, 12.0, 13.0, 14.0, 15.0])
    ]
    assert said([-1.0, -2.0, -3.0, -4.0, -5.0, -99.0, 5.0]) == [
        ("values outside 0 to 10: 6 below 0 (least -99)", 6, [-1.0, -2.0, -3.0, -4.0, -5.0])
    ]


def from_statistics(
    values: list[float], schema: Schema = TEN
) -> list[tuple[str, int | None, list[Any]]]:
    found = workbench.validate(workbench.stats({"x": np.array(values)}), schema)
    return [(a.description, a.examples, a.values) for a in found]


def test_statistics_count_infinite_values_by_sign() -> None:
    f = compute({"x": np.array([np.inf, 1.0, -np.inf, np.inf, np.nan, 1e308, -1e308])})["x"]
    # the largest finite numbers are inside; NaN is neither
    assert (f.inf, f.below, f.above, f.offending) == (3, 1, 2, [np.inf, -np.inf, np.inf])
    assert (f.count, f.min, f.max) == (3, -1e308, 1e308)


def test_validating_statistics_sees_infinite_values_counted_exactly() -> None:
    assert from_statistics([5.0, np.inf, 6.0]) == [
        ("values outside 0 to 10: 1 above 10 (most inf)", 1, [np.inf])
    ]
    assert from_statistics([np.inf, np.inf]) == [
        ("values outside 0 to 10: 2 above 10 (most inf)", 2, [np.inf])
    ]
    # finite values out of range come from the sketch: "about", with the extremes among them
    assert from_statistics([5.0, -np.inf, 11.0]) == [
        (
            "values outside 0 to 10: 1 below 0 (least -inf), about 1 above 10 (most 11)",
            2,
            [-np.inf, 11.0],
        )
    ]
    assert from_statistics([-np.inf, -3.0, 11.0, 12.0, np.inf, np.nan]) == [
        (
            "values outside 0 to 10: about 2 below 0 (least -inf), about 3 above 10 (most inf)",
            5,
            [-np.inf, -3.0, 12.0, np.inf],
        )
    ]


def test_validating_statistics_leaves_infinite_values_to_a_bound_on_their_side() -> None:
    assert from_statistics([5.0, np.inf, -np.inf], Schema({"x": FeatureSchema("x", "float")})) == []
    low_only = Schema({"x": FeatureSchema("x", "float", True, [], 0, None)})
    assert from_statistics([5.0, np.inf, -np.inf], low_only) == [
        ("values outside 0 to inf: 1 below 0 (least -inf)", 1, [-np.inf])
    ]
    high_only = Schema({"x": FeatureSchema("x", "float", True, [], None, 10)})
    assert from_statistics([5.0, np.inf, -np.inf, np.inf], high_only) == [
        ("values outside -inf to 10: 2 above 10 (most inf)", 2, [np.inf])
    ]


def test_validating_statistics_without_a_finite_value() -> None:
    assert from_statistics([np.nan, np.nan]) == []  # missing: outside no range
    assert from_statistics([np.nan, -np.inf]) == [
        ("values outside 0 to 10: 1 below 0 (least -inf)", 1, [-np.inf])
    ]


def test_one_value_out_of_range_is_shown_once() -> None:
    assert from_statistics([11.0, 11.0, 11.0]) == [
        ("values outside 0 to 10: about 3 above 10 (most 11)", 3, [11.0])
    ]
    assert from_statistics([-2.0, 5.0]) == [
        ("values outside 0 to 10: about 1 below 0 (least -2)", 1, [-2.0])
    ]
