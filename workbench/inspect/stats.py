"""Statistics of a tensor's finite values, reduced on the device in bounded chunks, and a bounded
sample of them for the histogram.

Nothing here makes a full-size copy of the tensor: a 100M-element tensor with NaNs costs about
what a clean one does. Non-finite values are left out with masked reductions (``Select``
against a neutral value) chunk by chunk, never compacted (``tf.boolean_mask`` of the whole
tensor copies every finite value and builds int64 indices: 1.3 GB more for 100M floats).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

CHUNK = 1 << 22  # elements reduced at once: temporaries stay at tens of MB for any tensor
SAMPLE = 65_536  # values copied to the host for the histogram
FEW = 1_024  # fewer finite values than this in the strided sample: collect them chunk by chunk


@dataclass
class Moments:
    """What the reductions found.

    Attributes:
        finite: how many values are finite (every value, for integers and booleans).
        nan: how many are NaN.
        inf: how many are +inf or -inf.
        stats: min, max, mean and (population) std of the finite values; empty when there
            are none. Integers keep their exact min and max as ``int``.
    """

    finite: int
    nan: int = 0
    inf: int = 0
    stats: dict[str, float] = field(default_factory=dict)


@dataclass
class Sample:
    """Finite values copied to the host for the histogram.

    Attributes:
        values: the values, as float64.
        complete: whether they are every finite value of the tensor, not a sample of them.
    """

    values: np.ndarray
    complete: bool


def describe(flat: tf.Tensor) -> tuple[Moments, Sample]:
    """Counts and statistics of a 1-D numeric or boolean tensor, and a sample for its histogram.

    The sample is taken first: a strided slice of at most ``SAMPLE`` values, copied to the host,
    its non-finite values dropped there. Only when it holds too few finite values (the tensor is
    mostly NaN, or NaNs fall in step with the stride) are the finite values gathered chunk by
    chunk, which bounds that compaction too.

    Args:
        flat: a 1-D tensor of a floating, integer or boolean dtype.

    Returns:
        The reductions, and the sample (empty when no value is finite).
    """
    n = int(tf.size(flat))
    stride = max(1, -(-n // SAMPLE))
    strided = tf.cast(flat[::stride], tf.float64).numpy()
    strided = strided[np.isfinite(strided)]
    # a value from the middle of the sample, an element of the tensor: see ``moments``
    anchor = (
        float(np.partition(strided, strided.size // 2)[strided.size // 2]) if strided.size else None
    )
    found = moments(flat, anchor)
    if strided.size >= min(found.finite, FEW):
        return found, Sample(values=strided, complete=stride == 1)
    return found, _gathered(flat, found.finite)


def moments(flat: tf.Tensor, anchor: float | None = None, wide: tf.DType | None = None) -> Moments:
    """Counts and statistics of a 1-D numeric or boolean tensor, reduced chunk by chunk.

    A chunk of finite values (all of them, for integers) is summed in a first pass and its
    squared deviations from the mean in a second: ``E[x**2] - mean**2`` cancels to noise when
    the mean is large next to the spread (mean 1e4, std 1 in float32). A chunk with a NaN or an
    Inf is read once: its non-finite values are replaced by ``anchor`` (``Select``, the fastest
    masking op: ``tf.where`` broadcasting a scalar is 1.7x slower), which changes neither min
    nor max as it is an element of the tensor, and it is summed as distances from the anchor,
    which add nothing where it stands in and stay small (so does their rounding error) when
    the anchor sits mid-range. (Summing ``filled`` and taking the anchors off on the host would
    save a pass, but its float32 rounding, from values the size of the anchor, is then divided
    by the finite count: with 1 finite value in 1,645 near 1e4, a mean off by 0.6.)

    Partial sums are added up in float64 on the host. Integers go through float64 (float32
    holds integers exactly only up to 2**24) and keep their exact min and max; float16 and
    bfloat16 go through float32, as their squares overflow past 256.

    Args:
        flat: a 1-D tensor of a floating, integer or boolean dtype.
        anchor: a finite element of ``flat`` near the middle of its values, if one is known;
            else the first finite element of the first chunk with a non-finite one is used.
        wide: the dtype to sum in; by default float64 for integers and float64 data, else
            float32 (and float64 when float32 sums overflow).

    Returns:
        The counts and, when there is a finite value, the statistics.
    """
    dtype = flat.dtype
    if wide is None:
        wide = tf.float64 if dtype.is_integer or dtype.is_bool or dtype.size == 8 else tf.float32
    n = int(tf.size(flat))
    count, total, nan, inf = 0, 0.0, 0, 0
    low, high = math.inf, -math.inf  # Python ints stay exact past 2**53 (int64 min and max)
    clean: list[int] = []  # chunks of finite values only, for the second pass
    shifted, shifted_sum, shifted_squares = 0, 0.0, 0.0  # finite values of the other chunks
    fill: tf.Tensor | None = None
    for start in range(0, n, CHUNK):
        chunk = _exact(flat[start : start + CHUNK])
        size = int(chunk.shape[0])
        values = tf.cast(chunk, wide)
        finite = tf.math.is_finite(values) if dtype.is_floating else None
        if finite is None or bool(tf.reduce_all(finite)):
            clean.append(start)
            count += size
            total += float(tf.reduce_sum(values))
            low, high = _extend(low, high, chunk if finite is None else values)
            continue
        infinite = tf.math.is_inf(values)
        kept = _count(finite)
        chunk_inf = _count(infinite) if bool(tf.reduce_any(infinite)) else 0
        nan, inf = nan + size - kept - chunk_inf, inf + chunk_inf
        if not kept:
            continue
        if anchor is None:
            anchor = float(values[int(tf.argmax(tf.cast(finite, tf.uint8)))])
        if fill is None:
            fill = tf.fill([min(CHUNK, n)], tf.constant(anchor, wide))
        filled = tf.raw_ops.Select(condition=finite, x=values, y=fill[:size])
        low, high = _extend(low, high, filled)
        distance = filled - fill[0]  # exactly 0 where the anchor stands in
        shifted += kept
        shifted_sum += float(tf.reduce_sum(distance))
        shifted_squares += float(tf.reduce_sum(tf.square(distance)))
    finite_count = count + shifted
    if not finite_count:
        return Moments(finite=0, nan=nan, inf=inf)
    # the anchor as the device held it (rounded to float32 for float32 data)
    base = float(fill[0]) if fill is not None else 0.0
    mean = (total + shifted * base + shifted_sum) / finite_count
    squares = 0.0
    rounded = tf.cast(mean, wide)  # float32 for float32 data: 1e4 + 2e-4 rounds to 1e4
    for start in clean:
        values = tf.cast(_exact(flat[start : start + CHUNK]), wide)
        squares += float(tf.reduce_sum(tf.math.squared_difference(values, rounded)))
    # deviations from the rounded mean, taken back to the mean (matters when std << |mean|)
    error = float(rounded) - mean
    squares += -2 * error * (total - count * mean) - count * error**2
    # sum((distance + base - mean)**2) over the shifted values, expanded
    offset = base - mean
    squares += shifted_squares + 2 * offset * shifted_sum + shifted * offset**2
    stats = {
        "min": low,
        "max": high,
        "mean": mean,
        "std": math.sqrt(max(squares, 0.0) / finite_count),
    }
    if wide == tf.float32 and not (math.isfinite(mean) and math.isfinite(stats["std"])):
        # finite float32 values whose sum or squares pass float32's 3.4e38 (1e30 and -1e30):
        # again in float64, which only such tensors pay for
        return moments(flat, anchor, tf.float64)
    return Moments(finite=finite_count, nan=nan, inf=inf, stats=stats)


def _gathered(flat: tf.Tensor, finite: int) -> Sample:
    """Every ``step``-th finite value, compacted one chunk at a time."""
    step = max(1, -(-finite // SAMPLE))
    parts = []
    for start in range(0, int(tf.size(flat)), CHUNK):
        chunk = flat[start : start + CHUNK]
        kept = tf.boolean_mask(chunk, tf.math.is_finite(chunk))  # at most CHUNK values
        parts.append(tf.cast(kept[::step], tf.float64).numpy())
    return Sample(values=np.concatenate(parts), complete=step == 1)


def _exact(chunk: tf.Tensor) -> tf.Tensor:
    # no min or max kernels for bool; uint8 keeps 0 and 1 exact
    return tf.cast(chunk, tf.uint8) if chunk.dtype.is_bool else chunk


def _count(mask: tf.Tensor) -> int:
    """True values of a 1-D mask. As uint8 in groups of 128 (a group's sum cannot overflow):
    a quarter of the memory traffic of int32 (``count_nonzero`` casts to int64)."""
    size = int(mask.shape[0])
    body = size - size % 128
    flags = tf.cast(mask, tf.uint8)
    total = 0
    if body:
        groups = tf.reduce_sum(tf.reshape(flags[:body], [-1, 128]), axis=1)
        total += int(tf.reduce_sum(tf.cast(groups, tf.int32)))
    if body < size:
        total += int(tf.reduce_sum(tf.cast(flags[body:], tf.int32)))
    return total


def _extend(low: float, high: float, values: tf.Tensor) -> tuple[float, float]:
    # .item(): a Python int for integers, exact past 2**53
    return (
        min(low, tf.reduce_min(values).numpy().item()),
        max(high, tf.reduce_max(values).numpy().item()),
    )
