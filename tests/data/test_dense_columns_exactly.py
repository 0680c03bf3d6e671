"""Dense columns of every kind read exactly: strings as NumPy str and bytes arrays and as tensors
(their dtype, shape and byte lengths), and a missing value only ever a missing example for a
single value (a NaN pixel, a NaT in a pair of times or a None in a pair is one value)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf

import workbench


def test_numpy_str_and_bytes_arrays_keep_their_text_and_byte_lengths() -> None:
    s = workbench.stats(
        {
            "str": np.array(["é", "a", "é"]),
            "bytes": np.array(["é".encode(), b"a", "é".encode()]),
        }
    )
    for name in ("str", "bytes"):
        f = s[name]
        assert (f.kind, f.dtype, f.top, f.length) == (
            "string",
            "string",
            [("é", 2), ("a", 1)],
            (
                1.0,
                5 / 3,
                2.0,
            ),
        ), name


def test_a_tensor_of_bytes_that_are_not_utf8_is_measured_in_its_own_bytes() -> None:
    data = tf.data.Dataset.from_tensor_slices({"raw": [b"\xff", b"ok", b"\xff"]}).batch(2)
    f = workbench.stats(data)["raw"]
    assert (f.dtype, f.length, f.values) == ("string", (1.0, 4 / 3, 2.0), 3)
    assert f.top == [("\\xff", 2), ("ok", 1)]


def test_pairs_of_strings_in_a_tensor_or_an_array_have_their_shape() -> None:
    pairs = [["a", "b"], ["c", "a"], ["a", "a"]]
    tensor = tf.data.Dataset.from_tensor_slices({"pair": tf.constant(pairs)}).batch(2)
    for data in (tensor, {"pair": np.array(pairs)}):
        f = workbench.stats(data)["pair"]
        assert (f.examples, f.values, f.missing, f.shapes) == (3, 6, 0, [("(2,)", 3)])
        assert dict(f.top) == {"a": 4, "b": 1, "c": 1}


def test_a_gap_inside_an_example_is_a_value_missing_not_an_example() -> None:
    image = np.ones((3, 2, 2))
    image[1, 0, 0] = np.nan
    times = np.array([["2024-01-01", "NaT"], ["2024-01-02", "2024-01-03"]], dtype="datetime64[s]")
    pairs = np.array([["a", None], ["b", "c"]], dtype=object)
    s = workbench.stats({"image": image})
    assert (s["image"].missing, s["image"].nan, s["image"].count) == (0, 1, 11)
    s = workbench.stats({"time": times, "pair": pairs})
    assert (s["time"].missing, s["time"].nan, s["time"].count) == (0, 1, 3)
    assert s["time"].shapes == [("(2,)", 2)]
    assert s["time"].min == pd.Timestamp("2024-01-01").timestamp()
    assert (s["pair"].missing, s["pair"].values, s["pair"].shapes) == (0, 3, [("(2,)", 2)])
    single = workbench.stats({"time": np.array(["2024-01-01", "NaT"], dtype="datetime64[s]")})
    assert (single["time"].missing, single["time"].count) == (1, 1)
