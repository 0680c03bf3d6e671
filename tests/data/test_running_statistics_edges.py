"""The running statistics at their edges: infinite values stay out of the quantiles, a string of
exactly 256 bytes is not cut, many long strings are counted distinct by their fingerprints, and a
pipeline's empty batch of lists changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import tensorflow as tf

import workbench
from workbench.data.accumulate import LONGEST


def test_infinite_values_stay_out_of_the_quantiles() -> None:
    values = np.array([1.0, 2.0, np.inf, 3.0, -np.inf, 4.0, np.nan, 5.0])
    f = workbench.stats({"x": values})["x"]
    assert (f.count, f.inf, f.nan) == (5, 2, 1)
    assert (f.missing, f.shapes) == (1, [("()", 7)])  # the examples that have a value
    assert (f.quantiles[0.01], f.quantiles[0.5], f.quantiles[0.99]) == (1.0, 3.0, 5.0)
    counts, edges = f.histogram(4)
    assert (counts.sum(), edges[0], edges[-1]) == (5.0, 1.0, 5.0)


def test_a_string_of_exactly_256_bytes_is_kept_whole() -> None:
    edge = "y" * LONGEST
    f = workbench.stats({"s": np.array([edge, edge, "a"], dtype=object)})["s"]
    assert (f.cut, f.distinct, f.distinct_exact, f.notes) == (0, 2, True, [])
    assert f.top == [(edge, 2), ("a", 1)]


def test_many_long_strings_are_counted_distinct_by_their_fingerprints() -> None:
    words = np.array([f"{i:04d}" + "z" * 300 for i in range(400)] * 2, dtype=object)
    f = workbench.stats({"s": words})["s"]
    assert (f.cut, f.distinct_exact) == (800, False)
    assert abs(f.distinct - 400) <= 8  # HyperLogLog's estimate (lg_k 12: ~1.6%)


def test_an_empty_batch_of_lists_in_a_pipeline_changes_nothing() -> None:
    def batches() -> Iterator[tf.RaggedTensor]:
        yield tf.ragged.constant([[1.0, 2.0], [3.0]], dtype=tf.float64)
        yield tf.RaggedTensor.from_row_lengths(tf.zeros([0], tf.float64), tf.zeros([0], tf.int64))
        yield tf.ragged.constant([[4.0]], dtype=tf.float64)

    spec = tf.RaggedTensorSpec([None, None], tf.float64, ragged_rank=1)
    data = tf.data.Dataset.from_generator(batches, output_signature=spec)
    f = workbench.stats(data, batched=True)["value"]
    assert (f.examples, f.values, f.missing, f.mean) == (3, 4, 0, 2.5)
    assert f.per_example == (1.0, 4 / 3, 2.0)
