"""``compare``: two datasets' distributions side by side, feature by feature, with a drift score
each: the Jensen-Shannon divergence of numeric histograms and the L-infinity distance of
categorical frequencies, as TFDV defines them, flagged past a threshold."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import distance

from workbench.data.html import BAD, BAR, MUTED, OTHER, box, cell, new_id, sortable, sparkline
from workbench.data.stats import DataStats, FeatureStats
from workbench.data.text import num

if TYPE_CHECKING:
    import pandas as pd

BINS = 20  # common bars of a numeric feature's two histograms
THRESHOLD = 0.1
SHOWN = 10  # categories drawn per feature


@dataclass
class Drift:
    """One feature's drift.

    Attributes:
        feature: its name.
        measure: "jensen_shannon" (numbers), "l_infinity" (categories), or "" when the two
            datasets do not both have the feature with values of one kind.
        score: the measure's value (0: the same distribution; at most 1).
        flagged: whether ``score`` is past the threshold (or the feature is on one side only).
        note: what else to know ("only in the base data", "strings in one, numbers in the other").
        base: the base data's bars (numbers: over ``edges``; categories: over ``categories``).
        other: the other data's bars, over the same.
    """

    feature: str
    measure: str
    score: float
    flagged: bool
    note: str = ""
    base: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    other: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    edges: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    categories: list[str] = field(default_factory=list, repr=False)


@dataclass
class Comparison:
    """Drift of every feature between a base dataset and another, worst first.

    Attributes:
        drifts: one per feature, sorted by score (largest first), one-sided features first.
        threshold: numeric features past ``numeric_threshold``, categorical past
            ``categorical_threshold`` are flagged.
        flagged: names of the flagged features.
    """

    drifts: list[Drift]
    numeric_threshold: float
    categorical_threshold: float
    base_examples: int
    other_examples: int
    names: tuple[str, str] = ("base", "other")

    @property
    def flagged(self) -> list[str]:
        return [d.feature for d in self.drifts if d.flagged]

    @property
    def scores(self) -> dict[str, float]:
        return {d.feature: d.score for d in self.drifts}

    def __getitem__(self, name: str) -> Drift:
        for d in self.drifts:
            if d.feature == name:
                return d
        raise KeyError(f"Expected a feature in {sorted(self.scores)}. Received: {name!r}")

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {
                "feature": d.feature,
                "measure": d.measure,
                "score": d.score,
                "flagged": d.flagged,
                "note": d.note,
            }
            for d in self.drifts
        ]
        return pd.DataFrame(rows).set_index("feature")

    def text(self) -> str:
        a, b = self.names
        head = (
            f"<drift of {len(self.drifts)} features, {a} ({self.base_examples:,} examples) -> "
            f"{b} ({self.other_examples:,}): {len(self.flagged)} flagged"
            + (f" ({', '.join(self.flagged)})" if self.flagged else "")
            + ">"
        )
        width = max((len(d.feature) for d in self.drifts), default=7)
        lines = [head]
        for d in self.drifts:
            mark = "!" if d.flagged else " "
            score = f"{d.score:.4f}" if not math.isnan(d.score) else "-"
            lines.append(
                f"{mark} {d.feature.ljust(width)}  {d.measure or '-':<14}  {score:>7}  "
                f"{d.note}".rstrip()
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        a, b = self.names
        rows = []
        for d in self.drifts:
            color = f"color:{BAD};font-weight:bold" if d.flagged else ""
            rows.append(
                [
                    cell(
                        f"<b>{html.escape(d.feature)}</b>", d.feature, "text-align:left", raw=True
                    ),
                    cell("yes" if d.flagged else "", int(d.flagged), color),
                    cell(f"{d.score:.4f}" if not math.isnan(d.score) else "-", d.score, color),
                    cell(d.measure.replace("_", "-") or "-", style="text-align:left"),
                    cell(_pair(d, a, b), "", raw=True),
                    cell(d.note, style=f"text-align:left;{MUTED}"),
                ]
            )
        legend = (
            f"<div style='{MUTED}'><span style='color:{BAR}'>&#9632;</span> {html.escape(a)} "
            f"({self.base_examples:,} examples) · <span style='color:{OTHER}'>&#9632;</span> "
            f"{html.escape(b)} ({self.other_examples:,}) · thresholds: numeric "
            f"{self.numeric_threshold:g} (Jensen-Shannon), categorical "
            f"{self.categorical_threshold:g} (L-infinity)</div>"
        )
        table = sortable(["feature", "flagged", "drift", "measure", "distributions", "note"], rows)
        title = f"Drift: {len(self.flagged)} of {len(self.drifts)} features flagged"
        return box(new_id("drift"), title, legend + table, "workbench-data-drift")


def _pair(d: Drift, a: str, b: str) -> str:
    if not d.base.size:
        return ""
    scale = float(max(d.base.max(initial=0), d.other.max(initial=0)))
    if d.categories:
        labels = [repr(c) for c in d.categories]
    else:
        labels = [
            f"{num(float(x))} to {num(float(y))}"
            for x, y in zip(d.edges, d.edges[1:], strict=False)
        ]
    tips_a = [f"{a}: {lab}: {p:.1%}" for lab, p in zip(labels, d.base, strict=True)]
    tips_b = [f"{b}: {lab}: {p:.1%}" for lab, p in zip(labels, d.other, strict=True)]
    width = 4 if len(labels) > 12 else 7
    return (
        sparkline(d.base.tolist(), tips_a, BAR, height=20, width=width, scale=scale)
        + "<br/>"
        + sparkline(d.other.tolist(), tips_b, OTHER, height=20, width=width, scale=scale)
    )


def compare(
    base: DataStats,
    other: DataStats,
    threshold: float = THRESHOLD,
    *,
    numeric_threshold: float | None = None,
    categorical_threshold: float | None = None,
    names: tuple[str, str] = ("base", "other"),
) -> Comparison:
    """Drift (or skew) of every feature from ``base`` to ``other``.

    Numeric features: the Jensen-Shannon divergence (base 2, so 0 to 1) of their histograms
    over ``BINS`` equal bars spanning both datasets' values, read from each one's quantile
    sketch. Categorical features: the L-infinity distance, the largest difference between the
    two datasets' frequencies of any one value. Both as TFDV defines its drift and skew
    comparators.

    Args:
        base: statistics of the reference data (training).
        other: statistics of the data to check (serving, a later day).
        threshold: flags a feature whose score exceeds it (both kinds).
        numeric_threshold: for numeric features, instead of ``threshold``.
        categorical_threshold: for categorical features, instead of ``threshold``.
        names: what to call the two datasets in the display.
    """
    for s in (base, other):
        if not isinstance(s, DataStats):
            raise TypeError(
                f"Expected statistics from workbench.stats(data). Received: {type(s).__name__}"
            )
    numeric = threshold if numeric_threshold is None else numeric_threshold
    categorical = threshold if categorical_threshold is None else categorical_threshold
    drifts = []
    for name in list(base.features) + [n for n in other.features if n not in base.features]:
        a, b = base.features.get(name), other.features.get(name)
        if a is None or b is None:
            side = names[0] if b is None else names[1]
            drifts.append(Drift(name, "", math.nan, True, f"only in the {side} data"))
        elif a.kind != b.kind:
            drifts.append(
                Drift(name, "", math.nan, True, f"{a.kind}s in {names[0]}, {b.kind}s in {names[1]}")
            )
        elif a.kind == "number":
            drifts.append(_numeric(a, b, numeric, names))
        else:
            drifts.append(_categorical(a, b, categorical, names))
    drifts.sort(key=lambda d: (not math.isnan(d.score), -d.score if not math.isnan(d.score) else 0))
    return Comparison(drifts, numeric, categorical, base.examples, other.examples, names)


def _empty(a: bool, b: bool, names: tuple[str, str]) -> str:
    """Which side has nothing to compare, in words."""
    return "either dataset" if a and b else f"the {names[0] if a else names[1]} data"


def _numeric(a: FeatureStats, b: FeatureStats, threshold: float, names: tuple[str, str]) -> Drift:
    if not a.count or not b.count:
        empty = _empty(not a.count, not b.count, names)
        return Drift(a.name, "jensen_shannon", math.nan, True, f"no finite value in {empty}")
    low, high = min(a.min, b.min), max(a.max, b.max)
    bins = BINS
    if _integers(a) and _integers(b) and high - low < 4 * BINS:
        bins, low, high = int(high - low) + 1, low - 0.5, high + 0.5  # a bar per integer
    p, edges = a.histogram(bins, low, high)
    q, _ = b.histogram(bins, low, high)
    p, q = p / p.sum(), q / q.sum()
    score = float(distance.jensenshannon(p, q, base=2) ** 2)  # scipy gives the distance: its root
    return Drift(a.name, "jensen_shannon", score, score > threshold, base=p, other=q, edges=edges)


def _integers(f: FeatureStats) -> bool:
    return f.dtype.startswith(("int", "uint", "Int", "UInt", "bool"))


def _categorical(
    a: FeatureStats, b: FeatureStats, threshold: float, names: tuple[str, str]
) -> Drift:
    fa, fb = dict(a.top), dict(b.top)
    if not fa or not fb:
        empty = _empty(not fa, not fb, names)
        return Drift(a.name, "l_infinity", math.nan, True, f"no value in {empty}")
    ta, tb = sum(fa.values()), sum(fb.values())
    # commonest over both first; ties by value, so the order is the same in every process
    categories = sorted(
        set(fa) | set(fb), key=lambda v: (-(fa.get(v, 0) / ta + fb.get(v, 0) / tb), v)
    )
    p = np.array([fa.get(v, 0) / ta for v in categories])
    q = np.array([fb.get(v, 0) / tb for v in categories])
    score = float(np.max(np.abs(p - q)))
    new = [v for v in categories if v not in fa]
    listed = ", ".join(repr(v) for v in new[:5]) + (f" and {len(new) - 5} more" if new[5:] else "")
    note = f"new in the {names[1]} data: {listed}" if new else ""
    shown = categories[:SHOWN]
    return Drift(
        a.name,
        "l_infinity",
        score,
        score > threshold,
        note,
        p[: len(shown)],
        q[: len(shown)],
        categories=shown,
    )
