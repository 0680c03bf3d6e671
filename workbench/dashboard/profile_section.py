"""The training monitor's profile section: the newest capture of the logdir, its verdict in
words with the fixes, the top ops, and the per-step time breakdown (the profiler's own report
and bars, as the notebook shows them; no timeline: it needs the kernel that made it)."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from workbench.profiler.errors import ProfilerError
from workbench.profiler.listing import CaptureInfo, find_captures

log = logging.getLogger(__name__)

_Key = tuple[str, float, int]


class ProfileSection:
    """``box`` shows the newest capture of a logdir; :meth:`refresh` looks again."""

    def __init__(self) -> None:
        self.report = widgets.HTML()
        self.bars = widgets.Output()
        self.box = widgets.VBox(
            [
                widgets.HTML("<h4 style='margin:12px 0 4px'>Latest profile</h4>"),
                self.report,
                self.bars,
            ]
        )
        self.box.add_class("workbench-monitor-profile")
        self._shown: _Key | None = None
        self.text = ""  # what the section shows, as text
        self.html = ""  # and as HTML, for a static copy of the page

    def refresh(self, logdir: Path) -> bool:
        """Shows the newest capture if it is not the one shown; returns whether it changed."""
        try:
            captures = find_captures([logdir]) if logdir.is_dir() else []
        except OSError as exc:
            log.warning("workbench dashboard: cannot list captures in %s: %s", logdir, exc)
            captures = []
        if not captures:
            key: _Key = ("", 0.0, 0)
            if key != self._shown:
                self._shown = key
                self._show_none(logdir)
                return True
            return False
        latest = captures[0]
        key = (str(latest.folder), latest.created, latest.size)
        if key == self._shown:
            return False
        self._shown = key
        self._show(latest)
        return True

    def _show_none(self, logdir: Path) -> None:
        self.text = "no profile yet"
        self.html = ""
        self.report.value = (
            "<div style='color:var(--jp-ui-font-color2,#666)'>No profile in "
            f"{html.escape(str(logdir))} yet: <code>LiveCurves(profile_steps=(10, 15))</code>, "
            "<code>run.profile(steps=...)</code> or <code>%%profile</code> write one.</div>"
        )
        self.bars.outputs = ()

    def _show(self, capture: CaptureInfo) -> None:
        from workbench.profiler.capture import CaptureData
        from workbench.widgets.profile_plot import breakdown_bundle
        from workbench.widgets.profile_report import report_html

        try:
            data = CaptureData.open(capture.folder, capture.logdir)
            report = report_html(data)
            breakdown = data.breakdown
            bars: dict[str, Any] | None = (
                breakdown_bundle(breakdown, f"step time by category: {data.name}")
                if breakdown.steps
                else None
            )
        except ProfilerError as error:  # a capture still being written, or a damaged one
            self.text = f"{capture.name}: {error}"
            self.html = f"<p>{html.escape(self.text)}</p>"
            self.report.value = (
                f"<div style='color:#b45309'>{html.escape(capture.name)}: "
                f"{html.escape(str(error))}</div>"
            )
            self.bars.outputs = ()
            return
        self.text = f"{capture.name}: {data.verdict.headline}"
        self.html = report + (bars["text/html"] if bars else "")
        self.report.value = report
        self.bars.outputs = (
            ({"output_type": "display_data", "data": bars, "metadata": {}},) if bars else ()
        )
