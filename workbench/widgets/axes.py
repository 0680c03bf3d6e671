"""Axes of the curves charts: ticks at round values and labels people read (``50k``, ``1.5M``).

The same arithmetic as the live view's ``extensions/widgets/lib/axes.ts`` and ``format.ts``,
operation for operation, so a run's final chart (plotly and SVG) labels its axes exactly as the
live view did: ``tests/widgets/test_axes.py`` and ``extensions/test/widgets/lib/axes.spec.ts``
check both against one table of cases (``extensions/test/widgets/lib/axes.cases.json``).
Labels are chosen to be exact (a label never rounds its tick), which also keeps the two
languages' rounding of ties out of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Axis", "linear_axis", "log_axis", "nice_ticks", "tick_labels"]

# largest first: 1.5M, not 1500k
_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_EXACT = 1e-9  # relative: a label is exact when it reads back within this of its tick
_SQRT50, _SQRT10, _SQRT2 = math.sqrt(50), math.sqrt(10), math.sqrt(2)


@dataclass(frozen=True)
class Axis:
    """A data range [lo, hi] (padded or extended as drawn) with its ticks and their labels."""

    lo: float
    hi: float
    ticks: list[float]
    labels: list[str]
    log: bool = False


def _magnitude(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    # exact powers of ten both ways (10 ** -2 and Math.pow(10, -2) may differ in the last bit)
    return 10.0**exponent if exponent >= 0 else 1 / 10.0**-exponent


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # JavaScript's Math.round (Python's round() halves to even)


def nice_ticks(
    lo: float, hi: float, count: int, integer: bool = False
) -> tuple[list[float], float]:
    """About ``count`` values 1, 2 or 5 times a power of ten apart in [lo, hi], and the step
    (the one nearest ``(hi - lo) / count``, as d3 picks it).

    With ``integer`` the step is whole (at least 1): an axis of steps never repeats a label.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return [], 1.0
    if hi == lo:
        return [lo], 1.0
    raw = (hi - lo) / max(1, count)
    magnitude = _magnitude(raw)
    error = raw / magnitude  # in [1, 10): the nearest of 1, 2, 5 and 10 times it, as d3
    step = magnitude * (
        10 if error >= _SQRT50 else 5 if error >= _SQRT10 else 2 if error >= _SQRT2 else 1
    )
    if integer:
        step = float(max(1, _round(step)))
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step + 0.0 for k in range(first, last + 1)], step


def linear_axis(
    lo: float, hi: float, *, count: int = 5, integer: bool = False, extend: bool = False
) -> Axis:
    """A linear axis over data [lo, hi]; a single value is padded (by 1 above for integers,
    by 1 either side otherwise). ``extend`` widens the range to the ticks around it, so the
    axis ends on a labelled tick (0 to 200k for steps 1 to 200,000)."""
    if hi <= lo:
        lo, hi = (lo, lo + 1) if integer else (lo - 1, hi + 1)
    ticks, step = nice_ticks(lo, hi, count, integer)
    if extend and ticks:
        first = math.floor(lo / step + 1e-9)
        last = math.ceil(hi / step - 1e-9)
        ticks = [k * step + 0.0 for k in range(first, last + 1)]
        lo, hi = ticks[0], ticks[-1]
    return Axis(lo, hi, ticks, tick_labels(ticks, step))


def log_axis(lo: float, hi: float, *, count: int = 4) -> Axis:
    """A log10 axis over positive data [lo, hi]: ticks at powers of ten across a decade or
    more, else at round values inside it."""
    if hi <= lo:
        lo, hi = lo / 10, hi * 10
    a, b = math.log10(lo), math.log10(hi)
    if b - a >= 1:
        exponents, _ = nice_ticks(a, b, count, True)
        ticks = [_power(int(e)) for e in exponents]
        labels = [_power_label(int(e)) for e in exponents]
    else:
        values, step = nice_ticks(lo, hi, count)
        ticks = [v for v in values if v > 0]
        labels = tick_labels(ticks, step)
    return Axis(lo, hi, ticks, labels, log=True)


def _power(exponent: int) -> float:
    return 10.0**exponent if exponent >= 0 else 1 / 10.0**-exponent


def _power_label(exponent: int) -> str:
    if -3 <= exponent < 0:
        return "0." + "0" * (-exponent - 1) + "1"
    if 0 <= exponent < 4:
        return "1" + "0" * exponent
    human = _human([_power(exponent)]) if 4 <= exponent < 15 else None
    return human[0] if human else f"1e{exponent}"


def tick_labels(values: Sequence[float], step: float) -> list[str]:
    """Labels for ticks ``step`` apart, each exact and so all distinct: thousands and up in
    human units (``0 50k 100k``, ``1.25M``), tiny or huge values with an exponent (``2e-5``),
    the rest with as many decimals as the step needs (``0.05 0.10``)."""
    scale = max((abs(v) for v in values), default=0.0)
    if 1e4 <= scale < 1e15:
        human = _human(values)
        if human is not None:
            return human
    if scale >= 1e6 or 0 < scale < 1e-3:
        for digits in range(16):
            labels = [_exponent(v, digits) for v in values]
            if all(_exact(float(label), v) for label, v in zip(labels, values, strict=True)):
                return labels
    decimals = min(15, max(0, math.ceil(-math.log10(step) - 1e-9)))
    return [_fixed(v, decimals) for v in values]


def _human(values: Sequence[float]) -> list[str] | None:
    labels = []
    for v in values:
        unit = next(((size, suffix) for size, suffix in _UNITS if abs(v) >= size), None)
        if unit is None:
            if not float(v).is_integer():
                return None
            labels.append(str(int(v)))
            continue
        size, suffix = unit
        for digits in range(3):
            text = f"{v / size:.{digits}f}"
            if _exact(float(text) * size, v):
                labels.append(text + suffix)
                break
        else:
            return None
    return labels if len(set(labels)) == len(labels) else None


def _exact(read: float, value: float) -> bool:
    return abs(read - value) <= _EXACT * abs(value)


def _fixed(value: float, decimals: int) -> str:
    label = f"{value:.{decimals}f}"
    return f"{0:.{decimals}f}" if float(label) == 0 else label  # no "-0"


def _exponent(value: float, digits: int) -> str:
    """``value`` as JavaScript's ``toExponential(digits)``, trimmed: ``1.5e6``, ``2e-5``."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"
