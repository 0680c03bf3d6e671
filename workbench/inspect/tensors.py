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
IMAGE = (1, 3, 4)  # channel counts (last dimension) that make a tensor an image: HWC or NHWC


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
    if summary.size == 1 and tensor.shape.rank is not None:
        # statistics, a histogram and a preview of one number would only repeat it
        summary.value = np.array2string(tf.reshape(tensor, []).numpy(), precision=6)
        return summary
    _numeric(tensor, summary)
    summary.preview = _preview(tensor)
    return summary


def _numeric(tensor: tf.Tensor, summary: TensorSummary) -> None:
    dtype = tensor.dtype
    if summary.size == 0 or not (dtype.is_floating or dtype.is_integer or dtype.is_bool):
        return
    data = tf.cast(tensor, tf.uint8) if dtype.is_bool else tensor  # no min/max kernels for bool
    nan = inf = 0
    if dtype.is_floating and not bool(tf.reduce_all(tf.math.is_finite(data))):
        nan = int(tf.math.count_nonzero(tf.math.is_nan(data)))
        inf = int(tf.math.count_nonzero(tf.math.is_inf(data)))
        data = tf.boolean_mask(data, tf.math.is_finite(data))  # statistics of the finite values
    if int(tf.size(data)):
        summary.stats = _moments(data)
    if dtype.is_floating:
        summary.stats["nan"] = nan
        summary.stats["inf"] = inf
    flat = tf.reshape(data, [-1])
    n = int(tf.size(flat))
    if n:
        stride = max(1, n // SAMPLE)
        sample = tf.cast(flat[::stride][:SAMPLE], tf.float64).numpy()
        summary.histogram = _histogram(sample)
    if tensor.shape.rank is not None and tensor.shape.rank >= 2 and summary.size > 1:
        summary.heatmap = _thumbnail(tensor)


def _histogram(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low, high = float(sample.min()), float(sample.max())
    if low == high:
        # NumPy widens a constant sample by +-0.5, which is no width at all past 2**53: 1e20
        # everywhere would raise "Too many bins"
        half = max(0.5, abs(low) * 1e-3)
        return np.histogram(sample, bins=24, range=(low - half, high + half))
    return np.histogram(sample, bins=24)


def _moments(data: tf.Tensor) -> dict[str, float]:
    """Min, max, mean and (population) std over every element, reduced on the device.

    Integers go through float64 (float32 holds integers exactly only up to 2**24) and keep their
    exact min and max; float16 and bfloat16 go through float32, as their squares overflow past
    256. The variance takes a second pass over ``(x - mean)**2``: ``E[x**2] - mean**2`` cancels
    to noise when the mean is large next to the spread (mean 1e4, std 1 in float32).
    """
    integer = data.dtype.is_integer
    wide = tf.float64 if integer or data.dtype == tf.float64 else tf.float32
    values = tf.cast(data, wide)
    mean = tf.reduce_mean(values)
    variance = tf.reduce_mean(tf.math.squared_difference(values, mean))  # one temporary, not two
    exact = data if integer else values
    number = int if integer else float
    return {
        "min": number(tf.reduce_min(exact)),
        "max": number(tf.reduce_max(exact)),
        "mean": float(mean),
        "std": float(tf.sqrt(variance)),
    }


def _thumbnail(tensor: tf.Tensor) -> np.ndarray:
    """A 2-D view strided to fit: the first image (H x W, channels averaged) of an image-like
    tensor (last dimension 1, 3 or 4), else the last two dimensions of the first slice (a weight
    matrix). Only the strided cells leave the device."""
    plane = tensor
    image = tensor.shape.rank is not None and tensor.shape.rank >= 3 and tensor.shape[-1] in IMAGE
    while plane.shape.rank is not None and plane.shape.rank > (3 if image else 2):
        plane = plane[0]
    rows, cols = int(plane.shape[0]), int(plane.shape[1])
    step_r, step_c = max(1, -(-rows // THUMBNAIL)), max(1, -(-cols // THUMBNAIL))
    small = tf.cast(plane[::step_r, ::step_c], tf.float64)
    if image:
        small = tf.reduce_mean(small, axis=-1)
    return np.asarray(small.numpy())


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
