"""Running statistics of one feature, updated batch by batch in bounded memory.

Per batch, TensorFlow reduces the values (counts, sums, squared deviations from the batch mean,
extremes); batches are merged on the host in float64 with Chan et al.'s pairwise update, which
keeps the variance exact to rounding whatever the order or size of the batches. Quantiles and
histograms come from a KLL sketch and top values and distinct counts from Misra-Gries and
HyperLogLog sketches (Apache DataSketches: the sketches TFDV's own statistics are built on),
so a billion rows take the memory of a thousand.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import datasketches as ds
import numpy as np
import tensorflow as tf

from workbench.data.columns import Part

KLL_K = 400  # rank error ~0.7% (TFDV's default quantile sketch allows 1%)
TOP_MAP = 11  # Misra-Gries map of 2**11: exact counts while fewer than 1,536 distinct values
HLL_LG_K = 12  # distinct counts within ~1.6%
EXTREMES = 5  # smallest and largest values kept, to show offending values
LONGEST = 256  # bytes of a string kept for its top values (huge strings are cut there)
SHAPES = 64  # distinct example shapes counted; others go to "other"


@tf.function(reduce_retracing=True)
def _reduce(x: tf.Tensor, low: tf.Tensor, high: tf.Tensor) -> tuple[tf.Tensor, ...]:
    """Counts, mean, squared deviations, min, max, zeros, out-of-bounds and extremes of ``x``."""
    finite = tf.math.is_finite(x)
    f64 = tf.float64
    kept = tf.reduce_sum(tf.cast(finite, f64))
    nan = tf.reduce_sum(tf.cast(tf.math.is_nan(x), f64))
    mean = tf.reduce_sum(tf.where(finite, x, 0.0)) / tf.maximum(kept, 1.0)
    m2 = tf.reduce_sum(tf.where(finite, tf.math.squared_difference(x, mean), 0.0))
    inf = tf.constant(math.inf, f64)
    lows = tf.where(finite, x, inf)
    highs = tf.where(finite, x, -inf)
    zeros = tf.reduce_sum(tf.cast(tf.equal(x, 0.0), f64))
    below = tf.reduce_sum(tf.cast(lows < low, f64))
    above = tf.reduce_sum(tf.cast(highs > high, f64))
    k = tf.minimum(tf.size(x), EXTREMES)
    smallest = -tf.math.top_k(-lows, k).values
    largest = tf.math.top_k(highs, k).values
    row = tf.stack(
        [kept, nan, mean, m2, tf.reduce_min(lows), tf.reduce_max(highs), zeros, below, above]
    )
    return row, smallest, largest


class Shapes:
    """How many examples have each shape (or each number of values), at most ``SHAPES`` kinds."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[int, ...]] = Counter()
        self.other = 0
        self.values_min = math.inf
        self.values_max = -math.inf
        self.values_total = 0

    def add(self, p: Part) -> None:
        if p.counts is not None:
            lengths, times = np.unique(p.counts, return_counts=True)
            pairs: list[tuple[tuple[int, ...], int]] = [
                ((int(n),), int(c)) for n, c in zip(lengths, times, strict=True)
            ]
            if p.counts.size:
                self.values_min = min(self.values_min, int(p.counts.min()))
                self.values_max = max(self.values_max, int(p.counts.max()))
            self.values_total += int(p.counts.sum())
        else:
            shape = p.shape or ()
            pairs = [(tuple(int(d) for d in shape), p.examples - (p.missing if not shape else 0))]
            per = int(np.prod(shape)) if shape else 1
            present = pairs[0][1]
            if present:
                self.values_min = min(self.values_min, per)
                self.values_max = max(self.values_max, per)
            self.values_total += per * present
        for shape, count in pairs:
            if shape in self.counts or len(self.counts) < SHAPES:
                self.counts[shape] += count
            else:
                self.other += count


class NumberStats:
    """Running statistics of a numeric feature."""

    def __init__(self, dtype: str, low: float = -math.inf, high: float = math.inf) -> None:
        self.dtype = dtype
        self.examples = self.missing = 0
        self.kept = self.nan = self.inf = self.zeros = self.below = self.above = 0
        self.mean = self.m2 = 0.0
        self.min, self.max = math.inf, -math.inf
        self.bounds = (tf.constant(low, tf.float64), tf.constant(high, tf.float64))
        self.smallest = np.empty(0)
        self.largest = np.empty(0)
        self.sketch = ds.kll_doubles_sketch(KLL_K)
        self.shapes = Shapes()
        self.ragged = 0

    def add(self, p: Part) -> None:
        self.examples += p.examples
        self.missing += p.missing
        self.ragged = max(self.ragged, p.ragged)
        self.shapes.add(p)
        if not int(tf.size(p.values)):
            return
        row, smallest, largest = _reduce(p.values, *self.bounds)
        kept, nan, mean, m2, low, high, zeros, below, above = row.numpy().tolist()
        values = p.values.numpy()
        self.nan += int(nan)
        self.inf += values.size - int(kept) - int(nan)
        self.zeros += int(zeros)
        self.below += int(below)
        self.above += int(above)
        if kept:
            self.min, self.max = min(self.min, low), max(self.max, high)
            # Chan, Golub and LeVeque's pairwise merge of (count, mean, M2)
            total = self.kept + kept
            delta = mean - self.mean
            self.mean += delta * kept / total
            self.m2 += m2 + delta * delta * self.kept * kept / total
            self.kept = int(total)
            self.smallest = np.sort(np.concatenate([self.smallest, smallest.numpy()]))[:EXTREMES]
            self.largest = np.sort(np.concatenate([self.largest, largest.numpy()]))[-EXTREMES:]
            finite = values if kept + nan == values.size else values[np.isfinite(values)]
            self.sketch.update(np.ascontiguousarray(finite))  # NaN is skipped by the sketch


class StringStats:
    """Running statistics of a string (categorical) feature."""

    def __init__(self, dtype: str) -> None:
        self.dtype = dtype
        self.examples = self.missing = self.values = self.empty = self.cut = 0
        self.length_min, self.length_max, self.length_total = math.inf, -math.inf, 0
        self.top = ds.frequent_strings_sketch(TOP_MAP)
        self.distinct = ds.hll_sketch(HLL_LG_K)
        self.shapes = Shapes()
        self.mixed: Counter[str] = Counter()
        self.ragged = 0
        self.hashed = False  # distinct counted on fingerprints (some strings were cut)

    def add(self, p: Part) -> None:
        self.examples += p.examples
        self.missing += p.missing
        self.ragged = max(self.ragged, p.ragged)
        self.mixed.update(p.mixed)
        self.shapes.add(p)
        n = int(tf.size(p.values))
        if not n:
            return
        self.values += n
        lengths = tf.strings.length(p.values)
        low, high, total, empty = (
            int(v)
            for v in tf.stack(
                [
                    tf.reduce_min(lengths),
                    tf.reduce_max(lengths),
                    tf.reduce_sum(lengths),
                    tf.reduce_sum(tf.cast(tf.equal(lengths, 0), tf.int32)),
                ]
            ).numpy()
        )
        self.length_min, self.length_max = min(self.length_min, low), max(self.length_max, high)
        self.length_total += total
        self.empty += empty
        values = p.values
        if high > LONGEST:
            # distinct values counted on fingerprints of the whole strings, top values on their
            # first LONGEST bytes
            self.cut += int(tf.reduce_sum(tf.cast(lengths > LONGEST, tf.int32)))
            prints, _ = tf.unique(tf.strings.to_hash_bucket_fast(values, 2**62))
            for fingerprint in prints.numpy().tolist():
                self.distinct.update(fingerprint)
            values = tf.strings.substr(values, 0, LONGEST)
            self.hashed = True
        unique, _, counts = tf.unique_with_counts(values)
        top, distinct = self.top, self.distinct
        for value, count in zip(unique.numpy().tolist(), counts.numpy().tolist(), strict=True):
            text = value.decode("utf-8", "backslashreplace")
            top.update(text, count)
            if not self.hashed:
                distinct.update(text)


def accumulator(p: Part, bounds: tuple[float, float] | None = None) -> Any:
    """A fresh running statistic for the kind of ``p``."""
    if p.kind == "number":
        return NumberStats(p.dtype, *(bounds or (-math.inf, math.inf)))
    return StringStats(p.dtype)
