"""Small self-contained HTML pieces shared by the displays (no scripts, no external files); the
pictures of a tensor are in ``charts``."""

from __future__ import annotations

import html

STYLE = (
    "font-family:var(--jp-code-font-family,monospace);font-size:12px;"
    "border-left:3px solid #ff8f00;padding:2px 8px"
)


def box(title: str, body: str) -> str:
    return f"<div class='workbench-inspect' style='{STYLE}'><b>{html.escape(title)}</b>{body}</div>"


def table(rows: list[tuple[str, str]], style: str = "margin:2px 0") -> str:
    cells = "".join(
        f"<tr><td style='padding-right:12px;opacity:0.7'>{html.escape(k)}</td>"
        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table style='{style}'>{cells}</table>"
