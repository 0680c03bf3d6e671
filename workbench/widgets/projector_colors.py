"""A projection's colours and its picture: metadata columns as legend indices (with counts), and
the static PNG a saved notebook keeps where the interactive view was.

A column with at most ``MAX_CATEGORIES`` distinct values gets one colour per value (most frequent
first); a numeric column with more is cut into ``BINS`` equal-width ranges; any other column keeps
its ``MAX_CATEGORIES - 1`` most frequent values and puts the rest under "other".
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.widgets.projector_messages import LegendEntry
from workbench.widgets.raster import png_bytes

__all__ = ["MAX_CATEGORIES", "PALETTE", "color_codes", "snapshot_html", "snapshot_png"]

# Tableau 20, reordered so the first ten are the strong colours
PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
]  # fmt: skip
NO_COLUMN = "#4a7fb5"
MAX_CATEGORIES = len(PALETTE)
BINS = 10
SIZE = (560, 400)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)


def color_codes(
    values: Sequence[Any] | None,
) -> tuple[npt.NDArray[np.uint8], list[LegendEntry]]:
    """Legend indices of ``values`` (one per point) and the legend (label, count, colour)."""
    if values is None:
        return np.zeros(0, np.uint8), []
    n = len(values)
    texts = [_text(v) for v in values]
    counts = Counter(texts)
    numeric = all(isinstance(v, (int, float, np.integer, np.floating)) for v in values)
    if len(counts) > MAX_CATEGORIES and numeric:
        array = np.asarray(values, dtype=np.float64)
        finite = np.isfinite(array)
        low, high = (
            (float(array[finite].min()), float(array[finite].max())) if finite.any() else (0.0, 1.0)
        )
        width = (high - low) / BINS or 1.0
        bins = np.clip(((array - low) / width).astype(np.int64), 0, BINS - 1)
        bins[~finite] = BINS
        labels = [f"{low + i * width:.3g} to {low + (i + 1) * width:.3g}" for i in range(BINS)]
        legend: list[LegendEntry] = [
            {"label": labels[i], "count": int((bins == i).sum()), "color": _ramp(i / (BINS - 1))}
            for i in range(BINS)
        ]
        if not finite.all():
            legend.append(
                {"label": "not finite", "count": int((~finite).sum()), "color": "#bbbbbb"}
            )
        return bins.astype(np.uint8), legend
    ordered = [label for label, _ in counts.most_common()]
    if len(ordered) > MAX_CATEGORIES:
        ordered = ordered[: MAX_CATEGORIES - 1]
        index = {label: i for i, label in enumerate(ordered)}
        other = len(ordered)
        codes = np.array([index.get(t, other) for t in texts], np.uint8)
        legend = [
            {"label": label, "count": counts[label], "color": PALETTE[i]}
            for i, label in enumerate(ordered)
        ]
        legend.append(
            {"label": "other", "count": n - sum(counts[x] for x in ordered), "color": "#bbbbbb"}
        )
        return codes, legend
    if numeric:  # numbers in their order, not by count
        ordered = sorted(ordered, key=lambda t: float(t) if _is_float(t) else float("inf"))
    index = {label: i for i, label in enumerate(ordered)}
    codes = np.array([index[t] for t in texts], np.uint8)
    legend = [
        {"label": label, "count": counts[label], "color": PALETTE[i]}
        for i, label in enumerate(ordered)
    ]
    return codes, legend


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _ramp(t: float) -> str:
    """A blue-to-yellow ramp (viridis' ends and middle), ``t`` in [0, 1]."""
    stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
    x = min(max(t, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(x), len(stops) - 2)
    f = x - i
    rgb = [round(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def snapshot_png(
    positions: npt.NDArray[np.float32],
    codes: npt.NDArray[np.uint8],
    legend: Sequence[LegendEntry],
    size: tuple[int, int] = SIZE,
) -> bytes:
    """The points (n x 2 or n x 3, scaled into [-1, 1]) drawn as a PNG; 3-D from a fixed angle."""
    width, height = size
    image = np.full((height, width, 3), 255, np.uint8)
    if positions.shape[1] == 3:
        yaw, pitch = np.radians(35.0), np.radians(20.0)
        x, y, z = positions[:, 0], positions[:, 1], positions[:, 2]
        xr = x * np.cos(yaw) + z * np.sin(yaw)
        zr = -x * np.sin(yaw) + z * np.cos(yaw)
        yr = y * np.cos(pitch) - zr * np.sin(pitch)
        flat: npt.NDArray[Any] = np.stack([xr, yr], axis=1) / 1.5
    else:
        flat = positions[:, :2]
    scale = min(width, height) / 2 * 0.92
    px = np.clip((flat[:, 0] * scale + width / 2).astype(np.int64), 0, width - 2)
    py = np.clip((height / 2 - flat[:, 1] * scale).astype(np.int64), 0, height - 2)
    colors = np.array([_rgb(e["color"]) for e in legend] or [_rgb(NO_COLUMN)], np.uint8)
    rgb = (
        colors[np.minimum(codes, len(colors) - 1)]
        if codes.size
        else colors[np.zeros(len(px), np.int64)]
    )
    dot = 3 if len(px) < 5_000 else 2 if len(px) < 50_000 else 1
    # a fixed shuffle, so no colour is drawn last everywhere
    order = np.random.default_rng(0).permutation(len(px))
    for dy in range(dot):
        for dx in range(dot):
            image[py[order] + dy, px[order] + dx] = rgb[order]
    return png_bytes(image)


def snapshot_html(png: bytes, title: str, legend: Sequence[LegendEntry], column: str) -> str:
    """The picture with its title and legend, as self-contained HTML (a saved notebook's view)."""
    source = "data:image/png;base64," + base64.b64encode(png).decode()
    items = "".join(
        f'<div><span style="display:inline-block;width:10px;height:10px;margin-right:4px;'
        f'background:{e["color"]}"></span>{html.escape(e["label"])} ({e["count"]:,})</div>'
        for e in legend
    )
    heading = f"<div><b>{html.escape(column)}</b></div>" if column else ""
    return (
        '<div class="tf-workbench-projection" style="font:12px sans-serif;color:#333">'
        f"<div>{html.escape(title)}</div>"
        '<div style="display:flex;gap:12px;align-items:flex-start">'
        f'<img src="{source}" alt="{html.escape(title)}" '
        'style="border:1px solid #ddd;background:#fff">'
        f'<div style="max-height:400px;overflow:auto">{heading}{items}</div></div></div>'
    )
