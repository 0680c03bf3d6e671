"""Tensors and variables at a glance: shape, dtype, device, statistics, NaN/Inf counts, a
histogram and a heatmap thumbnail, computed on the device; at most ``SAMPLE`` elements are ever
copied to the host, so a 100M-element tensor displays in a fraction of a second."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.inspect.html import box, heatmap_img, histogram_svg, table

SAMPLE = 65_536  # elements copied to the host for the histogram
THUMBNAIL = 48  # heatmap side, in cells
PREVIEW = 6  # elements per dimension in the text preview


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
    histogram: tuple[np.ndarray, np.ndarray] | None = None
    heatmap: np.ndarray | None = None

    def text(self) -> str:
        head = f"<{self.kind} shape={self.shape} {self.dtype} on {self.device}"
        parts = [f"{k} {_num(v)}" for k, v in self.stats.items()]
        parts += [f"{k} {v}" for k, v in self.extra]
        line = head + (" · " + " · ".join(parts) if parts else "") + ">"
        return line + (f"\n{self.preview}" if self.preview else "")

    def html(self) -> str:
        rows = [("shape", self.shape), ("dtype", self.dtype), ("device", self.device)]
        rows += [(k, _num(v)) for k, v in self.stats.items()] + self.extra
        pictures = ""
        if self.histogram is not None:
            pictures += histogram_svg(*self.histogram)
        if self.heatmap is not None:
            pictures += " " + heatmap_img(self.heatmap)
        preview = (
            f"<pre style='margin:2px 0'>{html_lib.escape(self.preview)}</pre>"
            if self.preview
            else ""
        )
        return box(
            self.kind, table(rows) + (f"<div>{pictures}</div>" if pictures else "") + preview
        )


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
    _numeric(tensor, summary)
    summary.preview = _preview(tensor)
    return summary


def _numeric(tensor: tf.Tensor, summary: TensorSummary) -> None:
    dtype = tensor.dtype
    if summary.size == 0 or not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
        return
    data = tf.cast(tensor, tf.float32) if not dtype.is_floating or dtype == tf.bfloat16 else tensor
    nan = inf = 0
    if dtype.is_floating and not bool(tf.reduce_all(tf.math.is_finite(data))):
        nan = int(tf.math.count_nonzero(tf.math.is_nan(data)))
        inf = int(tf.math.count_nonzero(tf.math.is_inf(data)))
        data = tf.boolean_mask(data, tf.math.is_finite(data))  # statistics of the finite values
    count = int(tf.size(data))
    if count:
        # one pass each, on the device; std from E[x^2] - mean^2 (reduce_std takes 3x longer)
        wide = tf.cast(data, tf.float64) if dtype in (tf.float64, tf.int64) else data
        mean = float(tf.reduce_mean(wide))
        mean_square = float(tf.reduce_mean(tf.square(wide)))
        summary.stats = {
            "min": float(tf.reduce_min(wide)),
            "max": float(tf.reduce_max(wide)),
            "mean": mean,
            "std": max(mean_square - mean * mean, 0.0) ** 0.5,
        }
    if dtype.is_floating:
        summary.stats["nan"] = nan
        summary.stats["inf"] = inf
    flat = tf.reshape(data, [-1])
    n = int(tf.size(flat))
    if n:
        stride = max(1, n // SAMPLE)
        sample = flat[::stride][:SAMPLE].numpy().astype(np.float64)
        summary.histogram = np.histogram(sample, bins=24)
    if tensor.shape.rank is not None and tensor.shape.rank >= 2 and summary.size > 1:
        summary.heatmap = _thumbnail(tensor)


def _thumbnail(tensor: tf.Tensor) -> np.ndarray:
    """The last two dimensions of the first slice (an image, a weight matrix), strided to fit."""
    plane = tensor
    while plane.shape.rank is not None and plane.shape.rank > 2:
        plane = plane[0]
    rows, cols = int(plane.shape[0]), int(plane.shape[1])
    step_r, step_c = max(1, -(-rows // THUMBNAIL)), max(1, -(-cols // THUMBNAIL))
    small = plane[::step_r, ::step_c]
    return np.asarray(tf.cast(small, tf.float64).numpy())


def _preview(tensor: tf.Tensor) -> str:
    if tensor.shape.rank is None:
        return ""
    index = tuple(slice(0, PREVIEW) for _ in range(tensor.shape.rank))
    head = tensor[index].numpy() if tensor.shape.rank else tensor.numpy()
    cut = any(d is not None and d > PREVIEW for d in tensor.shape)
    text = np.array2string(np.asarray(head), threshold=PREVIEW**2, precision=4, edgeitems=3)
    return text + (" ..." if cut else "")


def _ragged(value: tf.RaggedTensor) -> TensorSummary:
    lengths = value.row_lengths().numpy() if value.ragged_rank == 1 else None
    summary = summarize(value.flat_values)
    summary.kind = "tf.RaggedTensor"
    summary.shape = _shape(value.shape)
    summary.extra = [("rows", str(int(value.nrows()))), ("ragged rank", str(value.ragged_rank))]
    if lengths is not None and len(lengths):
        summary.extra.append(
            (
                "row lengths",
                f"min {lengths.min()} · max {lengths.max()} · mean {lengths.mean():.3g}",
            )
        )
    summary.heatmap = None
    summary.preview = str(value[:PREVIEW].to_list())[:400]
    return summary


def _sparse(value: tf.SparseTensor) -> TensorSummary:
    summary = summarize(value.values)
    summary.kind = "tf.SparseTensor"
    shape = [int(d) for d in value.dense_shape.numpy()]
    total = int(np.prod(shape)) if shape else 1
    nnz = int(tf.size(value.values))
    summary.shape = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    summary.extra = [
        ("stored values", str(nnz)),
        ("density", f"{nnz / total:.3g}" if total else "-"),
    ]
    summary.heatmap = None
    summary.preview = ""
    return summary


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
