"""The runs table of the training monitor, as HTML (themed with JupyterLab's variables, so it
reads in Voila's light and dark themes) and as text."""

from __future__ import annotations

import html
import time
from datetime import datetime

from workbench.curves.runs import RunSummary

STATE_COLORS = {
    "running": "#2ca02c",
    "finished": "var(--jp-ui-font-color2, #666)",
    "interrupted": "#d97706",
    "failed": "#d62728",
    "unreadable": "#d62728",
}
_CELL = "text-align:left;padding:2px 14px 2px 0;vertical-align:top;white-space:nowrap"


def last_values(summary: RunSummary) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in sorted(summary.last.items()))


def when(value: float | None, now: float | None = None) -> str:
    """A time as the table shows it: the clock time today, the date and time before."""
    if value is None:
        return ""
    moment = datetime.fromtimestamp(value)
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%Y-%m-%d %H:%M")


def notes(summary: RunSummary) -> list[str]:
    """Why a run is unreadable, and what of a damaged run could not be read."""
    return ([summary.problem] if summary.problem else []) + list(summary.warnings)


def runs_html(summaries: list[RunSummary], shown: set[str]) -> str:
    """The table: state, steps, last values, started/ended and warnings of each run."""
    head = "".join(
        f"<th style='{_CELL};border-bottom:1px solid var(--jp-border-color1,#ccc)'>{h}</th>"
        for h in ("", "run", "state", "steps", "last values", "started", "ended", "warnings")
    )
    rows = []
    for s in summaries:
        color = STATE_COLORS.get(s.state, "inherit")
        said = notes(s)
        warnings = (
            f"<span style='color:#b45309' title='{html.escape(chr(10).join(said))}'>"
            f"! {html.escape(said[0][:90])}{' …' if len(said[0]) > 90 else ''}"
            f"{f' (+{len(said) - 1} more)' if len(said) > 1 else ''}</span>"
            if said
            else ""
        )
        cells = [
            "●" if s.name in shown else "",
            f"<b>{html.escape(s.name)}</b>",
            f"<span style='color:{color}'>{html.escape(s.state)}</span>",
            f"{s.steps:,}",
            html.escape(last_values(s)),
            when(s.started),
            when(s.ended) if s.state != "running" else "",
            warnings,
        ]
        rows.append(
            f"<tr class='workbench-run' data-run='{html.escape(s.name)}' data-state='{s.state}'>"
            + "".join(f"<td style='{_CELL}'>{c}</td>" for c in cells)
            + "</tr>"
        )
    return (
        "<table class='workbench-runs-table' style='border-collapse:collapse;font-size:12px;"
        "color:var(--jp-ui-font-color1,#222)'>"
        f"<tr>{head}</tr>{''.join(rows)}</table>"
    )


def runs_text(summaries: list[RunSummary]) -> str:
    """The table as text (the monitor's ``text/plain``)."""
    rows = [("run", "state", "steps", "last values", "started", "ended")] + [
        (
            s.name,
            s.state,
            str(s.steps),
            last_values(s),
            when(s.started),
            when(s.ended) if s.state != "running" else "",
        )
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines += [f"! {s.name}: {note}" for s in summaries for note in notes(s)]
    return "\n".join(lines)
