"""The pictures of a tensor display, as self-contained HTML (no scripts, no external files) that
reads at a glance in JupyterLab and survives saving the notebook.

A saved notebook opened elsewhere is untrusted, and JupyterLab then sanitizes its HTML: it drops
``<svg>`` (leaving its text as a run-on line), CSS variables and any CSS property outside an
allowlist. So the pictures use only what survives: ``<img>`` with a data URI (the heatmap),
absolutely positioned ``<span>``s (the histogram's bars, ticks and labels), and plain CSS
(positions, sizes, hex colours, ``opacity`` for muted text, which keeps the theme's colour).
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass

import numpy as np

from workbench._png import png_bytes

BINS = 24  # histogram bars of real-valued data
INTEGER_BINS = 48  # integer-valued data with at most this many distinct values: one bar each
FONT = 10  # px, tick labels; captions are 11
LABEL = 64  # px, the box a tick label is centered (or aligned) in
LONG_SIDE = 128  # px: a small heatmap is scaled up (nearest neighbour) to about this
SHORT_SIDE = 12  # px: a 1 x 48 heatmap is still a visible strip
MUTED = "opacity:0.75"  # secondary text in the theme's own colour, light or dark
BAR = "#1f77b4"
MARK = "#ff8f00"  # the orange of the display's left border
NON_FINITE = (214, 39, 40)  # NaN and Inf cells of a heatmap: red, apart from the grey ramp


@dataclass
class Histogram:
    """Bar counts over bin edges, with what they were counted from.

    Attributes:
        counts: values per bin.
        edges: bin edges, one more than ``counts``.
        low: the smallest value counted (marked on the axis).
        high: the largest value counted (marked on the axis).
        caption: what was counted ("all 64 values", "a sample of ...").
        integer: whether each bar is one integer (ticks then fall on integers only).
    """

    counts: np.ndarray
    edges: np.ndarray
    low: float
    high: float
    caption: str
    integer: bool = False


def histogram(values: np.ndarray, caption: str) -> Histogram:
    """Bins for ``values``: one bar per integer when the values are few integers, else ``BINS``
    equal bars over their range, and a constant centered in a range around it.

    Args:
        values: finite float64 values, at least one.
        caption: what the values are, shown above the bars.

    Returns:
        The histogram.
    """
    low, high = float(values.min()), float(values.max())
    integer = False
    if low == high:
        # NumPy widens a constant by +-0.5, which is no width at all past 2**53: 1e20 everywhere
        # would raise "Too many bins"; an odd bin count puts the constant's bar in the middle
        half = max(0.5, abs(low) * 1e-3)
        counts, edges = np.histogram(values, bins=BINS + 1, range=(low - half, high + half))
    elif high - low < INTEGER_BINS and np.all(values == np.round(values)):
        edges = np.arange(low - 0.5, high + 1.0, 1.0)
        counts, edges = np.histogram(values, bins=edges)
        integer = True
    elif math.isfinite(high - low):
        counts, edges = np.histogram(values, bins=BINS)
    else:  # a range past float64's 1.8e308 (-1e308 to 1e308): binned at half scale
        counts, edges = np.histogram(values / 2, bins=BINS)
        edges = edges * 2
    return Histogram(counts, edges, low, high, caption, integer)


def histogram_html(hist: Histogram, width: int = 260, height: int = 64) -> str:
    """Bars over a labelled axis: a few round ticks, and the smallest and largest value counted
    marked in orange with their value. Each bar's tooltip gives its range and count.

    Args:
        hist: what to draw.
        width: of the plot, px.
        height: of the tallest bar, px.

    Returns:
        An inline-block ``<div>``, or "" when nothing was counted.
    """
    counts, edges = hist.counts, hist.edges
    if counts.size == 0 or counts.max() == 0:
        return ""
    pad = 4  # px either side, so that the end marks are not cut
    axis = 18  # px from the top: the caption's line above the bars
    x0, x1 = float(edges[0]), float(edges[-1])

    def x(value: float) -> float:
        return pad + (value - x0) / (x1 - x0) * (width - 2 * pad)

    bar = (width - 2 * pad) / len(counts)
    parts = [
        _box(0, 0, f"font-size:11px;white-space:nowrap;{MUTED}", html.escape(hist.caption)),
        _box(pad, axis + height, f"width:{width - 2 * pad}px;border-top:1px solid #999"),
    ]
    parts += [
        _box(
            pad + i * bar,
            axis + height - h,
            f"width:{max(bar - 1, 1):.1f}px;height:{h:.1f}px;background-color:{BAR}",
            title=f"{_range(edges[i], edges[i + 1])}: {c:,}",
        )
        for i, (c, h) in enumerate(zip(counts, counts / counts.max() * height, strict=True))
        if c
    ]
    ends = [(hist.low, "start"), (hist.high, "end")] if hist.high > hist.low else []
    labels = [(x(v), _fmt(v), anchor, True) for v, anchor in ends or [(hist.low, "middle")]]
    taken = [_extent(px, text, anchor) for px, text, anchor, _ in labels]
    for tick in _ticks(x0, x1):
        if hist.integer and not float(tick).is_integer():
            continue  # no bar stands at 0.5
        px, text = x(tick), _fmt(tick)
        span = _extent(px, text, "middle")
        if all(span[1] + 6 < a or span[0] > b + 6 for a, b in taken):
            labels.append((px, text, "middle", False))
            taken.append(span)
    for px, text, anchor, end in labels:
        color = f"background-color:{MARK}" if end else "background-color:#999"
        parts.append(
            _box(
                px - (1 if end else 0.5),
                axis + height,
                f"width:{2 if end else 1}px;height:5px;{color}",
            )
        )
        left = {"start": px, "middle": px - LABEL / 2, "end": px - LABEL}[anchor]
        align = {"start": "left", "middle": "center", "end": "right"}[anchor]
        look = f"color:{MARK}" if end else MUTED
        parts.append(
            _box(
                left,
                axis + height + 6,
                f"width:{LABEL}px;text-align:{align};font-size:{FONT}px;line-height:12px;{look}",
                html.escape(text),
            )
        )
    return (
        f"<div class='workbench-histogram' title='histogram of {html.escape(hist.caption)}' "
        f"style='position:relative;display:inline-block;vertical-align:bottom;"
        f"width:{width}px;height:{axis + height + 20}px;margin-right:24px'>{''.join(parts)}</div>"
    )


def _box(left: float, top: float, style: str, text: str = "", title: str = "") -> str:
    tip = f" title='{html.escape(title)}'" if title else ""
    return (
        f"<span{tip} style='position:absolute;left:{left:.1f}px;top:{top:.1f}px;{style}'>"
        f"{text}</span>"
    )


def heatmap_img(values: np.ndarray, caption: str) -> str:
    """A 2-D array as an inline PNG: a grey ramp from black (minimum) to white (maximum), mid
    grey for a constant, red for NaN and Inf; scaled up by whole pixels (nearest neighbour, in
    the PNG itself, so any viewer shows sharp cells) to about ``LONG_SIDE`` px.

    Args:
        values: the cells, float64.
        caption: which slice of the tensor they are, shown under the picture.

    Returns:
        An inline ``<figure>`` with the picture and its caption.
    """
    finite = np.isfinite(values)
    lo = float(values[finite].min()) if finite.any() else 0.0
    hi = float(values[finite].max()) if finite.any() else 0.0
    if hi > lo:
        # in halves: hi - lo passes float64's 1.8e308 for -1e308 .. 1e308
        ramp = (values / 2 - lo / 2) / (hi / 2 - lo / 2) * 255
        gray = np.where(finite, ramp, 0).round().astype(np.uint8)
        scale = f"black {_fmt(lo)} · white {_fmt(hi)}"
    else:
        gray = np.full(values.shape, 128, np.uint8)  # constant: no extreme to show
        scale = f"constant {_fmt(lo)}" if finite.any() else "no finite value"
    rgb = np.repeat(gray[..., np.newaxis], 3, axis=-1)
    rgb[~finite] = NON_FINITE
    if not finite.all():
        scale += " · red NaN/Inf"
    rows, cols = gray.shape
    factor = max(1, math.ceil(LONG_SIDE / max(rows, cols)))
    across, down = factor, max(factor, math.ceil(SHORT_SIDE / rows))
    rgb = np.repeat(np.repeat(rgb, down, axis=0), across, axis=1)
    png = base64.b64encode(png_bytes(rgb, level=6)).decode()
    return (
        "<figure class='workbench-heatmap' "
        "style='margin:0;display:inline-block;vertical-align:bottom'>"
        f"<img alt='heatmap: {html.escape(caption)}' width='{cols * across}' "
        f"height='{rows * down}' style='image-rendering:pixelated;display:block' "
        f"src='data:image/png;base64,{png}'/>"
        f"<figcaption style='font-size:11px;line-height:14px;{MUTED}'>"
        f"{html.escape(caption)}<br/>{html.escape(scale)}</figcaption></figure>"
    )


def _ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten) inside ``[low, high]``."""
    raw = (high - low) / most
    if not raw > 0 or not math.isfinite(raw):
        return []
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step)
    return [i * step for i in range(first, math.floor(high / step) + 1)]


def _extent(px: float, text: str, anchor: str) -> tuple[float, float]:
    width = len(text) * FONT * 0.6  # monospace-ish estimate, enough to keep labels apart
    start = {"start": px, "middle": px - width / 2, "end": px - width}[anchor]
    return start, start + width


def _fmt(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def _range(a: float, b: float) -> str:
    if b - a == 1 and (a + 0.5).is_integer():  # one integer's bar
        return _fmt(a + 0.5)
    return f"{_fmt(a)} to {_fmt(b)}"
