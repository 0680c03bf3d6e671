"""Every kind of column a user hands ``workbench.stats`` is read whole and as what it is: object
arrays of several values per example (every value, not the first), tuples and arrays as lists,
and columns mixing lists with single values named in an error that says what they hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import workbench


def test_an_object_array_of_several_values_per_example_is_read_whole() -> None:
    # lists of strings with a gap: NumPy makes them a 2-D object array
    pairs = np.array([["a", "b"], ["c", "d"], ["a", None]], dtype=object)
    numbers = np.array([[1, 2], [3, None], [5, 6]], dtype=object)
    s = workbench.stats({"pair": pairs, "number": numbers})
    pair = s["pair"]
    assert (pair.kind, pair.examples, pair.values, pair.shapes) == ("string", 3, 5, [("(2,)", 3)])
    assert dict(pair.top) == pd.Series(pairs.ravel()).value_counts().to_dict()
    number = s["number"]
    present = np.array([1, 2, 3, 5, 6], dtype=float)
    assert (number.examples, number.count, number.nan, number.shapes) == (3, 5, 1, [("(2,)", 3)])
    assert (number.mean, number.min, number.max) == (present.mean(), 1.0, 6.0)
    schema = s.infer_schema()
    assert (schema["pair"].shape, schema["pair"].values) == ([2], ["a", "b", "c", "d"])


def test_lists_inside_an_object_array_of_several_values_are_refused_by_name() -> None:
    cells = np.empty((2, 2), dtype=object)
    cells[:, 0], cells[:, 1] = [[1], [4]], [[2, 3], [5]]
    with pytest.raises(TypeError) as raised:
        workbench.stats({"cells": cells})
    assert str(raised.value) == (
        "feature 'cells': Expected numbers or strings in an array of shape (2, 2). "
        "Received: lists inside it"
    )


def test_tuples_and_arrays_in_a_column_are_lists_of_values() -> None:
    frame = pd.DataFrame(
        {
            "tuple": [(1, 2), (3,), (4, 5, 6)],
            "array": [np.array([1.0, 2.0]), np.array([3.0]), np.array([])],
        }
    )
    s = workbench.stats(frame)
    assert (s["tuple"].kind, s["tuple"].values, s["tuple"].mean) == ("number", 6, 3.5)
    assert s["tuple"].per_example == (1.0, 2.0, 3.0)
    assert (s["array"].kind, s["array"].values, s["array"].missing) == ("number", 3, 1)
    assert s["array"].per_example == (0.0, 1.5, 2.0)


@pytest.mark.parametrize("as_frame", [False, True])
def test_a_column_of_lists_and_single_values_says_what_it_holds(as_frame: bool) -> None:
    column = [[1, 2], 3, [4], [5, 6, 7], "x"]
    data = pd.DataFrame({"m": column}) if as_frame else {"m": column}
    with pytest.raises(TypeError) as raised:
        workbench.stats(data)
    assert str(raised.value) == (
        "feature 'm': Expected lists in every entry, or none. Received: list 3, int 1, str 1: "
        "one column holds lists and single values"
    )


@pytest.mark.parametrize("gap", [None, np.nan, pd.NA])
def test_a_column_of_lists_with_missing_entries_counts_them_missing(gap: object) -> None:
    s = workbench.stats(
        pd.DataFrame({"n": [[1, 2], gap, [3]], "word": [["a"], gap, ["b", "c"]]}, dtype=object)
    )
    for name in ("n", "word"):
        f = s[name]
        assert (f.examples, f.missing, f.values, f.per_example) == (3, 1, 3, (0.0, 1.5, 2.0))
    assert s["n"].mean == 2.0
    assert dict(s["word"].top) == {"a": 1, "b": 1, "c": 1}
    assert workbench.stats({"n": [[1, 2], None, [3]]})["n"].missing == 1  # a dict of lists too


def test_python_and_numpy_scalars_in_an_object_column_are_numbers() -> None:
    frame = pd.DataFrame(
        {
            "flag": pd.Series([True, None, False, True], dtype=object),
            "f32": pd.Series(
                [np.float32(1.5), None, np.float32(2.5), np.float32(0.5)], dtype=object
            ),
        }
    )
    s = workbench.stats(frame)
    assert (s["flag"].kind, s["flag"].mean, s["flag"].missing) == ("number", 2 / 3, 1)
    assert (s["f32"].kind, s["f32"].mean, s["f32"].max) == ("number", 1.5, 2.5)


def test_bytes_that_are_not_utf8_are_shown_escaped() -> None:
    column = pd.Series([b"\xff\xfeA", b"ok", None, b"ok"], dtype=object)
    f = workbench.stats(pd.DataFrame({"raw": column}))["raw"]
    assert (f.kind, f.missing) == ("string", 1)
    assert f.top == [("ok", 2), ("\\xff\\xfeA", 1)]
