"""HTML pieces of the data displays: sortable tables and sparkline histograms.

They use only what JupyterLab keeps in an untrusted (reopened, unsigned) notebook: inline-block
``<span>``s with sizes and hex colours, no SVG and no CSS variables. Sorting is a small script
(and ``data-v`` sort keys on the cells): it runs wherever the output is trusted (the session that
made it, a notebook saved and reopened by its author, VS Code, Voila); where a notebook is not
trusted the script is dropped and the table stays as it was printed, in its useful order.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence

BAR = "#1f77b4"
OTHER = "#ff7f0e"  # the second dataset of a comparison
BAD = "#d62728"
MUTED = "opacity:0.7"
STYLE = (
    "font-family:var(--jp-ui-font-family,sans-serif);font-size:12px;"
    "border-left:3px solid #ff8f00;padding:2px 8px"
)
_ids = itertools.count()

# Clicking a header sorts its table's rows by that column's data-v (numbers as numbers,
# blanks last); clicking again reverses. Runs once per output, on its own tables only.
SORT_SCRIPT = """<script>(function(){var root=document.getElementById('%s');if(!root)return;
root.querySelectorAll('table.workbench-sortable').forEach(function(t){
var heads=t.tHead.rows[0].cells;Array.prototype.forEach.call(heads,function(th,i){
th.style.cursor='pointer';th.title='sort by '+th.textContent;th.addEventListener('click',function(){
var up=th.getAttribute('data-dir')!=='up';Array.prototype.forEach.call(heads,function(h){
h.removeAttribute('data-dir');h.textContent=h.textContent.replace(/ [\\u25b2\\u25bc]$/,'');});
th.setAttribute('data-dir',up?'up':'down');th.textContent+=up?' \\u25b2':' \\u25bc';
var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v'),y=b.cells[i].getAttribute('data-v');
if(x===''||x===null)return 1;if(y===''||y===null)return -1;var p=parseFloat(x),q=parseFloat(y);
var c=(!isNaN(p)&&!isNaN(q))?p-q:String(x).localeCompare(String(y));return up?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});});})();</script>"""


def new_id(prefix: str) -> str:
    return f"workbench-{prefix}-{next(_ids)}"


def box(element_id: str, title: str, body: str, css_class: str) -> str:
    return (
        f"<div id='{element_id}' class='{css_class}' style='{STYLE}'>"
        f"<b>{html.escape(title)}</b>{body}</div>{SORT_SCRIPT % element_id}"
    )


def cell(
    text: str, sort: str | float | int | None = None, style: str = "", raw: bool = False
) -> str:
    """A ``<td>`` with its sort key (the shown text when None)."""
    key = text if sort is None else sort
    if isinstance(key, float) and key != key:  # NaN sorts as a blank
        key = ""
    shown = text if raw else html.escape(text)
    pad = "padding:1px 8px;text-align:right;vertical-align:middle;white-space:nowrap"
    return f"<td data-v='{html.escape(str(key))}' style='{pad};{style}'>{shown}</td>"


def sortable(heads: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    head = "".join(
        f"<th style='padding:2px 8px;text-align:{'left' if i == 0 else 'right'};"
        f"border-bottom:1px solid #999;white-space:nowrap'>{html.escape(h)}</th>"
        for i, h in enumerate(heads)
    )
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    title = f"<div style='margin-top:6px;{MUTED}'>{html.escape(caption)}</div>" if caption else ""
    return (
        f"{title}<table class='workbench-sortable' style='border-collapse:collapse;margin:2px 0'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def sparkline(
    counts: Sequence[float],
    tips: Sequence[str],
    color: str = BAR,
    height: int = 24,
    width: int = 6,
    scale: float | None = None,
) -> str:
    """Bars of ``counts`` scaled to ``height`` px (to ``scale`` when given), each with a tooltip;
    an empty bar is a 1 px grey line, so the range stays visible."""
    top = scale if scale is not None else max(counts, default=0)
    bars = []
    for count, tip in zip(counts, tips, strict=True):
        h = max(1, round(count / top * height)) if top and count > 0 else 1
        shade = color if count > 0 else "#cccccc"
        bars.append(
            f"<span title='{html.escape(tip)}' style='display:inline-block;width:{width}px;"
            f"height:{h}px;margin-right:1px;vertical-align:bottom;background-color:{shade}'></span>"
        )
    return (
        f"<span class='workbench-sparkline' style='display:inline-block;height:{height}px;"
        f"line-height:{height}px;white-space:nowrap;vertical-align:middle'>{''.join(bars)}</span>"
    )
