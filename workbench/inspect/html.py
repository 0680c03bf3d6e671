"""Small self-contained HTML pieces shared by the displays (no scripts, no external files)."""

from __future__ import annotations

import base64
import html
import struct
import zlib

import numpy as np

STYLE = (
    "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
    "border-left:3px solid #ff8f00;padding:2px 8px"
)


def box(title: str, body: str) -> str:
    return f"<div class='workbench-inspect' style='{STYLE}'><b>{html.escape(title)}</b>{body}</div>"


def table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='padding-right:12px;color:#666'>{html.escape(k)}</td>"
        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table style='margin:2px 0'>{cells}</table>"


def histogram_svg(counts: np.ndarray, edges: np.ndarray, width: int = 160, height: int = 40) -> str:
    if counts.size == 0 or counts.max() == 0:
        return ""
    bar = width / len(counts)
    rects = "".join(
        f"<rect x='{i * bar:.1f}' y='{height - h:.1f}' width='{max(bar - 1, 1):.1f}' "
        f"height='{h:.1f}' fill='#1f77b4'/>"
        for i, h in enumerate(counts / counts.max() * height)
    )
    label = f"{edges[0]:.3g} .. {edges[-1]:.3g}"
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height + 12}'>"
        f"<title>histogram of a sample</title>{rects}"
        f"<text x='0' y='{height + 11}' font-size='9' fill='#666'>{html.escape(label)}</text></svg>"
    )


def heatmap_img(values: np.ndarray, scale: int = 4) -> str:
    """A 2-D array as an inline grayscale PNG, black = minimum, white = maximum."""
    finite = np.isfinite(values)
    lo = float(values[finite].min()) if finite.any() else 0.0
    hi = float(values[finite].max()) if finite.any() else 1.0
    span = hi - lo if hi > lo else 1.0
    pixels = np.where(finite, (values - lo) / span * 255, 0).astype(np.uint8)
    png = _png(pixels)
    h, w = pixels.shape
    return (
        f"<img alt='heatmap' title='{lo:.3g} (black) .. {hi:.3g} (white)' "
        f"style='image-rendering:pixelated;width:{w * scale}px;height:{h * scale}px' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode()}'/>"
    )


def _png(gray: np.ndarray) -> bytes:
    """A minimal 8-bit grayscale PNG: no imaging library is a dependency of the workbench."""
    h, w = gray.shape
    raw = b"".join(b"\x00" + gray[row].tobytes() for row in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
