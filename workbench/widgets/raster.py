"""The timeline's overview as a picture for saved notebooks: a PNG of the whole capture (one band
per thread, events in their colors, steps marked) with HTML lane labels and a time axis beside it.

A notebook reopened without a kernel, nbconvert and GitHub show it where the interactive view was
(a live view's output is replaced by its static form). The PNG is encoded here with zlib (no
imaging library): flat colors compress to a few tens of kilobytes.
"""

from __future__ import annotations

import base64
import html

import numpy as np

from workbench._png import png_bytes
from workbench.profiler.lod import LodIndex
from workbench.profiler.trace import Trace
from workbench.widgets.op_colors import PALETTE, color_index

__all__ = ["overview_html", "png_bytes"]

WIDTH = 960
ROW_PX = 5  # height of one nesting level
MAX_ROWS_PER_LANE = 6
MAX_LANES = 24
LANE_GAP = 3
LABEL_PX = 220
BACKGROUND = (250, 250, 250)
STEP_LINE = (190, 190, 190)
STEP_TICK = (60, 60, 60)
STRIP = 4  # the strip above the lanes where steps are ticked


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _layout(trace: Trace) -> tuple[list[int], dict[int, int], int]:
    """The lanes drawn (the first MAX_LANES), each global row's y, and the image's height."""
    lanes = list(range(min(len(trace.lanes), MAX_LANES)))
    row_y: dict[int, int] = {}
    y = STRIP + 1
    for index in lanes:
        lane = trace.lanes[index]
        for depth in range(min(lane.rows, MAX_ROWS_PER_LANE)):
            row_y[lane.first_row + depth] = y + depth * ROW_PX
        y += min(lane.rows, MAX_ROWS_PER_LANE) * ROW_PX + LANE_GAP
    return lanes, row_y, max(y, 1)


def overview_image(index: LodIndex, width: int = WIDTH) -> tuple[bytes, list[int], int]:
    """The whole capture as PNG bytes; also the lanes drawn and the image's height."""
    trace = index.trace
    lanes, row_y, height = _layout(trace)
    image = np.empty((height, width, 3), np.uint8)
    image[:] = BACKGROUND
    if len(trace):
        frame = index.frame(0.0, index.span, width)
        palette = np.array([_rgb(c) for c in PALETTE], np.uint8)
        colors = np.array([color_index(n) for n in trace.names], np.int64)
        pixel = frame.pixel_us
        x0 = np.clip(np.floor(frame.start / pixel), 0, width - 1).astype(np.int64)
        x1 = np.clip(np.ceil((frame.start + frame.dur) / pixel), 1, width).astype(np.int64)
        x1 = np.maximum(x1, x0 + 1)
        for row, y in row_y.items():
            mine = np.flatnonzero(frame.row == row)
            if not len(mine):
                continue
            spans = x1[mine] - x0[mine]
            xs = np.repeat(x0[mine] - np.concatenate(([0], np.cumsum(spans)[:-1])), spans)
            xs = xs + np.arange(int(spans.sum()))
            painted = palette[np.repeat(colors[frame.name[mine]], spans)]
            image[y : y + ROW_PX - 1, xs] = painted[None, :, :]
        starts = [int(np.clip(step.start / pixel, 0, width - 1)) for step in trace.steps]
        lines = len(starts) > 1 and min(np.diff(starts)) >= 12  # lines only where they fit
        for x in starts:
            if lines:
                image[STRIP:, x] = STEP_LINE
            image[:STRIP, x] = STEP_TICK
    return png_bytes(image), lanes, height


def overview_html(index: LodIndex, *, width: int = WIDTH, title: str = "") -> str:
    """The overview picture with its lane labels and time axis, as self-contained HTML."""
    trace = index.trace
    picture, lanes, height = overview_image(index, width)
    src = "data:image/png;base64," + base64.b64encode(picture).decode()
    labels = []
    for lane_index in lanes:
        lane = trace.lanes[lane_index]
        rows = min(lane.rows, MAX_ROWS_PER_LANE)
        labels.append(
            f"<div title='{html.escape(lane.label)}' style='height:{rows * ROW_PX}px;"
            f"margin-bottom:{LANE_GAP}px;line-height:{max(rows * ROW_PX, 10)}px;"
            "overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-size:10px'>"
            f"{html.escape(_short(lane.thread))}</div>"
        )
    hidden = len(trace.lanes) - len(lanes)
    more = f" · {hidden} quieter threads not drawn" if hidden > 0 else ""
    ticks = "".join(
        f"<span style='position:absolute;left:{x / width:.2%};white-space:nowrap'>"
        f"{html.escape(text)}</span>"
        for x, text in _ticks(index.span, width)
    )
    heading = (
        f"<div style='font-weight:bold;margin:4px 0'>{html.escape(title)}</div>" if title else ""
    )
    # the picture stretches to the output's width (its columns are time); its rows do not
    return (
        "<div class='workbench-timeline-static' style='font-family:sans-serif;font-size:11px'>"
        f"{heading}<div style='display:flex'>"
        f"<div style='width:{LABEL_PX}px;flex:none;color:#444;padding-top:{STRIP + 1}px'>"
        + "".join(labels)
        + "</div><div style='flex:1;min-width:0'>"
        f"<img alt='timeline overview' src='{src}' style='display:block;width:100%;"
        f"height:{height}px;image-rendering:pixelated;border:1px solid #ddd'/>"
        f"<div style='position:relative;height:14px;color:#555'>{ticks}</div></div></div>"
        f"<div style='color:#777'>{len(trace):,} events on {len(trace.lanes)} threads, "
        f"{len(trace.steps)} steps marked{more}; the interactive timeline needs the kernel that "
        "made it (display the profile again).</div></div>"
    )


def _short(thread: str) -> str:
    # TensorFlow's pool threads are named "tf_Compute/4309473845213577614": the id says nothing
    head, _, tail = thread.rpartition("/")
    return head if head and tail.lstrip("-").isdigit() else thread


def _ticks(span_us: float, width: int) -> list[tuple[int, str]]:
    from workbench.profiler.diagnosis import format_ms

    raw = span_us / 6
    magnitude = 10 ** np.floor(np.log10(max(raw, 1e-9)))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = []
    value = 0.0
    while value <= span_us:
        ticks.append((int(value / span_us * width), format_ms(value / 1e3) if value else "0"))
        value += step
    return ticks
