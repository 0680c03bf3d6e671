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
# values a quantile sketch sees per numeric feature, when the data's length is known: a Bernoulli
# sample of these has a rank error (~0.1%) well under the sketch's own (~0.7%), and it costs a
# quarter of feeding every value of 1M examples (the sketch's update is ~100 ns a value)
SKETCHED = 1 << 18
OFFENDING = 5  # values out of the bounds kept, to show
LONGEST = 256  # bytes of a string kept for its top values (huge strings are cut there)
SHAPES = 64  # distinct example shapes counted; others go to "other"


CHUNK = 1 << 20  # values reduced in one call
SMALLEST = 1 << 10  # the least padded length: lengths are padded to powers of two from here


def _moments(x: tf.Tensor, low: tf.Tensor, high: tf.Tensor) -> tf.Tensor:
    """Counts, mean, squared deviations, min, max, zeros and values out of ``[low, high]``."""
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
    # an infinite value is outside any finite bounds too (NaN, missing, is outside none)
    below = tf.reduce_sum(tf.cast(x < low, f64))
    above = tf.reduce_sum(tf.cast(x > high, f64))
    return tf.stack(
        [kept, nan, mean, m2, tf.reduce_min(lows), tf.reduce_max(highs), zeros, below, above]
    )


# XLA fuses the reductions into a couple of passes over the values (7x faster than the graph's
# one op at a time on 65,536 values) but compiles each shape once per process (~0.3 s, seconds on
# a busy machine): large chunks go through it, small ones (a small dataset, a last batch) through
# the graph. Lengths are padded with NaN to powers of two, so few shapes are ever compiled.
_graph = tf.function(_moments, autograph=False, reduce_retracing=True)
_fused = tf.function(_moments, autograph=False, jit_compile=True)
FUSED = 1 << 16  # padded lengths from which the fused version runs


def _reduce(x: tf.Tensor, low: tf.Tensor, high: tf.Tensor) -> tf.Tensor:
    return (_fused if int(x.shape[0]) >= FUSED else _graph)(x, low, high)


def padded(values: np.ndarray) -> np.ndarray:
    """``values`` and NaN up to the next power of two (at least ``SMALLEST``)."""
    size = max(SMALLEST, 1 << max(values.size - 1, 0).bit_length())
    if size == values.size:
        return values
    return np.concatenate([values, np.full(size - values.size, np.nan)])


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
            present = p.examples - (p.missing if not shape else 0)
            # a batch without values (all missing, or empty) takes none of the SHAPES kinds
            pairs = [(tuple(int(d) for d in shape), present)] if present else []
            per = int(np.prod(shape))  # 1 for a single value (the product of no dimensions)
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

    def __init__(
        self, dtype: str, low: float = -math.inf, high: float = math.inf, rate: float = 1.0
    ) -> None:
        self.dtype = dtype
        self.rate = rate  # of values given to the quantile sketch
        self.random = np.random.default_rng(0)
        self.examples = self.missing = 0
        self.kept = self.nan = self.inf = self.zeros = self.below = self.above = 0
        self.mean = self.m2 = 0.0
        self.min, self.max = math.inf, -math.inf
        self.low, self.high = low, high
        self.bounds = (tf.constant(low, tf.float64), tf.constant(high, tf.float64))
        self.offending: list[float] = []
        self.sketch = ds.kll_doubles_sketch(KLL_K)
        self.shapes = Shapes()
        self.ragged = 0

    def add(self, p: Part) -> None:
        self.examples += p.examples
        self.missing += p.missing
        self.ragged = max(self.ragged, p.ragged)
        self.shapes.add(p)
        values = np.asarray(p.values, np.float64)
        for start in range(0, values.size, CHUNK):
            self._merge(values[start : start + CHUNK])

    def _merge(self, values: np.ndarray) -> None:
        full = padded(values)
        row = _reduce(tf.constant(full), *self.bounds).numpy().tolist()
        kept, nan, mean, m2, low, high, zeros, below, above = row
        nan -= full.size - values.size  # the padding
        self.nan += int(nan)
        self.inf += values.size - int(kept) - int(nan)
        self.zeros += int(zeros)
        self.below += int(below)
        self.above += int(above)
        if (below or above) and len(self.offending) < OFFENDING:
            outside = values[(values < self.low) | (values > self.high)]
            self.offending += outside[: OFFENDING - len(self.offending)].tolist()
        if kept:
            self.min, self.max = min(self.min, low), max(self.max, high)
            # Chan, Golub and LeVeque's pairwise merge of (count, mean, M2)
            total = self.kept + kept
            delta = mean - self.mean
            self.mean += delta * kept / total
            self.m2 += m2 + delta * delta * self.kept * kept / total
            self.kept = int(total)
            finite = values if kept + nan == values.size else values[np.isfinite(values)]
            if self.rate < 1.0:  # a Bernoulli sample: every value equally likely, in any batch
                finite = finite[self.random.random(finite.size) < self.rate]
            # NaN is skipped by the sketch; it takes only writable arrays (pandas 3 hands out
            # read-only ones)
            self.sketch.update(np.require(finite, np.float64, ["C", "W"]))


class StringStats:
    """Running statistics of a string (categorical) feature."""

    def __init__(self, dtype: str) -> None:
        self.dtype = dtype
        self.examples = self.missing = self.values = self.empty = self.cut = 0
        self.length_min, self.length_max, self.length_total = math.inf, -math.inf, 0
        self.top = ds.frequent_strings_sketch(TOP_MAP)
        self.distinct = ds.hll_sketch(HLL_LG_K)
        self.shapes = Shapes()
        self.ragged = 0
        self.hashed = False  # distinct counted on fingerprints (some strings were cut)

    def add(self, p: Part) -> None:
        self.examples += p.examples
        self.missing += p.missing
        self.ragged = max(self.ragged, p.ragged)
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


def accumulator(
    p: Part, bounds: tuple[float, float] | None = None, total: int | None = None
) -> Any:
    """A fresh running statistic for the kind of ``p``; ``total`` examples to come, when known,
    sets the share of values its quantile sketch sees (all of them up to ``SKETCHED``)."""
    if p.kind == "number":
        rate = 1.0
        if total is not None:
            # the values to come, estimated from the first batch's mean per example (ragged
            # lists of 3 and 4 values are 3.5 an example, sparse ones may be fewer than 1)
            per_example = p.values.size / max(p.examples, 1)
            rate = min(1.0, SKETCHED / max(total * per_example, 1))
        return NumberStats(p.dtype, *(bounds or (-math.inf, math.inf)), rate=rate)
    return StringStats(p.dtype)
