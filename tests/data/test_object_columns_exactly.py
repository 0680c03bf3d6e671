"""Object columns as users hand them to ``workbench.stats``: every kind of Python and NumPy number
counted as numbers, numbers mixed with strings counted as strings with a note (in a dict of
arrays as in a DataFrame, whichever batch they fall in)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.data import sources


def test_every_kind_of_number_in_an_object_column_is_a_number() -> None:
    kinds = [
        1,
        2.5,
        True,
        np.int64(4),
        np.int32(-2),
        np.float64(0.5),
        np.float32(1.5),
        np.bool_(False),
        Decimal("0.25"),
    ]
    for value in kinds:  # each kind alone, and all together
        f = workbench.stats({"x": np.array([value, None, value], dtype=object)})["x"]
        assert (f.kind, f.count, f.missing, f.mean) == ("number", 2, 1, float(value)), value
    column = np.array(kinds, dtype=object)
    for data in ({"x": column}, pd.DataFrame({"x": column})):
        together = workbench.stats(data)["x"]
        assert (together.kind, together.count, together.notes) == ("number", len(kinds), [])
        mean = sum(float(v) for v in kinds) / len(kinds)
        assert together.mean == pytest.approx(mean, rel=1e-15)


@pytest.mark.parametrize("as_frame", [False, True])
def test_numbers_mixed_with_strings_are_strings_with_a_note(
    as_frame: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "ROWS", 2)  # a batch of numbers only, then of strings only
    column = np.array([1, 2.5, None, "a", "b", "a"], dtype=object)
    data = pd.DataFrame({"m": column}) if as_frame else {"m": column}
    f = workbench.stats(data)["m"]
    assert (f.kind, f.examples, f.missing, f.values) == ("string", 6, 1, 5)
    assert (f.top[0], dict(f.top)) == (("a", 2), {"a": 2, "1": 1, "2.5": 1, "b": 1})
    assert f.notes == ["mixed types (str 3, int 1, float 1): counted as strings"]


@pytest.mark.parametrize("as_frame", [False, True])
def test_bytes_are_decoded_among_strings_and_among_numbers(as_frame: bool) -> None:
    text = np.array(["a", b"a", b"\xffz", None], dtype=object)
    mixed = np.array([1, b"a", b"\xffz", None], dtype=object)
    data = {"text": text, "mixed": mixed}
    s = workbench.stats(pd.DataFrame(data) if as_frame else data)
    assert (s["text"].kind, s["text"].missing, s["text"].notes) == ("string", 1, [])
    assert s["text"].top == [("a", 2), ("\\xffz", 1)]
    assert dict(s["mixed"].top) == {"1": 1, "a": 1, "\\xffz": 1}
    assert s["mixed"].notes == ["mixed types (bytes 2, int 1): counted as strings"]


@pytest.mark.parametrize(
    "column",
    [
        [1, 2.5, None, None],  # numbers, then a batch of None only
        [None, None, 1, 2.5],  # None first: the numbers decide
        [None] * 5 + [1, 2.5],  # more examples without a value than the batch that decides has
        ["a", "b", None, None],
        [None, None, "a", "b"],
        [[], [], ["a"], ["b", "c"]],  # empty lists first: the strings decide
        [["a"], ["b", "c"], [], None],
    ],
)
def test_a_batch_without_values_fits_a_feature_of_either_kind(
    column: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"v": pd.Series(column, dtype=object)})
    whole = workbench.stats(frame)["v"]
    monkeypatch.setattr(sources, "ROWS", 2)
    f = workbench.stats(frame)["v"]
    fields = ("kind", "examples", "missing", "values", "nan", "count", "mean", "shapes", "notes")
    # as in one batch (NaN as NaN: compared as text)
    assert repr([getattr(f, k) for k in fields]) == repr([getattr(whole, k) for k in fields])
    numbers = any(isinstance(v, float) for v in column)
    without = sum(v is None or v == [] for v in column)
    assert (f.kind, f.missing) == ("number" if numbers else "string", without)
