"""Profiling steps of a custom training loop (``workbench.run()``): ``r.profile(steps=(a, b))``.

The loop says where it is only through ``r.log(step, ...)``, called after each step: the capture
starts when step a - 1 is logged (at once when the loop is already there), each step in between
is wrapped in a step marker from one log to the next (what lets xprof measure steps, with no
change to the loop), and it stops when step b is logged, or when the run ends first.
"""

from __future__ import annotations

from pathlib import Path

from workbench.curves.feed import Feed
from workbench.curves.store import DEFAULT_LOGDIR
from workbench.profiler.steps import StepCapture, window
from workbench.widgets.profile import Profile
from workbench.widgets.profile_output import ProfileOutputs

__all__ = ["LoopProfiler"]


class LoopProfiler:
    """A step capture fed by a run's ``log`` calls."""

    def __init__(self, feed: Feed, steps: tuple[int, int] | int | bool, *, show: bool) -> None:
        run = feed.run
        folder = run.path if run.path is not None else Path(DEFAULT_LOGDIR) / "profiles" / run.name
        self.outputs = ProfileOutputs(show=show)
        self.capture = StepCapture(
            window(steps),
            folder / "train",
            label=f"run {run.name}",
            watcher=self.outputs,
            meta={"run": run.name, "source": "loop"},
        )
        self.capture.prepare()
        self.profile = Profile(capture=self.capture)
        self.capture.begin(feed.step + 1)  # starts now if the loop is already at step a

    def logged(self, step: int) -> None:
        """Step ``step`` ended; the next one begins."""
        self.capture.end(step)
        self.capture.begin(step + 1)

    def closed(self, state: str) -> None:
        reasons = {"finished": "the run ended", "replaced": "another profile() was asked"}
        self.capture.finish(reasons.get(state, f"the run {state}"))
