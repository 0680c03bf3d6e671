"""A profile's report as HTML and text: the verdict with its fixes, what was captured, the top
TensorFlow ops and the peak memory. Plain HTML (no scripts): it is what a saved notebook shows
first, with or without a kernel."""

from __future__ import annotations

import html
import re

from workbench.profiler.capture import CaptureData
from workbench.profiler.diagnosis import Verdict, format_ms

__all__ = ["report_html", "report_text"]

_KIND_COLORS = {
    "input-bound": "#f28e2b",
    "partly input-bound": "#f28e2b",
    "compilation-bound": "#e15759",
    "overhead-bound": "#9c755f",
    "compute-bound": "#4e79a7",
    "no steps": "#999999",
}


_NAME = "max-width:380px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap"
_NUMBER = "white-space:nowrap"


def _code(text: str) -> str:
    """Escaped text with `backticks` as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _captured(data: CaptureData) -> str:
    meta = data.info.meta
    parts = [data.name]
    if data.info.steps:
        parts.append(f"steps {data.info.steps}")
    if isinstance(meta.get("seconds"), int | float):
        parts.append(f"{meta['seconds']:.2g} s captured")
    trace = data.trace
    parts.append(f"{len(trace):,} events on {len(trace.lanes)} threads")
    if data.seconds:
        parts.append(f"converted in {sum(data.seconds.values()):.2g} s")
    return " · ".join(parts)


def verdict_html(verdict: Verdict) -> str:
    color = _KIND_COLORS.get(verdict.kind, "#999")
    fixes = "".join(f"<li>{_code(fix)}</li>" for fix in verdict.fixes)
    details = " ".join(
        _code(d[:1].upper() + d[1:] + ("" if d.endswith(".") else ".")) for d in verdict.details
    )
    return (
        f"<div class='workbench-profile-verdict' data-kind='{html.escape(verdict.kind)}' "
        f"style='border-left:4px solid {color};padding:4px 10px;margin:4px 0'>"
        f"<div style='font-size:14px;font-weight:bold'>{_code(verdict.headline)}</div>"
        f"<div>{details}</div>"
        + (
            f"<div style='margin-top:4px'>Try:</div><ul style='margin:2px 0'>{fixes}</ul>"
            if fixes
            else ""
        )
        + "</div>"
    )


def report_html(data: CaptureData) -> str:
    """The verdict, what was captured, the top ops and the peak memory."""
    ops = data.ops
    rows = "".join(
        "<tr>"
        f"<td style='text-align:left;{_NAME}' title='{html.escape(op.operation)}'>"
        f"{html.escape(op.short)}</td>"
        f"<td style='text-align:left;{_NAME}'>{html.escape(op.type)}</td>"
        f"<td style='{_NUMBER}'>{op.count:,}</td>"
        f"<td style='{_NUMBER}'>{format_ms(op.self_us / 1e3)}</td>"
        f"<td style='text-align:left;{_NUMBER}'><span style='display:inline-block;"
        f"width:{op.share * 80:.1f}px;height:9px;background:#4e79a7'></span> {op.share:.0%}</td>"
        "</tr>"
        for op in ops[:10]
    )
    table = (
        "<table class='workbench-profile-ops' style='margin-top:6px'>"
        "<tr><th style='text-align:left'>op</th><th style='text-align:left'>type</th>"
        "<th>count</th><th>self time</th><th style='text-align:left'>share</th></tr>"
        f"{rows}</table>"
        if ops
        else "<p>No TensorFlow ops in this capture.</p>"
    )
    memory = data.memory
    peak = (
        "Peak memory: "
        + ", ".join(f"{html.escape(name)} {_bytes(b)}" for name, b in memory.items())
        if memory
        else "Peak memory: not recorded (TensorFlow records it on GPUs and TPUs, not on a CPU)."
    )
    return (
        "<div class='workbench-profile-report' style='font-family:sans-serif;font-size:12px'>"
        f"<div style='color:#666'>{html.escape(_captured(data))}</div>"
        f"{verdict_html(data.verdict)}{table}<div style='color:#666;margin-top:4px'>{peak}</div>"
        "</div>"
    )


def report_text(data: CaptureData) -> str:
    """The report as text (``text/plain``)."""
    ops = ", ".join(f"{op.short} {op.share:.0%}" for op in data.ops[:5])
    return f"<profile {_captured(data)}>\n{data.verdict.text()}\nTop ops: {ops or 'none'}"


def _bytes(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.3g} {unit}"
        value /= 1024
    return f"{value:.3g} GB"
