"""Tensors and variables at a glance: shape, dtype, device, statistics, NaN/Inf counts, a
histogram and a heatmap thumbnail, computed on the device; at most a bounded sample is ever
copied to the host, so a 100M-element tensor displays in a fraction of a second, with or
without NaNs. String tensors show their (cut) values and their lengths."""

from __future__ import annotations

import html as html_lib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.inspect import stats
from workbench.inspect.charts import Histogram, heatmap_img, histogram, histogram_html
from workbench.inspect.html import box, table

THUMBNAIL = 48  # heatmap side, in cells
PREVIEW = 6  # elements per dimension in the text preview
IMAGE = (1, 3, 4)  # channel counts (last dimension) that make a tensor an image: HWC or NHWC
VALUE_BYTES = 120  # bytes of a one-element string tensor copied to the host and shown
ITEM_BYTES = 24  # bytes of each string in a preview
PREVIEW_CHARS = 400  # characters of a ragged tensor's preview


@dataclass
class TensorSummary:
    kind: str
    shape: str
    dtype: str
    device: str
    size: int
    stats: dict[str, float] = field(default_factory=dict)
    extra: list[tuple[str, str]] = field(default_factory=list)
    preview: str = ""
    histogram: Histogram | None = None
    heatmap: np.ndarray | None = None
    heatmap_caption: str = ""  # which slice the heatmap shows
    value: str = ""  # a one-element tensor (a loss, a step count): its value, shown on one line

    def text(self) -> str:
        head = f"<{self.kind} shape={self.shape} {self.dtype} on {self.device}"
        if self.value:
            return f"{head} = {self.value}{self._extra_inline()}>"
        parts = [f"{k} {_num(v)}" for k, v in self.stats.items()]
        parts += [f"{k} {v}" for k, v in self.extra]
        line = head + (" · " + " · ".join(parts) if parts else "") + ">"
        return line + (f"\n{self.preview}" if self.preview else "")

    def _extra_inline(self) -> str:
        return "".join(f" · {k} {v}" for k, v in self.extra)

    def html(self) -> str:
        if self.value:
            line = f" {self.shape} {self.dtype} on {self.device}{self._extra_inline()} = "
            return box(
                self.kind,
                f"{html_lib.escape(line)}<b>{html_lib.escape(self.value)}</b>",
            )
        rows = [("shape", self.shape), ("dtype", self.dtype), ("device", self.device)]
        rows += [(k, _num(v)) for k, v in self.stats.items()] + self.extra
        # the pictures beside the table, not under it: a display stays about as tall as its
        # table. Inline blocks, not flex: JupyterLab's sanitizer keeps no flex alignment or gap
        beside = "display:inline-table;vertical-align:bottom;margin:2px 24px 2px 0"
        parts = [table(rows, beside)]
        if self.histogram is not None:
            parts.append(histogram_html(self.histogram))
        if self.heatmap is not None:
            parts.append(heatmap_img(self.heatmap, self.heatmap_caption))
        row = f"<div>{''.join(parts)}</div>"
        preview = (
            f"<pre style='margin:4px 0 2px'>{html_lib.escape(self.preview)}</pre>"
            if self.preview
            else ""
        )
        return box(self.kind, row + preview)


def summarize(value: Any) -> TensorSummary:
    if isinstance(value, tf.RaggedTensor):
        return _ragged(value)
    if isinstance(value, tf.SparseTensor):
        return _sparse(value)
    kind = (
        "tf.Variable" if isinstance(value, tf.Variable) or hasattr(value, "assign") else "tf.Tensor"
    )
    tensor = tf.convert_to_tensor(value)
    summary = TensorSummary(
        kind=kind,
        shape=_shape(tensor.shape),
        dtype=tensor.dtype.name,
        device=_device(tensor),
        size=int(tf.size(tensor)),
    )
    if isinstance(value, tf.Variable):
        summary.extra.append(("trainable", str(value.trainable)))
        summary.extra.append(("name", value.name))
    elif hasattr(value, "path") and hasattr(value, "trainable"):  # a Keras variable
        summary.extra.append(("trainable", str(value.trainable)))
        summary.extra.append(("path", str(value.path)))
    if summary.size == 1 and tensor.shape.rank is not None:
        # statistics, a histogram and a preview of one value would only repeat it
        summary.value = _value(tf.reshape(tensor, []))
        return summary
    if tensor.dtype == tf.string:
        _lengths(tensor, summary)
    else:
        _numeric(tensor, summary)
    summary.preview = _preview(tensor)
    return summary


def _value(scalar: tf.Tensor) -> str:
    if scalar.dtype != tf.string:
        return np.array2string(scalar.numpy(), precision=6)
    length = int(tf.strings.length(scalar))
    return _string(tf.strings.substr(scalar, 0, VALUE_BYTES).numpy(), length, count=True)


def _string(raw: bytes, length: int, count: bool = False) -> str:
    """A string value as Python writes it: text when it is UTF-8, else a bytes literal. A cut
    value ends in an ellipsis (and, with ``count``, its length in bytes)."""
    cut = length > len(raw)
    text = repr(raw)
    # a cut can split a multi-byte character: up to 3 bytes of it may end the head
    for drop in range(4 if cut else 1):
        try:
            text = repr(raw[: len(raw) - drop].decode("utf-8"))
            break
        except UnicodeDecodeError:
            continue
    if not cut:
        return text
    return text + "…" + (f" ({length:,} bytes)" if count else "")


def _lengths(tensor: tf.Tensor, summary: TensorSummary, empty: int = 0) -> None:
    """String lengths, reduced on the device: a batch of serialized records is not copied.
    ``empty`` more strings are empty (a sparse tensor's implicit ones)."""
    if not summary.size:
        return
    lengths = tf.strings.length(tf.reshape(tensor, [-1]))
    if empty:
        lengths = tf.concat([lengths, [0]], 0)  # the least and the greatest, with the empties
    low, high = int(tf.reduce_min(lengths)), int(tf.reduce_max(lengths))
    mean = float(tf.reduce_sum(tf.cast(lengths, tf.float64))) / (int(tf.size(tensor)) + empty)
    summary.extra.append(("bytes per string", f"min {low} · max {high} · mean {_num(mean)}"))


def _numeric(tensor: tf.Tensor, summary: TensorSummary) -> None:
    dtype = tensor.dtype
    if summary.size == 0 or not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
        return
    flat = tf.reshape(tensor, [-1])
    found, drawn = stats.describe(flat)
    summary.stats = dict(found.stats)
    if dtype.is_floating:
        summary.stats["nan"] = found.nan
        summary.stats["inf"] = found.inf
    if found.finite:
        which = "finite values" if found.finite < summary.size else "values"
        caption = (
            f"all {found.finite:,} {which}"
            if drawn.complete
            else f"a sample: {len(drawn.values):,} of {found.finite:,} {which}"
        )
        summary.histogram = histogram(drawn.values, caption)
    if tensor.shape.rank is not None and tensor.shape.rank >= 2:
        summary.heatmap, summary.heatmap_caption = _thumbnail(tensor)


def _is_image(tensor: tf.Tensor) -> bool:
    rank = tensor.shape.rank
    return rank is not None and rank >= 3 and tensor.shape[-1] in IMAGE


def _thumbnail(tensor: tf.Tensor) -> tuple[np.ndarray, str]:
    """A 2-D view strided to fit, and which slice it is: the first image (H x W, channels
    averaged) of an image-like tensor (last dimension 1, 3 or 4), else the last two dimensions
    of the first slice (a weight matrix). Only the strided cells leave the device."""
    image = _is_image(tensor)
    plane = tensor
    index: list[str] = []  # the leading indices taken
    while plane.shape.rank is not None and plane.shape.rank > (3 if image else 2):
        plane, index = plane[0], [*index, "0"]
    rows, cols = int(plane.shape[0]), int(plane.shape[1])
    step_r, step_c = max(1, -(-rows // THUMBNAIL)), max(1, -(-cols // THUMBNAIL))
    small = tf.cast(plane[::step_r, ::step_c], tf.float64)
    channels = int(plane.shape[-1]) if image else 1
    if image:
        small = tf.reduce_mean(small, axis=-1)
    cells = np.asarray(small.numpy())
    caption = f"[{', '.join(index)}] " if index else ""
    caption += f"{rows}x{cols}" + (f", {channels} channels averaged" if channels > 1 else "")
    if cells.shape != (rows, cols):
        caption += f", strided [::{step_r}, ::{step_c}]"
    return cells, caption


def _preview(tensor: tf.Tensor) -> str:
    """The first values, a few lines at most: of a matrix its top-left corner, of a tensor of
    rank 3 or more the corner of its first matrix (of an image batch, the first image's first
    channel), labelled with the index it shows."""
    rank = tensor.shape.rank
    if not rank:
        return ""
    image = _is_image(tensor)
    lead = max(0, rank - 2 - (1 if image else 0))
    corner = [slice(0, PREVIEW)] * min(rank, 2)
    index = tuple([0] * lead + corner + ([0] if image else []))
    head = tensor[index]
    cut = any(d > PREVIEW for d in tensor.shape[lead : lead + len(corner)])
    cut = cut or any(d > 1 for d in tensor.shape[:lead]) or (image and tensor.shape[-1] > 1)
    label = ""
    if lead or image:
        parts = [str(i) if isinstance(i, int) else f":{PREVIEW}" for i in index]
        label = f"[{', '.join(parts)}] = "
    options: dict[str, Any] = {"threshold": PREVIEW**2, "edgeitems": 3, "prefix": label}
    if head.dtype == tf.string:
        lengths = tf.strings.length(head).numpy()
        raws = tf.strings.substr(head, 0, ITEM_BYTES).numpy()
        values = np.empty(raws.shape, dtype=object)
        for where in np.ndindex(raws.shape):
            values[where] = _string(raws[where], int(lengths[where]))
        text = np.array2string(values, formatter={"all": str}, **options)
    else:
        text = np.array2string(np.asarray(head.numpy()), precision=4, **options)
    return label + text + (" ..." if cut else "")


def _ragged(value: tf.RaggedTensor) -> TensorSummary:
    lengths = value.row_lengths().numpy() if value.ragged_rank == 1 else None
    summary = summarize(value.flat_values)
    summary.kind = "tf.RaggedTensor"
    summary.shape = _shape(value.shape)
    rows = int(value.nrows())
    extra = [("rows", str(rows)), ("ragged rank", str(value.ragged_rank))]
    if lengths is not None and len(lengths):
        extra.append(
            (
                "row lengths",
                f"min {lengths.min()} · max {lengths.max()} · mean {lengths.mean():.3g}",
            )
        )
    summary.extra = extra + summary.extra  # the flat values' own (a string tensor's lengths)
    summary.heatmap = None
    summary.preview = _ragged_preview(value, rows)
    return summary


class _Shown(str):
    """A string shown as it is inside a list's text (a value :func:`_string` wrote)."""

    def __repr__(self) -> str:
        return str(self)


def _ragged_preview(value: tf.RaggedTensor, rows: int) -> str:
    """The first rows, each cut to its first elements in every dimension (a row may hold
    millions of values: only the corner leaves the device), strings cut as dense previews are."""
    head = value[(slice(0, PREVIEW),) * (value.shape.rank or 1)]
    cut = rows > PREVIEW or int(tf.size(head.flat_values)) < int(tf.size(value.flat_values))
    if head.dtype == tf.string:
        lengths = tf.ragged.map_flat_values(tf.strings.length, head).to_list()
        raws = tf.ragged.map_flat_values(tf.strings.substr, head, 0, ITEM_BYTES).to_list()

        def shown(raw: Any, length: Any) -> Any:
            if isinstance(raw, bytes):
                return _Shown(_string(raw, length))
            return [shown(r, n) for r, n in zip(raw, length, strict=True)]

        listed = shown(raws, lengths)
    else:
        listed = head.to_list()
    text = str(listed)
    return text[:PREVIEW_CHARS] + (" ..." if cut or len(text) > PREVIEW_CHARS else "")


def _sparse(value: tf.SparseTensor) -> TensorSummary:
    """The tensor the user has, not only its stored values: the implicit zeros (empty strings)
    count in every statistic and in the histogram, from their number alone (no dense copy)."""
    shape = [int(d) for d in value.dense_shape.numpy()]
    total = int(np.prod(shape)) if shape else 1
    nnz = int(tf.size(value.values))
    zeros = max(total - nnz, 0)  # duplicate indices could store more values than there are
    stored = value.values
    text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if zeros and total > 1:
        summary = TensorSummary("tf.SparseTensor", text, stored.dtype.name, _device(stored), total)
        if stored.dtype == tf.string:
            _lengths(stored, summary, zeros)
        else:
            _numeric_sparse(stored, summary, zeros)
    else:  # every element stored, or the one element not: its value is zero
        summary = summarize(tf.zeros([], stored.dtype) if zeros else stored)
        summary.kind, summary.shape = "tf.SparseTensor", text
    summary.extra = [
        ("stored values", str(nnz)),
        ("density", f"{nnz / total:.3g}" if total else "-"),
        *summary.extra,  # a string tensor's lengths
    ]
    summary.heatmap = None
    summary.preview = ""
    return summary


def _numeric_sparse(stored: tf.Tensor, summary: TensorSummary, zeros: int) -> None:
    dtype = stored.dtype
    if not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
        return
    found, drawn = stats.describe(stored)  # of no stored values: no finite value, no sample
    found = _with_zeros(found, zeros)
    summary.stats = dict(found.stats)
    if dtype.is_floating:
        summary.stats["nan"] = found.nan
        summary.stats["inf"] = found.inf
    # the zeros in the histogram as a share of the stored finite values it counts: all of them,
    # or a sample (when they are all NaN or Inf, the zeros are every finite value)
    finite = found.finite - zeros
    complete = drawn.complete or not finite
    added = zeros if complete else round(zeros * len(drawn.values) / finite)
    which = "finite values" if found.finite < summary.size else "values"
    caption = (
        f"all {found.finite:,} {which}"
        if complete
        else f"a sample: {len(drawn.values) + added:,} of {found.finite:,} {which}"
    )
    hist = histogram(np.append(drawn.values, 0.0), caption)  # its range holds 0 in any case
    hist.counts = hist.counts + np.histogram([0.0], bins=hist.edges)[0] * (added - 1)
    summary.histogram = hist


def _with_zeros(found: stats.Moments, zeros: int) -> stats.Moments:
    """The moments of the finite values found and ``zeros`` more zeros."""
    count = found.finite + zeros
    if not found.finite:
        return stats.Moments(count, found.nan, found.inf, {"min": 0, "max": 0, "mean": 0, "std": 0})
    low, high = found.stats["min"], found.stats["max"]
    mean = found.stats["mean"] * found.finite / count
    # squared deviations from the new mean: the stored values' about theirs, moved, and zeros'
    squares = found.finite * (found.stats["std"] ** 2 + (found.stats["mean"] - mean) ** 2)
    squares += zeros * mean**2
    moments = {"min": min(low, 0), "max": max(high, 0), "mean": mean}
    moments["std"] = math.sqrt(squares / count)
    return stats.Moments(count, found.nan, found.inf, moments)


def _shape(shape: tf.TensorShape) -> str:
    if shape.rank is None:
        return "unknown"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _device(tensor: Any) -> str:
    name = getattr(tensor, "device", "") or ""
    return name.split("device:")[-1] if "device:" in name else (name or "?")


def _num(value: float) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:.4g}"
