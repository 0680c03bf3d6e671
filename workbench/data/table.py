"""The statistics as HTML, in the manner of Facets Overview: a sortable table of numeric features
and one of categorical features, each row with a sparkline of its distribution, missing values
in red."""

from __future__ import annotations

import html
from typing import Any, TypeAlias

from workbench.data.html import BAD, MUTED, box, cell, new_id, sortable, sparkline
from workbench.data.text import describe, header, num, percent

# workbench.data.stats's types, loosely: that module imports this one to draw
# itself, and tests/unit/test_layers.py forbids import cycles
DataStats: TypeAlias = Any
FeatureStats: TypeAlias = Any

TOP_BARS = 10  # top values drawn per categorical feature


def name_cell(f: FeatureStats) -> str:
    notes = "".join(
        f"<div style='color:{BAD};font-size:11px'>{html.escape(n)}</div>" for n in f.notes
    )
    text = (
        f"<b>{html.escape(f.name)}</b><div style='font-size:11px;{MUTED}'>"
        f"{html.escape(describe(f))}</div>{notes}"
    )
    return cell(text, f.name, "text-align:left", raw=True)


def missing_cell(f: FeatureStats) -> str:
    share = f.missing / f.examples if f.examples else 0.0
    return cell(
        percent(f.missing, f.examples), share, f"color:{BAD};font-weight:bold" if f.missing else ""
    )


def histogram_cell(f: FeatureStats) -> str:
    counts, edges = f.histogram()
    tips = [
        f"{num(float(a))} to {num(float(b))}: {num(round(c))}"
        for a, b, c in zip(edges, edges[1:], counts, strict=False)
    ]
    return cell(sparkline(counts.tolist(), tips), "", raw=True)


def top_cell(f: FeatureStats) -> str:
    shown = f.top[:TOP_BARS]
    counts = [float(c) for _, c in shown]
    tips = [f"{v!r}: {c:,}" for v, c in shown]
    return cell(sparkline(counts, tips, width=8), "", raw=True)


def number_row(f: FeatureStats) -> list[str]:
    return [
        name_cell(f),
        cell(num(f.count), f.count),
        missing_cell(f),
        cell(num(f.mean), f.mean),
        cell(num(f.std), f.std),
        cell(percent(f.zeros, f.values), f.zeros / f.values if f.values else 0.0),
        cell(num(f.min), f.min),
        cell(num(f.quantiles.get(0.5)), f.quantiles.get(0.5)),
        cell(num(f.max), f.max),
        histogram_cell(f),
    ]


def string_row(f: FeatureStats) -> list[str]:
    top, freq = f.top[0] if f.top else ("", 0)
    shown = top if len(top) <= 24 else top[:23] + "…"
    return [
        name_cell(f),
        cell(num(f.values), f.values),
        missing_cell(f),
        cell(("" if f.distinct_exact else "~") + num(f.distinct), f.distinct),
        cell(shown, top, "text-align:left;font-family:var(--jp-code-font-family,monospace)"),
        cell(num(freq), freq),
        cell(num(f.length[1]) if f.length else "-", f.length[1] if f.length else None),
        top_cell(f),
    ]


def stats_html(s: DataStats) -> str:
    numbers = [number_row(f) for f in s if f.kind == "number"]
    strings = [string_row(f) for f in s if f.kind == "string"]
    body = ""
    if numbers:
        heads = [
            "feature",
            "count",
            "missing",
            "mean",
            "std",
            "zeros",
            "min",
            "median",
            "max",
            "histogram",
        ]
        body += sortable(
            heads, numbers, f"Numeric features ({len(numbers)}) · click a header to sort"
        )
    if strings:
        heads = [
            "feature",
            "count",
            "missing",
            "distinct",
            "top",
            "freq top",
            "avg length",
            "top values",
        ]
        body += sortable(heads, strings, f"Categorical features ({len(strings)})")
    return box(new_id("stats"), header(s)[0].upper() + header(s)[1:], body, "workbench-data-stats")
