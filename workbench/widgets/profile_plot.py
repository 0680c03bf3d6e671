"""Step-time charts of profiles: the per-step breakdown of one capture and two captures side by
side, as plotly's mimetype output with an SVG of the same bars for front ends without plotly
(nbconvert, GitHub). Not ``FigureWidget``: the figure's data is what the notebook saves."""

from __future__ import annotations

import html
from typing import Any

from workbench.profiler.breakdown import CATEGORIES, Breakdown
from workbench.profiler.compare import Comparison
from workbench.profiler.diagnosis import format_ms

__all__ = ["COLORS", "breakdown_bundle", "compare_bundle"]

COLORS = {
    "input": "#f28e2b",
    "host compute": "#4e79a7",
    "device compute": "#59a14f",
    "transfer": "#b07aa1",
    "compilation": "#e15759",
    "other": "#bab0ac",
}
MAX_BARS = 200  # steps drawn; a longer capture shows its first ones and says so


def _plotly(figure: Any) -> dict[str, Any]:
    from workbench.widgets.runs_plot import plotly_bundle

    return plotly_bundle(figure)


def _used(breakdown: Breakdown) -> list[str]:
    totals = breakdown.totals()
    return [c for c in CATEGORIES if totals[c] > 0] or ["other"]


def breakdown_bundle(breakdown: Breakdown, title: str) -> dict[str, Any]:
    """Per-step stacked bars (ms by category): plotly, SVG in ``text/html``, and text."""
    import plotly.graph_objects as go

    steps = breakdown.steps[:MAX_BARS]
    labels = [s.label for s in steps]
    figure = go.Figure()
    for category in _used(breakdown):
        values = [s.parts.get(category, 0.0) for s in steps]
        shares = [
            v / s.total_ms if s.total_ms > 0 else 0.0 for v, s in zip(values, steps, strict=True)
        ]
        figure.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=category,
                marker_color=COLORS[category],
                customdata=shares,
                hovertemplate=f"step %{{x}}<br>{category} %{{y:.3g}} ms (%{{customdata:.0%}})"
                "<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        title={"text": html.escape(title), "font": {"size": 13}},
        height=300,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis={"title": "step", "type": "category"},
        yaxis={"title": "ms", "gridcolor": "#eee"},
        legend={"orientation": "h", "y": -0.25},
        font={"family": "sans-serif", "size": 11},
    )
    text = (
        f"<step-time breakdown: {title}: "
        + ", ".join(f"{c} {v:.0%}" for c, v in breakdown.shares().items() if v >= 0.005)
        + ">"
    )
    return {**_plotly(figure), "text/html": breakdown_svg(breakdown, title), "text/plain": text}


def breakdown_svg(breakdown: Breakdown, title: str, width: int = 640, height: int = 200) -> str:
    """The per-step stacked bars as inline SVG, with a legend."""
    steps = breakdown.steps[:MAX_BARS]
    if not steps:
        return f"<p>{html.escape(title)}: no steps to break down</p>"
    left, bottom, top = 50, 22, 8
    plot_h = height - bottom - top
    peak = max(s.total_ms for s in steps) or 1.0
    slot = (width - left - 10) / len(steps)
    bar = max(1.0, slot * 0.8)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        "font-family='sans-serif' font-size='10'>",
        f"<line x1='{left}' y1='{top + plot_h}' x2='{width - 10}' y2='{top + plot_h}' "
        "stroke='#999'/>",
        f"<text x='{left - 4}' y='{top + 8}' text-anchor='end'>{format_ms(peak)}</text>",
        f"<text x='{left - 4}' y='{top + plot_h}' text-anchor='end'>0</text>",
    ]
    for i, step in enumerate(steps):
        x = left + i * slot + (slot - bar) / 2
        y = float(top + plot_h)
        for category in CATEGORIES:
            value = step.parts.get(category, 0.0)
            if value <= 0:
                continue
            h = value / peak * plot_h
            y -= h
            parts.append(
                f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar:.1f}' height='{h:.1f}' "
                f"fill='{COLORS[category]}'><title>step {html.escape(step.label)}: {category} "
                f"{format_ms(value)}</title></rect>"
            )
        if len(steps) <= 30:
            parts.append(
                f"<text x='{x + bar / 2:.1f}' y='{height - 8}' text-anchor='middle'>"
                f"{html.escape(step.label)}</text>"
            )
    parts.append("</svg>")
    legend = " ".join(
        f"<span style='white-space:nowrap'><span style='display:inline-block;width:10px;"
        f"height:10px;background:{COLORS[c]}'></span> {c} {v:.0%}</span>"
        for c, v in breakdown.shares().items()
        if v > 0
    )
    return (
        f"<div class='workbench-profile-bars' style='font-family:sans-serif;font-size:11px'>"
        f"<div style='font-weight:bold'>{html.escape(title)}</div>{''.join(parts)}"
        f"<div>{legend}</div></div>"
    )


def compare_bundle(comparison: Comparison) -> dict[str, Any]:
    """Before and after: mean step time by category (ms) and the shares, side by side; the
    changes in words as the title, the captures' names under it."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    sides = ["before", "after"]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("mean step time (ms)", "share of step time"),
        horizontal_spacing=0.12,
    )
    for category in CATEGORIES:
        shares = [comparison.before_shares[category], comparison.after_shares[category]]
        if not any(shares):
            continue
        ms = [shares[0] * comparison.before_ms, shares[1] * comparison.after_ms]
        for col, values, template in (
            (1, ms, "%{x:.3g} ms"),
            (2, shares, "%{x:.0%}"),
        ):
            figure.add_trace(
                go.Bar(
                    y=sides,
                    x=values,
                    orientation="h",
                    name=category,
                    legendgroup=category,
                    showlegend=col == 1,
                    marker_color=COLORS[category],
                    hovertemplate=f"%{{y}}: {category} {template}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    names = f"before: {comparison.before} · after: {comparison.after}"
    figure.update_layout(
        barmode="stack",
        title={
            "text": f"{html.escape(', '.join(comparison.changes()))}<br>"
            f"<span style='font-size:11px;color:#666'>{html.escape(names)}</span>",
            "font": {"size": 13},
        },
        height=280,
        margin={"l": 20, "r": 20, "t": 90, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
        font={"family": "sans-serif", "size": 11},
    )
    figure.update_xaxes(gridcolor="#eee")
    figure.update_xaxes(tickformat=".0%", range=[0, 1], row=1, col=2)
    figure.update_yaxes(automargin=True, autorange="reversed")  # before on top
    return {
        **_plotly(figure),
        "text/html": compare_html(comparison),
        "text/plain": f"<profile comparison: {comparison.text()}>",
    }


def compare_html(comparison: Comparison) -> str:
    """The changes in words and both breakdowns as bars (the chart's static form)."""
    rows = []
    peak = max(comparison.before_ms, comparison.after_ms) or 1.0
    for label, ms, shares in (
        (f"before: {comparison.before}", comparison.before_ms, comparison.before_shares),
        (f"after: {comparison.after}", comparison.after_ms, comparison.after_shares),
    ):
        segments = "".join(
            f"<span title='{c} {v:.0%}' style='display:inline-block;height:12px;"
            f"width:{v * ms / peak * 360:.1f}px;background:{COLORS[c]}'></span>"
            for c, v in shares.items()
            if v > 0
        )
        rows.append(
            f"<tr><td style='padding-right:8px;text-align:left'>{html.escape(label)}</td>"
            f"<td style='text-align:right;padding-right:8px'>{format_ms(ms)}</td>"
            f"<td style='text-align:left'>{segments}</td></tr>"
        )
    return (
        "<div class='workbench-profile-compare' style='font-family:sans-serif;font-size:12px'>"
        f"<div style='font-weight:bold;margin:4px 0'>{html.escape(', '.join(comparison.changes()))}"
        f"</div><table>{''.join(rows)}</table></div>"
    )


def compare_ops_html(comparison: Comparison) -> str:
    """The top ops of both captures side by side: self time per step, before and after."""
    number = "white-space:nowrap;text-align:right"
    ops = "".join(
        f"<tr><td style='text-align:left;max-width:380px;overflow:hidden;text-overflow:ellipsis;"
        f"white-space:nowrap' title='{html.escape(op.name)}'>{html.escape(op.name)}</td>"
        f"<td style='text-align:left'>{html.escape(op.type)}</td>"
        f"<td style='{number}'>{format_ms(op.before_us / 1e3) if op.before_us else ''}</td>"
        f"<td style='{number}'>{format_ms(op.after_us / 1e3) if op.after_us else ''}</td>"
        f"<td style='{number}'>{_change(op.before_us, op.after_us)}</td></tr>"
        for op in comparison.ops
    )
    return (
        "<table class='workbench-profile-compare-ops' style='font-family:sans-serif;"
        "font-size:12px'><tr><th style='text-align:left'>op</th><th style='text-align:left'>"
        "type</th><th>before, a step</th><th>after, a step</th><th>change</th></tr>"
        f"{ops}</table>"
    )


def _change(before: float, after: float) -> str:
    if before <= 0 or after <= 0:
        return "new" if before <= 0 < after else "gone" if after <= 0 < before else ""
    ratio = after / before
    return f"{ratio:.2g}x" if ratio < 0.95 or ratio > 1.05 else "same"
