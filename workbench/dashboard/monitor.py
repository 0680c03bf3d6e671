"""The training monitor: a logdir's runs as a table (state, steps, last values, started/ended,
warnings), the live curves of the runs picked, redrawn while other processes write them, the
newest profile's verdict and step-time breakdown, and, when the logdir holds them, the
checkpoints of its runs and the embedding view of its newest saved projection.

It is what ``notebooks/dashboards/training_monitor.ipynb`` shows, served by ``workbench
dashboard`` with Voila. Voila runs a kernel of its own for each visitor and shows the page once
every cell has run, so the monitor paints at once from the files and then keeps itself current
from a background thread: it reads only what the event files gained (``RunFollower``) and sends
the live views only the columns that changed. No TensorFlow is imported: event files are read
with the workbench's own record reader and TensorBoard's protos.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import numpy as np

from workbench.curves.follow import RunFollower
from workbench.curves.runs import RunSummary, list_runs
from workbench.curves.store import DEFAULT_LOGDIR, BadValue
from workbench.dashboard.profile_section import ProfileSection
from workbench.dashboard.sections import CheckpointSection, ProjectionSection
from workbench.dashboard.tables import runs_html, runs_text
from workbench.widgets.live_curves import CurvesWidget

__all__ = ["TrainingMonitor"]

log = logging.getLogger(__name__)

MAX_PICKED = 4  # runs drawn at first: the running ones (or the newest), at most this many
_HINT = (
    "<span style='color:var(--jp-ui-font-color2,#666);margin-left:8px'>"
    "ctrl-click (⌘-click) to draw several runs</span>"
)


@dataclass
class _Followed:
    follower: RunFollower
    view: CurvesWidget
    generation: int
    progress: str = ""
    checked: dict[tuple[str, str], int] = field(default_factory=dict)  # points looked at for NaN


def _first_bad(followed: _Followed) -> list[BadValue]:
    """The first NaN or infinite value of each series, among the points not looked at yet (the
    live view marks it, as it marks a run of its own kernel)."""
    found = []
    for key, series in list(followed.follower.run.series.items()):
        start = followed.checked.get(key, 0)
        if start < 0:  # reported already
            continue
        values = series.values[start:]
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            index = start + int(bad[0])
            split, metric = key
            found.append(
                BadValue(metric, split, int(series.steps[index]), float(series.values[index]))
            )
            followed.checked[key] = -1
        else:
            followed.checked[key] = start + len(values)
    return found


class TrainingMonitor(widgets.VBox):  # type: ignore[misc]
    """A logdir's runs, live: the table, the curves of the runs picked, the latest profile.

    Args:
        logdir: the folder of runs (``<logdir>/<run>/train|validation``); it may not exist yet.
        interval: seconds between looks at the files (the table, new points, new captures).
        follow: keep looking from a background thread (False: only when :meth:`refresh` is
            called, e.g. in tests and static exports).

    Example:
        >>> from workbench.dashboard import TrainingMonitor
        >>> TrainingMonitor("runs")  # the last expression of a cell (or of a Voila page)
    """

    def __init__(
        self,
        logdir: str | os.PathLike[str] = DEFAULT_LOGDIR,
        *,
        interval: float = 1.0,
        follow: bool = True,
    ) -> None:
        self.interval = interval
        self.logdir = Path(logdir).expanduser()
        self.logdir_input = widgets.Text(
            value=str(logdir),
            description="logdir",
            continuous_update=False,
            layout=widgets.Layout(width="560px"),
        )
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.picker = widgets.SelectMultiple(
            options=[],
            rows=4,
            description="curves of",
            layout=widgets.Layout(width="420px"),
        )
        self.curves = widgets.VBox()
        self.profile = ProfileSection()
        # below the profile, each shown once the logdir holds what it draws
        self.checkpoints = CheckpointSection()
        self.projection = ProjectionSection()
        super().__init__(
            [
                widgets.HBox([self.logdir_input, self.status]),
                self.table,
                widgets.HBox([self.picker, widgets.HTML(_HINT)]),
                self.curves,
                self.profile.box,
                self.checkpoints.box,
                self.projection.box,
            ]
        )
        self.add_class("workbench-monitor")
        self.summaries: list[RunSummary] = []
        self._followed: dict[str, _Followed] = {}
        self._lock = threading.RLock()
        self._picking = False  # the picker is being set by the monitor, not by its user
        self._picked_once = False
        self._views = 0
        self.picker.observe(self._on_pick, "value")
        self.logdir_input.observe(self._on_logdir, "value")
        self._stop = threading.Event()
        self.refresh()
        if follow:
            threading.Thread(target=self._follow, name="workbench-monitor", daemon=True).start()

    # --- looking at the files ---------------------------------------------------------------

    def refresh(self) -> None:
        """Looks at the logdir once: the runs, new points of the runs drawn, a new capture."""
        with self._lock:
            self.summaries = self._list()
            names = [s.name for s in self.summaries]
            picked = [n for n in self.picker.value if n in names]
            if not self._picked_once and names:
                live = [s.name for s in self.summaries if s.state == "running"]
                picked = (live or names[:1])[:MAX_PICKED]
                self._picked_once = True
            self._set_picker(names, picked)
            self._follow_picked(picked)
            for name, followed in list(self._followed.items()):
                self._poll(name, followed)
            table = runs_html(self.summaries, set(picked)) if self.summaries else self._no_runs()
            if table != self.table.value:
                self.table.value = table
            for section in (self.profile, self.checkpoints, self.projection):
                try:
                    section.refresh(self.logdir)
                # a section that fails (a file no reader expected) leaves the rest of the page
                except Exception:
                    log.warning(
                        "workbench dashboard: %s failed", type(section).__name__, exc_info=True
                    )
            running = sum(s.state == "running" for s in self.summaries)
            self.status.value = (
                "<span style='color:var(--jp-ui-font-color2,#666);line-height:28px'>"
                f"{len(names)} runs, {running} running · looked at "
                f"{time.strftime('%H:%M:%S')}</span>"
            )

    def _list(self) -> list[RunSummary]:
        if not self.logdir.is_dir():
            return []
        try:
            return list_runs(self.logdir)
        except OSError as exc:  # the folder went away or cannot be listed: say so in the table
            log.warning("workbench dashboard: cannot list %s: %s", self.logdir, exc)
            return []

    def _no_runs(self) -> str:
        where = str(self.logdir)
        if self.logdir.exists() and not self.logdir.is_dir():
            why = f"{where} is a file, not a folder of runs."
        elif not self.logdir.exists():
            why = f"{where} does not exist yet (relative to {Path.cwd()})."
        else:
            why = f"No runs in {where} yet."
        return (
            f"<div class='workbench-no-runs' style='color:var(--jp-ui-font-color2,#666)'>{why} "
            "Runs appear here as they start: <code>model.fit(..., callbacks=[workbench.LiveCurves"
            f"(logdir='{where}')])</code> or <code>workbench.run(name, logdir='{where}')</code>."
            "</div>"
        )

    def _set_picker(self, names: list[str], picked: list[str]) -> None:
        self._picking = True
        try:
            if list(self.picker.options) != names:
                self.picker.options = names
                self.picker.rows = max(2, min(6, len(names)))
            if list(self.picker.value) != picked:
                self.picker.value = tuple(picked)
        finally:
            self._picking = False

    def _follow_picked(self, picked: list[str]) -> None:
        for name in [n for n in self._followed if n not in picked]:
            self._followed.pop(name).view.close()
        for name in picked:
            if name not in self._followed:
                try:
                    follower = RunFollower(self.logdir / name)
                except FileNotFoundError:  # deleted since it was listed
                    continue
                self._followed[name] = _Followed(follower, self._view(follower), 0)
        views = [self._followed[n].view for n in picked if n in self._followed]
        if list(self.curves.children) != views:
            self.curves.children = views

    def _view(self, follower: RunFollower) -> CurvesWidget:
        self._views += 1
        view = CurvesWidget(follower.run, run_id=f"monitor-{follower.run.name}-{self._views}")
        view.push(final=True)
        return view

    def _poll(self, name: str, followed: _Followed) -> None:
        follower = followed.follower
        new = follower.poll()
        if follower.generation != followed.generation:  # the run was written anew
            followed.view.close()
            followed.view = self._view(follower)
            followed.generation = follower.generation
            followed.checked.clear()
            self.curves.children = [
                self._followed[n].view for n in self.picker.value if n in self._followed
            ]
        elif new:
            followed.view.push()
        run = follower.run
        _metrics, steps, _last = run.summary()
        progress = f"step {steps:,}" + (
            f" · last point {time.strftime('%H:%M:%S', time.localtime(run.ended))}"
            if run.ended and run.state != "running"
            else ""
        )
        bad = _first_bad(followed)
        if bad or progress != followed.progress or followed.view.state != run.state:
            followed.progress = progress
            followed.view.update(progress=progress, state=run.state, bad=bad)

    def _follow(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:  # a dashboard that stops looking is worse than one that says why
                log.warning("workbench dashboard: refresh failed", exc_info=True)

    # --- the user's choices -------------------------------------------------------------------

    def _on_pick(self, _change: dict[str, Any]) -> None:
        if self._picking:
            return
        with self._lock:
            self._picked_once = True
            picked = list(self.picker.value)
            self._follow_picked(picked)
            self.table.value = (
                runs_html(self.summaries, set(picked)) if self.summaries else self._no_runs()
            )

    def _on_logdir(self, change: dict[str, Any]) -> None:
        with self._lock:
            self.logdir = Path(str(change["new"])).expanduser()
            for followed in self._followed.values():
                followed.view.close()
            self._followed.clear()
            self._picked_once = False
            self.refresh()

    def close(self) -> None:
        """Stops looking at the files and closes the views."""
        self._stop.set()
        with self._lock:
            for followed in self._followed.values():
                followed.view.close()
            self._followed.clear()
        super().close()

    # --- outputs ------------------------------------------------------------------------------

    def __repr__(self) -> str:
        running = sum(s.state == "running" for s in self.summaries)
        picked = ", ".join(self._followed) or "none"
        head = (
            f"<training monitor of {self.logdir}: {len(self.summaries)} runs ({running} running)"
            f" · curves of {picked} · latest profile: {self.profile.text or 'none'}"
            + "".join(
                f" · {name}: {section.text}"
                for name, section in (
                    ("checkpoints", self.checkpoints),
                    ("embedding", self.projection),
                )
                if section.text
            )
            + ">"
        )
        return head + ("\n" + runs_text(self.summaries) if self.summaries else "")

    def snapshot_html(self) -> str:
        """The page as it is now, without a kernel: the table, each drawn run's chart and the
        profile report (what a static export keeps)."""
        with self._lock:
            charts = "".join(f.view.snapshot_html() for f in self._followed.values())
            table = runs_html(self.summaries, set(self._followed)) if self.summaries else ""
            return (
                "<div class='workbench-monitor-snapshot'><h3>Training monitor: "
                f"{self.logdir}</h3>{table or self._no_runs()}{charts}"
                + "".join(
                    f"<h4>{title}</h4>{section.html}"
                    for title, section in (
                        ("Latest profile", self.profile),
                        ("Checkpoints", self.checkpoints),
                        ("Embedding", self.projection),
                    )
                    if section.html
                )
                + "</div>"
            )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self.snapshot_html()
        return bundle
