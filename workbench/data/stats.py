"""``compute``: the statistics of every feature of a dataset, in one streaming pass, as plain data
(:class:`DataStats` of :class:`FeatureStats`) that the displays, the schema, validation and drift
read."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from workbench.data.accumulate import NumberStats, StringStats, accumulator
from workbench.data.columns import Part, no_values, part
from workbench.data.sources import open_source, rows

if TYPE_CHECKING:
    import pandas as pd

    from workbench.data.schema import Schema

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
TOP = 1_000  # top values kept per string feature (a schema lists up to 100 categories)
BINS = 10  # bars of a feature's histogram (Facets Overview's count)
# the bounds of a pass that validation gave none: values outside are the infinite ones
FINITE = (-sys.float_info.max, sys.float_info.max)


class Progress(Protocol):
    """What ``compute`` tells while it reads: examples done so far, and the end."""

    def update(self, done: int, total: int | None) -> None: ...

    def close(self, outcome: str) -> None: ...


@dataclass
class FeatureStats:
    """The statistics of one feature.

    Attributes:
        name: the feature's name ("a/b" for a nested one).
        kind: "number" or "string".
        dtype: the feature's own dtype ("float32", "int64", "bool", "string", "object", ...).
        examples: examples read.
        missing: examples without a value (NaN or None for a single value, none in a list).
        values: values counted (more than ``examples`` for lists, images and sequences).
        shapes: each example's shape and how many examples had it, commonest first ("()" for a
            single value; "(12,)" for 12 values of a list or sequence).
        per_example: the least, mean and most values an example has.
        ragged: ragged dimensions (0 for dense data).
        notes: what to know about the numbers ("mixed types ...", "all values missing").
        count: finite values (numbers).
        nan, inf: NaN and infinite values (numbers).
        mean, std, min, max: of the finite values (std is the population std, as NumPy's).
        zeros: values equal to 0 (numbers).
        quantiles: value at each of ``QUANTILES`` (from the KLL sketch, rank error ~0.7%).
        distinct: distinct values (strings; exact below 1,536, else a HyperLogLog estimate).
        distinct_exact: whether ``distinct`` and ``top`` are exact.
        top: the commonest values with their counts (strings).
        length: least, mean and most length in bytes (strings).
        empty: empty strings.
    """

    name: str
    kind: str
    dtype: str
    examples: int
    missing: int
    values: int
    shapes: list[tuple[str, int]] = field(default_factory=list)
    per_example: tuple[float, float, float] | None = None
    ragged: int = 0
    notes: list[str] = field(default_factory=list)
    count: int = 0
    nan: int = 0
    inf: int = 0
    mean: float = float("nan")
    std: float = float("nan")
    min: float = float("nan")
    max: float = float("nan")
    zeros: int = 0
    quantiles: dict[float, float] = field(default_factory=dict)
    distinct: int = 0
    distinct_exact: bool = True
    top: list[tuple[str, int]] = field(default_factory=list)
    length: tuple[float, float, float] | None = None
    empty: int = 0
    cut: int = 0
    # values under the lower bound validation asked about, else -inf values; above it, or inf
    below: int = 0
    above: int = 0
    offending: list[float] = field(default_factory=list)  # some values out of those bounds
    sketch: Any = field(default=None, repr=False, compare=False)

    # the quantile sketch pickles as its own bytes: statistics can be saved and validated later
    def __getstate__(self) -> dict[str, Any]:
        sketch = None if self.sketch is None else self.sketch.serialize()
        return {**self.__dict__, "sketch": sketch}

    def __setstate__(self, state: dict[str, Any]) -> None:
        import datasketches as ds

        sketch = state["sketch"]
        read = None if sketch is None else ds.kll_doubles_sketch.deserialize(sketch)
        self.__dict__.update(state, sketch=read)

    @property
    def missing_fraction(self) -> float:
        return self.missing / self.examples if self.examples else 0.0

    def histogram(
        self, bins: int = BINS, low: float | None = None, high: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Counts of finite values in ``bins`` equal bars over ``[low, high]`` (the feature's own
        range by default), read from the quantile sketch; for strings, the top values' counts.

        Returns:
            ``(counts, edges)``; edges are empty for strings.
        """
        if self.kind == "string":
            return np.array([c for _, c in self.top], dtype=float), np.empty(0)
        if not self.count or self.sketch is None:
            return np.zeros(bins), np.linspace(0.0, 1.0, bins + 1)
        low = self.min if low is None else low
        high = self.max if high is None else high
        if not high > low:
            half = max(0.5, abs(low) * 1e-3)
            low, high = low - half, high + half
        edges = np.linspace(low, high, bins + 1)
        start = float(self.sketch.get_rank(float(edges[0]), False))  # values below the range
        ends = self.sketch.get_cdf(edges[1:].tolist(), True)[:-1]  # fraction <= each edge
        counts = np.clip(np.diff([start, *ends]), 0, None) * self.count
        return counts, edges


@dataclass
class DataStats:
    """The statistics of a dataset: one :class:`FeatureStats` per feature.

    Attributes:
        features: by name, in the data's order.
        examples: examples read.
        source: what the data was ("DataFrame", "tf.data.Dataset", ...).
        truncated: whether ``max_examples`` stopped the reading before the end.
        seconds: how long the pass took.
    """

    features: dict[str, FeatureStats]
    examples: int
    source: str
    truncated: bool = False
    seconds: float = 0.0

    def __getitem__(self, name: str) -> FeatureStats:
        try:
            return self.features[name]
        except KeyError:
            raise KeyError(
                f"Expected a feature in {sorted(self.features)}. Received: {name!r}"
            ) from None

    def __iter__(self) -> Any:
        return iter(self.features.values())

    def __len__(self) -> int:
        return len(self.features)

    def infer_schema(self, max_categories: int = 100) -> Schema:
        """A schema of what this data is: see :func:`workbench.data.schema.infer_schema`."""
        from workbench.data.schema import infer_schema

        return infer_schema(self, max_categories)

    def to_frame(self) -> pd.DataFrame:
        """One row per feature: the numbers the table shows, for filtering and dashboards."""
        import pandas as pd

        rows = []
        for f in self:
            rows.append(
                {
                    "feature": f.name,
                    "kind": f.kind,
                    "dtype": f.dtype,
                    "examples": f.examples,
                    "missing": f.missing,
                    "mean": f.mean,
                    "std": f.std,
                    "min": f.min,
                    "median": f.quantiles.get(0.5, float("nan")),
                    "max": f.max,
                    "zeros": f.zeros,
                    "distinct": f.distinct if f.kind == "string" else None,
                    "top": f.top[0][0] if f.top else None,
                    "notes": "; ".join(f.notes),
                }
            )
        return pd.DataFrame(rows).set_index("feature")

    def text(self) -> str:
        from workbench.data.text import stats_text

        return stats_text(self)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from workbench.data.table import stats_html

        return stats_html(self)


def compute(
    data: Any,
    max_examples: int | None = None,
    *,
    batched: bool | None = None,
    progress: Progress | None = None,
    bounds: dict[str, tuple[float, float]] | None = None,
) -> DataStats:
    """Reads ``data`` once, batch by batch, and returns the statistics of every feature.

    Args:
        data: a ``tf.data.Dataset`` (of dicts, tuples or nests; batched or not), a NumPy array,
            a pandas DataFrame or a dict of arrays.
        max_examples: read at most this many examples (None: all).
        batched: whether a ``tf.data.Dataset``'s elements are batches; by default guessed from
            its element spec (batched when every component's first dimension is unknown).
        progress: told about the reading as it goes.
        bounds: feature name -> (low, high): values outside are counted exactly (validation);
            a feature without bounds counts its -inf and inf values there (``below``, ``above``).

    Returns:
        The statistics.

    Raises:
        ValueError: for an empty dataset, data without features, or an infinite pipeline
            without ``max_examples``.
        TypeError: for data it does not read, or a feature whose kind changes between batches.
    """
    start = time.perf_counter()
    source = open_source(data, max_examples, batched)
    running: dict[str, NumberStats | StringStats] = {}
    done = 0
    outcome = "interrupted"
    try:
        for batch in source.batches:
            for name, column in batch.items():
                try:
                    p = part(column)
                except TypeError as error:
                    raise TypeError(f"feature {name!r}: {error}") from None
                acc = running.get(name)
                earlier = None
                if acc is not None and (p.kind == "number") != isinstance(acc, NumberStats):
                    p, earlier = _one_kind(name, p, acc, done)
                if acc is None or earlier is not None:
                    limits = (bounds or {}).get(name, FINITE)
                    acc = running[name] = accumulator(
                        p, limits, _smaller(source.total, max_examples)
                    )
                    if earlier is not None:
                        acc.add(earlier)
                acc.add(p)
            done += rows(batch)
            if progress is not None:
                progress.update(done, _smaller(source.total, max_examples))
        outcome = "done"
    except Exception:
        outcome = "failed"
        raise
    finally:
        if progress is not None:
            progress.close(outcome)
    # a batch's examples are its first column's length: no example was read without a feature
    if not done:
        raise ValueError(f"Expected at least one example. Received: an empty {source.kind}")
    features = {name: _finish(name, acc, source.notes.get(name)) for name, acc in running.items()}
    # cut when the data held more; a pipeline of unknown length, when the limit was reached
    truncated = max_examples is not None and (
        source.total > done if source.total is not None else done >= max_examples
    )
    return DataStats(features, done, source.kind, truncated, time.perf_counter() - start)


def _one_kind(
    name: str, p: Part, acc: NumberStats | StringStats, done: int
) -> tuple[Part, Part | None]:
    """A batch ``p`` of the other kind than the feature's statistics so far (``acc``): a batch
    without values takes the feature's kind; a feature without a value so far takes the batch's
    (then returned second: the examples read so far, as a part of that kind, to start its new
    statistics with). Any other change of kind is an error."""
    was = "number" if isinstance(acc, NumberStats) else "string"
    if p.missing == p.examples:  # a batch without values fits either kind
        return no_values(p, was), None
    if acc.missing == acc.examples:
        counts = np.zeros(acc.examples, int) if acc.ragged else None  # []s
        earlier = replace(
            p,
            examples=acc.examples,
            missing=acc.missing,
            shape=(),
            counts=counts,
            ragged=acc.ragged,
        )
        return p, no_values(earlier, p.kind)
    raise TypeError(
        f"feature {name!r}: expected {was}s in every batch (as in the first). Received: "
        f"{p.kind}s after {done:,} examples; convert the column to one type (e.g. .astype(str)) "
        "first"
    )


def _smaller(a: int | None, b: int | None) -> int | None:
    return a if b is None else b if a is None else min(a, b)


def _finish(name: str, acc: NumberStats | StringStats, note: str | None) -> FeatureStats:
    shapes = acc.shapes
    listed = [(_shape(s), c) for s, c in shapes.counts.most_common() if c]
    if shapes.other:
        listed.append(("other", shapes.other))
    present = acc.examples - acc.missing
    per_example = None
    if shapes.values_total and (len(shapes.counts) > 1 or (listed and listed[0][0] != "()")):
        per_example = (
            float(shapes.values_min),
            shapes.values_total / max(present, 1),
            float(shapes.values_max),
        )
    f = FeatureStats(
        name=name,
        kind="number" if isinstance(acc, NumberStats) else "string",
        dtype=acc.dtype,
        examples=acc.examples,
        missing=acc.missing,
        values=shapes.values_total,
        shapes=listed,
        per_example=per_example,
        ragged=acc.ragged,
        notes=[note] if note else [],
    )
    if acc.missing == acc.examples:
        f.notes.append("all values missing")
    if acc.ragged:
        # lists of one length (embeddings kept as lists in a DataFrame) are ragged all the same
        n = shapes.values_max
        f.notes.append(
            f"ragged ({acc.ragged} ragged dimension{'s' if acc.ragged > 1 else ''}): "
            + (
                f"every example has {n:,} value{'s' if n != 1 else ''}"
                if shapes.values_min == n  # lists of none or of one length
                else "values per example vary"
            )
        )
    if isinstance(acc, NumberStats):
        if acc.dtype.startswith("datetime"):
            f.notes.append("times as seconds since 1970-01-01 UTC")
        f.count, f.nan, f.inf, f.zeros = acc.kept, acc.nan, acc.inf, acc.zeros
        f.below, f.above, f.offending = acc.below, acc.above, acc.offending
        f.values = acc.kept + acc.nan + acc.inf
        if acc.kept:
            f.mean, f.std = acc.mean, float(np.sqrt(acc.m2 / acc.kept))
            f.min, f.max = acc.min, acc.max
            f.quantiles = dict(
                zip(QUANTILES, acc.sketch.get_quantiles(list(QUANTILES)), strict=True)
            )
            f.sketch = acc.sketch
        elif acc.missing < acc.examples:
            f.notes.append("no finite value")
        if acc.inf:
            f.notes.append(f"{acc.inf:,} infinite value{'s' if acc.inf > 1 else ''}")
    else:
        f.values = acc.values
        f.empty, f.cut = acc.empty, acc.cut
        items = acc.top.get_frequent_items(_NO_FALSE_POSITIVES)
        # nothing purged yet: every value is listed with its exact count
        exact = sum(c for _, c, _, _ in items) == acc.top.total_weight and not acc.hashed
        f.top = [(v, int(c)) for v, c, _, _ in items[:TOP]]
        f.distinct_exact = exact
        f.distinct = acc.top.num_active_items if exact else round(acc.distinct.get_estimate())
        if acc.values:
            f.length = (float(acc.length_min), acc.length_total / acc.values, float(acc.length_max))
        if acc.cut:
            f.notes.append(f"{acc.cut:,} values longer than 256 bytes (cut there for top values)")
    return f


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _error_type() -> Any:
    import datasketches as ds

    return ds.frequent_items_error_type.NO_FALSE_POSITIVES


_NO_FALSE_POSITIVES = _error_type()
