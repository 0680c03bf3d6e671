"""The text forms of statistics, schemas, anomalies and comparisons: what a terminal, a log and
the tests read (the HTML tables show the same numbers)."""

from __future__ import annotations

import math
from typing import Any, TypeAlias

# workbench.data.stats's types, loosely: that module imports this one to draw
# itself, and tests/unit/test_layers.py forbids import cycles
DataStats: TypeAlias = Any
FeatureStats: TypeAlias = Any


def num(value: float | int | None) -> str:
    """A number the way a table shows it: integers with separators, others to 4 digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    if not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:.4g}"


def percent(part: int, whole: int) -> str:
    if not part:
        return "0%"
    share = 100 * part / whole if whole else 0.0
    return f"{share:.1f}%" if share >= 0.1 else "<0.1%"


def describe(f: FeatureStats) -> str:
    """dtype and shape of a feature in a few words."""
    words = [f.dtype]
    if f.per_example and (f.ragged or f.per_example[0] != f.per_example[2]):
        low, mean, high = f.per_example
        words.append(f"values per example {num(low)} to {num(high)} (mean {num(mean)})")
    elif f.shapes and f.shapes[0][0] != "()":
        shown = ", ".join(f"{s} x{c:,}" for s, c in f.shapes[:3])
        more = f" +{len(f.shapes) - 3} more" if len(f.shapes) > 3 else ""
        words.append("shape " + shown + more)
    return " · ".join(words)


def header(s: DataStats) -> str:
    numbers = sum(f.kind == "number" for f in s)
    strings = len(s) - numbers
    cut = " (first examples only: max_examples)" if s.truncated else ""
    return (
        f"statistics of a {s.source}: {s.examples:,} examples{cut}, "
        f"{len(s)} feature{'s' if len(s) != 1 else ''} "
        f"({numbers} numeric, {strings} categorical), {s.seconds:.2f} s"
    )


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def stats_text(s: DataStats) -> str:
    lines = [f"<{header(s)}>"]
    numbers = [f for f in s if f.kind == "number"]
    strings = [f for f in s if f.kind == "string"]
    if numbers:
        rows = [
            ["numeric", "dtype", "count", "missing", "mean", "std", "zeros", "min", "median", "max"]
        ]
        for f in numbers:
            rows.append(
                [
                    f.name,
                    f.dtype,
                    num(f.count),
                    percent(f.missing, f.examples),
                    num(f.mean),
                    num(f.std),
                    percent(f.zeros, f.values),
                    num(f.min),
                    num(f.quantiles.get(0.5)),
                    num(f.max),
                ]
            )
        lines += _table(rows)
    if strings:
        rows = [
            [
                "categorical",
                "dtype",
                "count",
                "missing",
                "distinct",
                "top",
                "freq top",
                "avg length",
            ]
        ]
        for f in strings:
            top, freq = f.top[0] if f.top else ("-", 0)
            rows.append(
                [
                    f.name,
                    f.dtype,
                    num(f.values),
                    percent(f.missing, f.examples),
                    ("" if f.distinct_exact else "~") + num(f.distinct),
                    _cut(repr(top) if f.top else "-", 24),
                    num(freq),
                    num(f.length[1]) if f.length else "-",
                ]
            )
        lines += _table(rows)
    for f in s:
        extra = describe(f).split(" · ", 1)[1:] + f.notes
        if extra:
            lines.append(f"  {f.name}: " + "; ".join(extra))
    return "\n".join(lines)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
