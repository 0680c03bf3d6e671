"""What a user reads off ``workbench.stats``: ``to_frame()``'s columns and numbers (checked against
NumPy and pandas), each feature's histogram (bars of a string feature's top values; empty bars for
a feature without a finite value) and the notes, in order, on damaged columns."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import workbench

COLUMNS = [
    *("kind", "dtype", "examples", "missing", "mean", "std", "min", "median", "max", "zeros"),
    *("distinct", "top", "notes"),
]


def test_to_frame_has_a_row_per_feature_with_the_numbers_numpy_and_pandas_give() -> None:
    frame = pd.DataFrame(
        {
            "height": [1.5, np.nan, 3.0, 0.0, 2.0, 7.25],
            "city": ["Oslo", "Lima", "Oslo", None, "Oslo", "Pune"],
            "gone": [np.inf, -np.inf, np.nan, np.inf, np.nan, np.nan],
        }
    )
    table = workbench.stats(frame).to_frame()
    assert list(table.columns) == COLUMNS
    assert table.index.name == "feature"
    assert list(table.index) == ["height", "city", "gone"]
    height = table.loc["height"]
    finite = frame["height"].dropna().to_numpy()
    assert (height["kind"], height["dtype"], height["examples"], height["missing"]) == (
        "number",
        "float64",
        6,
        1,
    )
    assert height["mean"] == pytest.approx(finite.mean(), rel=1e-12)
    assert height["std"] == pytest.approx(finite.std(), rel=1e-12)
    # five finite values, fewer than the sketch holds: its median is the middle one, exactly
    assert (height["min"], height["median"], height["max"]) == (0.0, np.median(finite), 7.25)
    assert height["zeros"] == 1
    assert pd.isna(height["distinct"])
    assert pd.isna(height["top"])
    assert height["notes"] == ""
    city = table.loc["city"]
    assert (city["kind"], city["missing"]) == ("string", 1)
    assert city["distinct"] == frame["city"].nunique() == 3
    assert city["top"] == frame["city"].value_counts().index[0] == "Oslo"
    assert pd.isna(city["median"])
    gone = table.loc["gone"]
    assert gone["notes"] == "no finite value; 3 infinite values"
    assert pd.isna(gone["median"])


def test_to_frame_of_features_without_a_median_still_has_a_number_column() -> None:
    table = workbench.stats({"x": np.array([np.inf, np.nan, -np.inf])}).to_frame()
    assert table["median"].dtype == np.float64
    assert np.isnan(table.loc["x", "median"])
    assert table.loc["x", "notes"] == "no finite value; 2 infinite values"


def test_a_string_features_histogram_is_its_top_values_counts() -> None:
    f = workbench.stats({"city": np.array(["Oslo", "Lima", "Oslo", "Pune", "Oslo", "Lima"])})[
        "city"
    ]
    counts, edges = f.histogram()
    assert counts.dtype == np.float64
    assert counts.tolist() == [3.0, 2.0, 1.0]
    assert edges.shape == (0,)


@pytest.mark.parametrize("bins", [10, 4])
def test_a_feature_without_a_finite_value_has_empty_bars_over_zero_to_one(bins: int) -> None:
    s = workbench.stats({"nan": np.full(3, np.nan), "inf": np.array([np.inf, -np.inf, np.nan])})
    for name in ("nan", "inf"):
        counts, edges = s[name].histogram(bins)
        assert counts.tolist() == [0.0] * bins
        assert edges.tolist() == np.linspace(0.0, 1.0, bins + 1).tolist()


def test_past_sixty_four_shapes_the_rest_are_counted_as_other() -> None:
    lists = pd.DataFrame({"seq": [list(range(n)) for n in range(1, 71)]})
    f = workbench.stats(lists)["seq"]
    assert f.shapes[:2] == [("(1,)", 1), ("(2,)", 1)]
    assert len(f.shapes) == 65
    assert f.shapes[-1] == ("other", 6)  # lengths 65 to 70
    assert f.per_example == (1.0, 35.5, 70.0)


def test_values_per_example_are_given_for_lists_and_not_for_single_values() -> None:
    s = workbench.stats(
        pd.DataFrame(
            {
                "single": [1.0, np.nan, 3.0],
                "three": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
                "empty": [[], [], []],
                "one": [[1.0, 2.0, 3.0], [], []],  # one example with values: 3 a present example
            }
        )
    )
    assert s["single"].per_example is None
    assert s["three"].per_example == (3.0, 3.0, 3.0)
    assert s["empty"].per_example is None
    assert s["one"].per_example == (0.0, 3.0, 3.0)


def test_a_pipeline_whose_batches_change_shape_gives_values_per_example() -> None:
    def batches() -> Iterator[np.ndarray]:
        yield np.array([1.0, 2.0, 3.0, 4.0])  # four single values
        yield np.array([[1.0, 2.0], [3.0, 4.0]])  # then two pairs

    spec = tf.TensorSpec(None, tf.float64)
    f = workbench.stats(
        tf.data.Dataset.from_generator(batches, output_signature=spec), batched=True
    )
    value = f["value"]
    assert value.shapes == [("()", 4), ("(2,)", 2)]
    assert value.per_example == (1.0, 8 / 6, 2.0)
    assert (value.examples, value.count, value.mean) == (6, 8, 2.5)


def test_ragged_and_datetime_features_say_what_their_numbers_are() -> None:
    times = pd.Series(pd.to_datetime(["2024-01-01 00:00", "2024-01-02 12:00", None]))
    s = workbench.stats(pd.DataFrame({"when": times, "tags": [["a"], ["b", "c"], []]}))
    when = s["when"]
    assert when.notes == ["times as seconds since 1970-01-01 UTC"]
    assert (when.min, when.max, when.missing) == (
        times[0].timestamp(),
        times[1].timestamp(),
        1,
    )
    assert s["tags"].notes == ["ragged (1 ragged dimension): values per example vary"]


def test_values_count_every_number_read_finite_or_not() -> None:
    values = np.array([1.0, np.nan, np.inf, -np.inf, 3.0, 0.0, np.nan])
    f = workbench.stats({"x": values, "lists": [[1.0, np.nan], [np.inf], [], [2.0]] + [[]] * 3})
    assert (f["x"].values, f["x"].count, f["x"].nan, f["x"].inf) == (7, 3, 2, 2)
    assert (f["lists"].values, f["lists"].count) == (4, 2)


def test_distinct_values_are_counted_exactly_while_the_top_values_hold_them_all() -> None:
    ids = pd.Series([f"id{i}" for i in range(1_400)] * 2)  # under 1,536: no estimate needed
    f = workbench.stats({"id": ids.to_numpy()})["id"]
    assert f.distinct_exact
    assert f.distinct == ids.nunique() == 1_400


def test_one_infinite_value_and_thousands_of_them_are_said_in_words() -> None:
    s = workbench.stats({"one": np.array([1.0, np.inf] * 750), "many": np.full(1_500, -np.inf)})
    assert s["one"].notes == ["750 infinite values"]
    assert s["many"].notes == ["no finite value", "1,500 infinite values"]
    single = workbench.stats({"x": np.array([1.0, 2.0, np.inf])})["x"]
    assert single.notes == ["1 infinite value"]


def test_bars_over_fewer_values_than_the_sketch_holds_are_numpys_exactly() -> None:
    values = np.random.default_rng(3).normal(0.0, 1.0, 300)  # continuous: none on an edge
    values[:20] = values.min()  # the least value, many times: in the first bar
    f = workbench.stats({"x": values})["x"]
    for bins in (10, 3):
        counts, edges = f.histogram(bins)
        assert edges.tolist() == np.linspace(values.min(), values.max(), bins + 1).tolist()
        assert counts == pytest.approx(np.histogram(values, bins=edges)[0], abs=1e-9)
    counts, edges = f.histogram(4, low=-1.0, high=1.0)  # a given range: values past it left out
    inside = values[(values >= -1.0) & (values <= 1.0)]
    assert counts == pytest.approx(np.histogram(inside, bins=edges)[0], abs=1e-9)


@pytest.mark.parametrize(("value", "half"), [(5.0, 0.5), (-20_000.0, 20.0), (0.0, 0.5)])
def test_a_constant_feature_gets_bars_around_its_value(value: float, half: float) -> None:
    f = workbench.stats({"x": np.full(50, value)})["x"]
    counts, edges = f.histogram()
    assert edges.tolist() == np.linspace(value - half, value + half, 11).tolist()
    # every value in one of the two middle bars (the value is their shared edge)
    assert sorted(counts.tolist())[-2:] == [0.0, 50.0]
    assert int(np.argmax(counts)) in (4, 5)


def test_lists_of_one_length_are_said_to_have_that_many_values() -> None:
    s = workbench.stats(
        pd.DataFrame(
            {
                "embedding": [[0.1, 0.2, 0.3]] * 4,
                "one": [[1]] * 4,
                "long": [list(range(1_500))] * 4,
                "mixed": [[1], [1, 2], [1], [1]],
                "pairs": [[1, 2]] * 4,
                "gap": [[1, 2], [3, 4], [], [5, 6]],  # an example without values
            }
        )
    )
    assert s["embedding"].notes == ["ragged (1 ragged dimension): every example has 3 values"]
    assert s["one"].notes == ["ragged (1 ragged dimension): every example has 1 value"]
    assert s["long"].notes == ["ragged (1 ragged dimension): every example has 1,500 values"]
    assert s["mixed"].notes == ["ragged (1 ragged dimension): values per example vary"]
    assert s["pairs"].notes == ["ragged (1 ragged dimension): every example has 2 values"]
    assert s["gap"].notes == ["ragged (1 ragged dimension): values per example vary"]
