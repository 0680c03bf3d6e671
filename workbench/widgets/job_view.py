"""A launched job's live view in the cell: each worker's role, state, step, last metrics and the
tail of its output, updated as the job's backend hears of them (at most every ``interval``).

The view only observes the job (``JobObserver``). Its state is one synced trait, ``job`` (a
:class:`~workbench._protocol.JobInfo` plus each worker's last lines), so the view needs no
request of its own: the kernel answers none while the launching cell runs (``job.wait()``).
When the job ends, the view's output becomes a plain HTML table of the same (what a saved
notebook keeps) and the widget closes.
"""

from __future__ import annotations

import html
from typing import Any

import traitlets

from workbench._protocol import JobInfo
from workbench.distribute.job import Job
from workbench.distribute.service import job_info as service_job_info
from workbench.widgets.base import Bundle, StreamedView

TAIL_LINES = 6  # lines of each worker's output the view shows


def job_info(job: Job, tail: int = TAIL_LINES) -> JobInfo:
    """The job as the view shows it: the panel's ``JobInfo`` and each worker's last lines."""
    tails = [job.logs(i).splitlines()[-tail:] for i in range(len(job.workers))]
    return service_job_info(job.snapshot(), tails)


class JobView(StreamedView[dict[str, Any]]):
    """The live view of one job (see the module docstring)."""

    _esm = Bundle("jobview.js")
    job = traitlets.Dict().tag(sync=True)

    def __init__(self, job: Job) -> None:
        super().__init__(job=dict(job_info(job)))
        self._job = job

    # JobObserver
    def job_updated(self, job: Job) -> None:
        self.job = dict(job_info(job))

    def job_ended(self, job: Job) -> None:
        info = job_info(job)
        self.job = dict(info)
        if self.shown:
            self.finish({"text/html": render_html(info), "text/plain": repr(job)})
        else:
            self.close()


def render_html(info: JobInfo) -> str:
    """The job as a static table: what the notebook keeps once the job ended."""
    rows = []
    for w in info["workers"]:
        metrics = ", ".join(f"{k} {_number(v)}" for k, v in w["latest"].items())
        tail = "\n".join(w.get("tail", []))
        rows.append(
            "<tr>"
            f"<td>{html.escape(w['key'])}</td><td>{html.escape(w['role'])}</td>"
            f"<td>{html.escape(w['state'])}</td><td style='text-align:right'>{w['step']}</td>"
            f"<td>{html.escape(metrics)}</td>"
            f"<td><pre style='margin:0;font-size:11px;white-space:pre-wrap'>"
            f"{html.escape(w['problem'] or tail)}</pre></td>"
            "</tr>"
        )
    error = info["error"]
    head = (
        f"<b>job {html.escape(info['name'])}</b> ({html.escape(info['backend'])}): "
        f"{html.escape(info['state'])} after {info['elapsed']:.1f} s"
        + (f" &middot; {html.escape(error)}" if error else "")
    )
    return (
        f"<div class='workbench-job'><div>{head}</div>"
        "<table><thead><tr><th>worker</th><th>role</th><th>state</th><th>step</th>"
        f"<th>last metrics</th><th>output</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></div>"
    )


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
