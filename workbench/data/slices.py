"""``evaluate``: a model's metrics overall and per slice of the data (each value of a feature,
or each combination of several), with example counts, bootstrap confidence intervals and the
slices significantly worse than overall, as TFMA reports them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from workbench.data.sources import flatten

BATCH = 1_024
# metrics whose smaller values are better (the rest, accuracy, AUC, precision ..., larger)
LOWER_BETTER = (
    "loss",
    "error",
    "crossentropy",
    "hinge",
    "squared",
    "absolute",
    "log_cosh",
    "divergence",
    "poisson",
)


@dataclass
class Slice:
    """A model's metrics on one slice of the data.

    Attributes:
        name: "overall", "country=NZ", or "country=NZ, age=30" for a crossed slice.
        examples: examples in the slice.
        metrics: each metric's value on the slice.
        intervals: each metric's confidence interval (bootstrap percentiles).
        worse: metrics on which the slice is significantly worse than overall (its whole
            interval on the worse side of the overall value).
    """

    name: str
    examples: int
    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    worse: list[str] = field(default_factory=list)


@dataclass
class SliceMetrics:
    """Metrics overall (first) and per slice.

    Attributes:
        slices: "overall" then every slice, in the order of ``slices`` and their values.
        metrics: the metrics' names.
        confidence: the intervals' level (0.95).
        bootstrap: resamples behind the intervals (0: none).
    """

    slices: list[Slice]
    metrics: list[str]
    confidence: float
    bootstrap: int

    @property
    def overall(self) -> Slice:
        return self.slices[0]

    @property
    def flagged(self) -> list[str]:
        """Slices significantly worse than overall on some metric."""
        return [s.name for s in self.slices[1:] if s.worse]

    def __getitem__(self, name: str) -> Slice:
        for s in self.slices:
            if s.name == name:
                return s
        raise KeyError(f"Expected a slice in {[s.name for s in self.slices]}. Received: {name!r}")

    def to_frame(self) -> Any:
        import pandas as pd

        rows = []
        for s in self.slices:
            row: dict[str, Any] = {"slice": s.name, "examples": s.examples}
            for m in self.metrics:
                row[m] = s.metrics[m]
                if s.intervals:
                    row[f"{m} low"], row[f"{m} high"] = s.intervals[m]
            row["worse"] = ", ".join(s.worse)
            rows.append(row)
        return pd.DataFrame(rows).set_index("slice")

    def text(self) -> str:
        from workbench.data.slices_view import slices_text

        return slices_text(self)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        from workbench.data.slices_view import slices_html

        return slices_html(self)


def lower_is_better(metric: str) -> bool:
    return any(word in metric for word in LOWER_BETTER)


def evaluate(
    model: keras.Model,
    data: Any,
    slices: Sequence[str | Sequence[str]] = (),
    metrics: Sequence[Any] | None = None,
    *,
    bootstrap: int = 100,
    confidence: float = 0.95,
    slice_data: Any = None,
    seed: int = 0,
) -> SliceMetrics:
    """The model's metrics overall and on each slice of ``data``.

    Args:
        model: a Keras model (compiled, unless ``metrics`` are given).
        data: ``(x, y)`` or ``(x, y, sample_weight)`` arrays (``x`` a dict or DataFrame of
            features, or an array), or a ``tf.data.Dataset`` of such tuples (batched or not).
        slices: feature names (a slice per value) and tuples of names (a slice per combination),
            read from ``x``'s features or from ``slice_data``.
        metrics: Keras metrics (names, objects or configs); default: the model's compiled loss
            and metrics.
        bootstrap: Poisson bootstrap resamples for the confidence intervals (0: none).
        confidence: the intervals' level.
        slice_data: a dict or DataFrame of slice features aligned with the examples, for
            features that are not inputs of the model.
        seed: of the resampling.

    Returns:
        The metrics (:class:`SliceMetrics`), overall first.

    Raises:
        ValueError: a slice feature that is in neither ``x`` nor ``slice_data``, no metrics, no
            examples.
    """
    specs = [(s,) if isinstance(s, str) else tuple(s) for s in slices]
    names = sorted({n for spec in specs for n in spec})
    ys: list[np.ndarray] = []
    preds: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    keys: dict[str, list[np.ndarray]] = {n: [] for n in names}
    extra = _columns(slice_data) if slice_data is not None else {}
    start = 0
    for x, y, w in _batches(data):
        pred = model.predict_on_batch(_model_inputs(model, x))
        n = len(y)
        features = flatten(x) if isinstance(x, Mapping) else {}
        for name in names:
            if name in features:
                column = np.asarray(features[name])
            elif name in extra:
                column = extra[name][start : start + n]
            else:
                known = sorted(set(features) | set(extra))
                raise ValueError(
                    f"Expected slice features among the data's features {known}. "
                    f"Received: {name!r} (pass slice_data= for features the model does not take)"
                )
            keys[name].append(_keys(column, n, name))
        ys.append(np.asarray(y))
        preds.append(np.asarray(pred))
        weights.append(
            np.ones(n, np.float32) if w is None else np.asarray(w, np.float32).reshape(n)
        )
        start += n
    if not ys:
        raise ValueError("Expected at least one example. Received: empty data")
    y, pred, weight = np.concatenate(ys), np.concatenate(preds), np.concatenate(weights)
    columns = {n: np.concatenate(v) for n, v in keys.items()}
    templates = [make() for make in _templates(model, metrics, y[:2], pred[:2])]
    groups = [("overall", np.arange(len(y)))]
    for spec in specs:
        groups += _groups(spec, columns)
    rng = np.random.default_rng(seed)
    resamples = [rng.poisson(1.0, len(y)).astype(np.float32) for _ in range(bootstrap)]
    out = []
    for name, index in groups:
        values = _measure(templates, y[index], pred[index], weight[index])
        intervals = {}
        if bootstrap:
            draws = np.array(
                [
                    list(
                        _measure(
                            templates, y[index], pred[index], weight[index] * r[index]
                        ).values()
                    )
                    for r in resamples
                ]
            )
            tail = (1 - confidence) / 2 * 100
            low, high = np.nanpercentile(draws, [tail, 100 - tail], axis=0)
            intervals = {m: (float(a), float(b)) for m, a, b in zip(values, low, high, strict=True)}
        out.append(Slice(name, len(index), values, intervals))
    overall = out[0]
    for s in out[1:]:
        for m, (low, high) in s.intervals.items():
            value = overall.metrics[m]
            if (low > value) if lower_is_better(m) else (high < value):
                s.worse.append(m)
    return SliceMetrics(out, list(overall.metrics), confidence, bootstrap)


def _batches(data: Any) -> Iterator[tuple[Any, Any, Any]]:
    if isinstance(data, tf.data.Dataset):
        from workbench.data.sources import _batched

        if not _batched(data, tf.nest.flatten(data.element_spec)):
            data = data.batch(BATCH)
        for element in data:
            if not isinstance(element, tuple) or len(element) not in (2, 3):
                raise ValueError(
                    "Expected a dataset of (x, y) or (x, y, sample_weight). "
                    f"Received: elements of {type(element).__name__}"
                )
            x, y, w = (*element, None)[:3]
            yield _numpy(x), np.asarray(y), None if w is None else np.asarray(w)
        return
    if not isinstance(data, tuple | list) or len(data) not in (2, 3):
        raise ValueError(
            "Expected (x, y), (x, y, sample_weight) or a tf.data.Dataset of them. "
            f"Received: {type(data).__name__}"
        )
    x, y, w = (*data, None)[:3]
    x = _columns(x) if not isinstance(x, np.ndarray) else x
    y = np.asarray(y)
    for start in range(0, len(y), BATCH):
        part = (
            {k: v[start : start + BATCH] for k, v in x.items()}
            if isinstance(x, dict)
            else x[start : start + BATCH]
        )
        yield (
            part,
            y[start : start + BATCH],
            None if w is None else np.asarray(w)[start : start + BATCH],
        )


def _model_inputs(model: keras.Model, x: Any) -> Any:
    """Of a dict of features, those the model takes: slice features often are not inputs."""
    if not isinstance(x, Mapping):
        return x
    try:
        wanted = model.input
    except (AttributeError, ValueError):  # a subclassed model: it takes what it is given
        return x
    if isinstance(wanted, Mapping) and set(wanted) <= set(x):
        return {k: x[k] for k in wanted}
    return x


def _numpy(x: Any) -> Any:
    return tf.nest.map_structure(lambda t: t.numpy() if hasattr(t, "numpy") else t, x)


def _columns(x: Any) -> dict[str, np.ndarray]:
    try:
        import pandas as pd

        if isinstance(x, pd.DataFrame):
            return {str(c): x[c].to_numpy() for c in x.columns}
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, Mapping):
        return {str(k): _array(v) for k, v in x.items()}
    raise ValueError(
        f"Expected features as a dict, a DataFrame or an array. Received: {type(x).__name__}"
    )


def _array(values: Any) -> np.ndarray:
    """A feature's values, one per example: a ragged tensor's rows as lists (NumPy would make
    it one object)."""
    if isinstance(values, tf.RaggedTensor):
        rows = np.empty(int(values.nrows()), object)
        rows[:] = values.to_list()
        return rows
    return np.asarray(values)


def _keys(column: np.ndarray, n: int, name: str) -> np.ndarray:
    column = column.reshape(n, -1)
    if column.shape[1] != 1:
        raise ValueError(
            f"Expected a single value per example in slice feature {name!r}. "
            f"Received: {column.shape[1]} values per example"
        )
    flat = column[:, 0]
    if flat.dtype == object and any(isinstance(v, list | tuple | np.ndarray) for v in flat):
        raise ValueError(
            f"Expected a single value per example in slice feature {name!r}. "
            "Received: a list of values per example (a ragged feature)"
        )
    if flat.dtype.kind == "S" or flat.dtype == object:
        return np.array(
            [
                v.decode("utf-8", "backslashreplace") if isinstance(v, bytes) else str(v)
                for v in flat
            ],
            dtype=object,
        )
    return flat


_NAN = float("nan")  # every missing value's key: NaNs are unequal, each would be a slice


def _groups(spec: tuple[str, ...], columns: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    table = np.stack([columns[n].astype(object) for n in spec], axis=1)
    combos: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(table):
        key = tuple(_NAN if isinstance(v, float) and v != v else v for v in row)
        combos.setdefault(key, []).append(i)
    out = []
    for combo in sorted(combos, key=lambda c: tuple(_order(v) for v in c)):
        label = ", ".join(f"{n}={_show(v)}" for n, v in zip(spec, combo, strict=True))
        out.append((label, np.array(combos[combo])))
    return out


def _order(v: Any) -> tuple[Any, ...]:
    """Numbers by value (5 before 10), the missing value (one object: ``_groups``) after them;
    text as text. A column holds one or the other (``_keys``): the two never meet."""
    if isinstance(v, int | float):
        return (v != v, v)
    return (str(v),)


def _show(v: Any) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v.item() if isinstance(v, np.generic) else v)


def _templates(
    model: keras.Model, metrics: Sequence[Any] | None, y: np.ndarray, pred: np.ndarray
) -> list[Any]:
    """A function making a fresh metric for each metric: the given ones, or the model's compiled
    loss (as a mean of per-example losses) and metrics."""
    found: list[Any] = []
    if metrics is None:
        config = model.get_compile_config()  # {} for a model never compiled
        if not config:
            raise ValueError(
                "Expected a compiled model or metrics=[...]. "
                "Received: a model that was never compiled, and no metrics"
            )
        # what compile was given (a name, a Loss, a function of the user's own: its config is a
        # dict, as is one of several outputs' losses, which is left out)
        loss = getattr(model, "loss", None) or config.get("loss")
        if loss is not None and not isinstance(loss, dict | list):
            fn = keras.losses.get(loss)
            if isinstance(fn, keras.losses.Loss):  # per example, not reduced to one number
                fn = type(fn).from_config({**fn.get_config(), "reduction": None})
            found.append(lambda fn=fn: _LossMean(fn))
        configured = config.get("metrics") or []
        metrics = [m for m in configured if m is not None]
        if isinstance(configured, dict):
            raise ValueError(
                "Expected one output's metrics. Received: metrics per output; pass metrics=[...]"
            )
    found += [lambda m=m: _metric(m, y, pred) for m in metrics]
    if not found:
        raise ValueError("Expected at least one metric. Received: none compiled and none given")
    return found


def _metric(spec: Any, y: np.ndarray, pred: np.ndarray) -> keras.metrics.Metric:
    if isinstance(spec, keras.metrics.Metric):
        return type(spec).from_config(spec.get_config())
    if isinstance(spec, dict):
        return keras.metrics.deserialize(spec)
    if spec in ("accuracy", "acc"):  # as Keras resolves it: by the labels' and outputs' shapes
        if pred.ndim > 1 and pred.shape[-1] > 1:
            sparse = y.ndim < pred.ndim or y.shape[-1] == 1
            return (
                keras.metrics.SparseCategoricalAccuracy(name=spec)
                if sparse
                else keras.metrics.CategoricalAccuracy(name=spec)
            )
        return keras.metrics.BinaryAccuracy(name=spec)
    return (
        keras.metrics.get(spec)
        if not callable(spec) or isinstance(spec, type)
        else keras.metrics.MeanMetricWrapper(spec, name=getattr(spec, "__name__", "metric"))
    )


class _LossMean:
    """The mean per-example loss, weighted: what ``evaluate`` reports as loss."""

    name = "loss"

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.total = 0.0
        self.weight = 0.0

    def update_state(self, y: np.ndarray, pred: np.ndarray, sample_weight: np.ndarray) -> None:
        if y.ndim == pred.ndim - 1 and pred.shape[-1] == 1:  # labels (n,), outputs (n, 1)
            y = y[..., None]  # as Keras' loss wrapper aligns them
        losses = np.asarray(self.fn(y, pred), np.float64).reshape(len(y), -1).mean(axis=1)
        self.total += float((losses * sample_weight).sum())
        self.weight += float(sample_weight.sum(dtype=np.float64))  # float32 stops at 2**24

    def result(self) -> float:
        return self.total / self.weight if self.weight else float("nan")

    def reset_state(self) -> None:
        self.total = self.weight = 0.0


def _measure(
    metrics: list[Any], y: np.ndarray, pred: np.ndarray, weight: np.ndarray
) -> dict[str, float]:
    out = {}
    for metric in metrics:
        metric.reset_state()
        _updater(metric)(y, pred, weight)
        out[metric.name] = float(metric.result())
    return out


def _updater(metric: Any) -> Any:
    """``metric.update_state`` as one graph call (eager, a Keras metric's update is ~100 small
    ops: AUC's took 17 ms, and the bootstrap makes hundreds of them)."""
    found = getattr(metric, "_workbench_update", None)
    if found is None:
        if isinstance(metric, _LossMean):
            found = metric.update_state
        else:

            @tf.function(reduce_retracing=True, autograph=False)
            def found(y: Any, pred: Any, weight: Any) -> None:
                metric.update_state(y, pred, sample_weight=weight)

        metric._workbench_update = found
    return found
