"""Ragged, sparse and pandas columns read exactly: ragged rows of vectors count every number, a
sparse batch's last examples may have no value, pandas' string and nullable dtypes keep their
missing, and complex numbers are refused by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import workbench


def test_ragged_rows_of_vectors_count_every_number() -> None:
    # three examples: two vectors of 3, none, three vectors of 3
    rows = tf.RaggedTensor.from_row_lengths(np.arange(15.0).reshape(5, 3), [2, 0, 3])
    f = workbench.stats({"v": rows})["v"]
    assert (f.examples, f.missing, f.values, f.ragged) == (3, 1, 15, 1)
    assert f.per_example == (0.0, 7.5, 9.0)
    assert dict(f.shapes) == {"(6,)": 1, "(0,)": 1, "(9,)": 1}
    assert (f.mean, f.max) == (7.0, 14.0)


def test_a_sparse_batch_whose_last_examples_have_no_value() -> None:
    numbers = tf.sparse.SparseTensor([[0, 1], [1, 0], [1, 2]], [5.0, 6.0, 7.0], [4, 3])
    words = tf.sparse.SparseTensor([[0, 0], [0, 1]], ["a", "b"], [3, 2])
    s = workbench.stats({"n": numbers})
    assert (s["n"].examples, s["n"].missing, s["n"].count, s["n"].mean) == (4, 2, 3, 6.0)
    assert s["n"].per_example == (0.0, 1.5, 2.0)
    w = workbench.stats({"w": words})["w"]
    assert (w.kind, w.dtype, w.examples, w.missing, w.values) == ("string", "string", 3, 2, 2)
    assert dict(w.top) == {"a": 1, "b": 1}


def test_a_column_of_empty_lists_is_numbers_without_values_and_says_so() -> None:
    f = workbench.stats(pd.DataFrame({"e": [[], [], []]}))["e"]
    assert (f.kind, f.dtype, f.examples, f.missing, f.values) == ("number", "float64", 3, 3, 0)
    assert f.notes == [
        "all values missing",
        "ragged (1 ragged dimension): every example has 0 values",
    ]


def test_pandas_string_and_nullable_columns_keep_their_missing() -> None:
    frame = pd.DataFrame(
        {
            "s": pd.Series(["a", None, "b", "a"], dtype="string"),
            "i": pd.Series([1, None, 3, 5], dtype="Int64"),
            "t": pd.to_datetime(["2024-01-01 01:00", None, "2024-01-01 03:00", None], utc=True),
        }
    )
    s = workbench.stats(frame)
    assert (s["s"].kind, s["s"].dtype, s["s"].missing, s["s"].values) == ("string", "string", 1, 3)
    assert dict(s["s"].top) == {"a": 2, "b": 1}
    assert (s["i"].kind, s["i"].dtype, s["i"].missing, s["i"].mean) == ("number", "Int64", 1, 3.0)
    t = s["t"]
    assert (t.dtype.endswith(", UTC]"), t.missing, t.count) == (True, 2, 2)
    assert (t.min, t.max) == (1704070800.0, 1704078000.0)  # seconds since 1970, UTC


def test_nullable_booleans_and_floats_keep_their_missing() -> None:
    frame = pd.DataFrame(
        {
            "b": pd.Series([True, None, False, True], dtype="boolean"),
            "f": pd.Series([0.5, None, 1.5, np.nan], dtype="Float64"),
        }
    )
    s = workbench.stats(frame)
    assert (s["b"].dtype, s["b"].missing, s["b"].count, s["b"].mean) == ("boolean", 1, 3, 2 / 3)
    assert (s["f"].dtype, s["f"].missing, s["f"].count, s["f"].mean) == ("Float64", 2, 2, 1.0)


def test_ragged_and_sparse_bytes_are_measured_in_their_own_bytes() -> None:
    ragged = tf.ragged.constant([[b"\xff"], [b"ok", b"\xff"]])
    sparse = tf.sparse.SparseTensor([[0, 0], [1, 0], [1, 1]], [b"\xff", b"ok", b"\xff"], [2, 2])
    for column in (ragged, sparse):
        f = workbench.stats({"raw": column})["raw"]
        assert (f.length, f.top) == ((1.0, 4 / 3, 2.0), [("\\xff", 2), ("ok", 1)])


def test_a_column_of_lists_and_numbers_is_refused_with_what_it_holds() -> None:
    with pytest.raises(TypeError) as raised:
        workbench.stats({"m": [[1, 2], 3, [4]]})
    assert str(raised.value) == (
        "feature 'm': Expected lists in every entry, or none. Received: list 2, int 1: "
        "one column holds lists and single values"
    )


@pytest.mark.parametrize("as_frame", [False, True])
def test_complex_numbers_are_refused_by_name(as_frame: bool) -> None:
    column = np.array([1 + 2j, 3j])
    with pytest.raises(TypeError) as raised:
        workbench.stats(pd.DataFrame({"z": column}) if as_frame else {"z": column})
    assert str(raised.value) == (
        "feature 'z': Expected numbers or strings. Received: values of dtype complex128"
    )
