"""``validate``: what in a dataset breaks its schema, in words: a feature that is missing, a
required feature without a value, a new category, values out of range, a changed type or shape,
each with the feature, how many examples, and some of the offending values."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

from workbench.data.html import BAD, MUTED, box, cell, new_id, sortable
from workbench.data.schema import FeatureSchema, Schema
from workbench.data.stats import DataStats, FeatureStats, compute
from workbench.data.text import num

SHOWN = 5  # offending values shown per anomaly


@dataclass
class Anomaly:
    """One way the data breaks the schema.

    Attributes:
        feature: the feature's name.
        kind: "missing feature", "missing values", "type", "shape", "out of range",
            "new category" or "new feature".
        examples: how many examples (or values, for lists) break it; None when not countable.
        description: the anomaly in words.
        values: some of the offending values.
        severity: "error" or "warning" (a feature the schema does not know).
    """

    feature: str
    kind: str
    examples: int | None
    description: str
    values: list[Any] = field(default_factory=list)
    severity: str = "error"

    def __str__(self) -> str:
        shown = f" (e.g. {', '.join(_value(v) for v in self.values)})" if self.values else ""
        return f"{self.feature}: {self.kind}: {self.description}{shown}"


class Anomalies(list[Anomaly]):
    """The anomalies found (a list; empty and false when the data meets the schema)."""

    examples: int = 0

    @property
    def features(self) -> list[str]:
        return sorted({a.feature for a in self})

    def text(self) -> str:
        if not self:
            return f"<no anomalies in {self.examples:,} examples>"
        head = (
            f"<{len(self)} anomal{'y' if len(self) == 1 else 'ies'} in {self.examples:,} examples>"
        )
        return "\n".join([head, *(f"  {a}" for a in self)])

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        if not self:
            return box(
                new_id("anomalies"),
                f"No anomalies in {self.examples:,} examples",
                "",
                "workbench-data-anomalies",
            )
        rows = [
            [
                cell(f"<b>{html.escape(a.feature)}</b>", a.feature, "text-align:left", raw=True),
                cell(
                    a.kind,
                    style=f"text-align:left;color:{BAD if a.severity == 'error' else '#b8860b'}",
                ),
                cell(num(a.examples) if a.examples is not None else "-", a.examples),
                cell(a.description, style="text-align:left;white-space:normal;max-width:36em"),
                cell(", ".join(_value(v) for v in a.values), style=f"text-align:left;{MUTED}"),
            ]
            for a in self
        ]
        table = sortable(["feature", "anomaly", "examples", "what", "e.g."], rows)
        title = (
            f"{len(self)} anomal{'y' if len(self) == 1 else 'ies'} in {self.examples:,} examples"
        )
        return box(new_id("anomalies"), title, table, "workbench-data-anomalies")


def validate(data: Any, schema: Schema, max_examples: int | None = None) -> Anomalies:
    """Checks data (or its statistics) against ``schema``.

    Given data, it is read once with the schema's ranges counted exactly; given statistics
    (from ``workbench.stats``), values out of range are counted from the quantile sketch
    (said "about").

    Args:
        data: a dataset ``workbench.stats`` reads, or its :class:`DataStats`.
        schema: what the data must be (``stats.infer_schema()``, edited, or ``Schema.load``).
        max_examples: read at most this many examples of ``data``.

    Returns:
        The anomalies, in the schema's feature order (features the schema lacks last).
    """
    if not isinstance(schema, Schema):
        raise TypeError(
            "Expected a Schema (stats.infer_schema() or Schema.load(path)). "
            f"Received: {type(schema).__name__}"
        )
    if isinstance(data, DataStats):
        stats, exact = data, False
    else:
        bounds = {
            f.name: (-math.inf if f.min is None else f.min, math.inf if f.max is None else f.max)
            for f in schema
            if f.type != "string"
        }
        stats, exact = compute(data, max_examples, bounds=bounds), True
    found = Anomalies()
    found.examples = stats.examples
    for want in schema:
        have = stats.features.get(want.name)
        if have is None:
            found.append(
                Anomaly(
                    want.name,
                    "missing feature",
                    stats.examples,
                    f"the data has no feature {want.name!r}"
                    + (" (required)" if want.required else ""),
                )
            )
            continue
        found.extend(_check(want, have, exact))
    for name in stats.features:
        if name not in schema.features:
            found.append(
                Anomaly(
                    name,
                    "new feature",
                    None,
                    "a feature the schema does not list",
                    severity="warning",
                )
            )
    return found


def _check(want: FeatureSchema, have: FeatureStats, exact: bool) -> list[Anomaly]:
    out = []
    kind = "string" if have.kind == "string" else ("int" if _integer(have) else "float")
    if kind != want.type and not (want.type == "float" and kind == "int"):
        out.append(
            Anomaly(
                want.name,
                "type",
                have.examples,
                f"expected {want.type} values, found {kind} ({have.dtype})",
            )
        )
        return out  # ranges and categories of another type say nothing more
    if want.required and have.missing:
        out.append(
            Anomaly(
                want.name,
                "missing values",
                have.missing,
                f"{have.missing:,} of {have.examples:,} examples have no value "
                "(the feature is required)",
            )
        )
    if want.shape is not None:
        expected = (
            "("
            + ", ".join(str(d) for d in want.shape)
            + ("," if len(want.shape) == 1 else "")
            + ")"
        )
        others = [(s, c) for s, c in have.shapes if s != expected]
        if others:
            count = sum(c for _, c in others)
            out.append(
                Anomaly(
                    want.name,
                    "shape",
                    count,
                    f"{count:,} examples are not of shape {expected}",
                    [s for s, _ in others[:SHOWN]],
                )
            )
    if want.type == "string" and want.values is not None and have.top:
        allowed = set(want.values)
        new = [(v, c) for v, c in have.top if v not in allowed]
        if new:
            count = sum(c for _, c in new)
            approx = "" if have.distinct_exact else "at least "
            out.append(
                Anomaly(
                    want.name,
                    "new category",
                    count,
                    f"{approx}{count:,} value{'s are' if count != 1 else ' is'} not among the "
                    f"{len(allowed)} allowed categories",
                    [v for v, _ in new[:SHOWN]],
                )
            )
    if want.type != "string":
        out.extend(_range(want, have, exact))
    return out


def _range(want: FeatureSchema, have: FeatureStats, exact: bool) -> list[Anomaly]:
    low = -math.inf if want.min is None else want.min
    high = math.inf if want.max is None else want.max
    if exact:  # counted in the pass, infinite values too
        below, above, offending = have.below, have.above, have.offending
        about_below = about_above = ""
    else:
        (below, about_below), (above, about_above), offending = _sketched(have, low, high)
    if not (below or above):
        return []
    # the extremes shown: of the finite values, or an infinite one among those kept
    seen = [v for v in (have.min, have.max, *offending) if not math.isnan(v)]
    parts = []
    if below:
        parts.append(f"{about_below}{below:,} below {num(low)} (least {num(min(seen))})")
    if above:
        parts.append(f"{about_above}{above:,} above {num(high)} (most {num(max(seen))})")
    allowed = f"{num(low)} to {num(high)}"
    return [
        Anomaly(
            want.name,
            "out of range",
            below + above,
            f"values outside {allowed}: " + ", ".join(parts),
            offending[:SHOWN],
        )
    ]


def _sketched(
    have: FeatureStats, low: float, high: float
) -> tuple[tuple[int, str], tuple[int, str], list[float]]:
    """Values of statistics outside ``[low, high]``: (count, "about " or "") below and above, and
    the extremes outside. Finite values are counted from the quantile sketch's ranks (within its
    rank error, at least the extreme itself); infinite ones as the pass counted them (``below``
    and ``above`` of a pass without bounds: -inf and inf)."""
    below = above = 0
    if have.min < low:  # never for NaN (a feature without a finite value)
        below = max(1, round(have.sketch.get_rank(low, False) * have.count))
    if have.max > high:
        above = max(1, round((1 - have.sketch.get_rank(high, True)) * have.count))
    offending = sorted(v for v in {have.min, have.max} if v < low or v > high)
    negative = have.below if low > -math.inf else 0
    positive = have.above if high < math.inf else 0
    return (
        (below + negative, "about " if below else ""),
        (above + positive, "about " if above else ""),
        [-math.inf] * bool(negative) + offending + [math.inf] * bool(positive),
    )


def _integer(f: FeatureStats) -> bool:
    return f.dtype.startswith(("int", "uint", "Int", "UInt", "bool"))


def _value(v: Any) -> str:
    if isinstance(v, float):
        return num(v)
    return repr(v) if isinstance(v, str) and not v.startswith("(") else str(v)
