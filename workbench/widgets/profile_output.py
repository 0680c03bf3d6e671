"""A step capture shown in the output of the cell that trains: a line while it converts, replaced
by the profile (report, breakdown, timeline) when the conversion worker is done, while training
goes on.

The outputs are made on the training thread (inside the cell, where ``display`` puts them) with
display ids; the worker updates them by id (IPython's ``update_display`` reaches an output
wherever it is), so nothing is displayed from a thread into whichever cell runs then.

While the cell runs, the kernel answers no request of a front end: a timeline shown then carries
its first frame in its state (``TimelineView.preload``), taken out when the cell ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from workbench._cells import after_current_cell
from workbench.profiler.capture import CaptureData
from workbench.profiler.steps import StepCapture
from workbench.widgets.profile import Profile

__all__ = ["ProfileOutputs"]

log = logging.getLogger(__name__)
PARTS = 3  # report, breakdown, timeline


class ProfileOutputs:
    """Watches step captures (``CaptureWatcher``) and shows each in the training cell's output.

    Args:
        show: display anything at all (False: only the capture on disk and ``.profile``).
        report: where a failure goes when there is no output to put it in.
    """

    def __init__(self, *, show: bool = True, report: Callable[[str], None] = print) -> None:
        self.show = show
        self.report = report
        self.profiles: list[Profile] = []
        self._handles: dict[int, list[Any]] = {}
        self._cell_running = False
        self._preloaded: list[Any] = []  # views whose state holds a first frame

    def capturing(self, capture: StepCapture) -> None:
        pass

    def converting(self, capture: StepCapture) -> None:
        self.profiles.append(Profile(capture=capture))
        if not self.show:
            return
        from IPython.display import display

        if not self._cell_running and after_current_cell(self._cell_ended):
            self._cell_running = True
        line = f"{capture.label}: profiled steps {capture.captured}; converting the capture…"
        handles = [display({"text/plain": line}, raw=True, display_id=True)]
        handles += [
            display({"text/plain": ""}, raw=True, display_id=True) for _ in range(PARTS - 1)
        ]
        self._handles[id(capture)] = [h for h in handles if h is not None]

    def ready(self, capture: StepCapture, data: CaptureData) -> None:
        handles = self._handles.pop(id(capture), [])
        if not handles:
            return
        profile = Profile(data)
        bundles = profile.bundles()
        if self._cell_running and profile.view is not None:
            profile.view.preload()  # the kernel answers no request until the cell ends
            self._preloaded.append(profile.view)
        while len(bundles) < len(handles):
            bundles.insert(1, ({"text/plain": ""}, {}))
        for handle, (bundle, metadata) in zip(handles, bundles, strict=False):
            handle.update(bundle, raw=True, metadata=metadata)
        if profile.view is not None:
            profile.view.keep_live(handles[-1])

    def _cell_ended(self, error: BaseException | None) -> None:
        self._cell_running = False
        views, self._preloaded = self._preloaded, []
        for view in views:
            view.release()

    def failed(self, capture: StepCapture, error: BaseException) -> None:
        message = f"{capture.label}: {error}"
        handles = self._handles.pop(id(capture), [])
        if handles:
            handles[0].update({"text/plain": message}, raw=True)
        else:
            self.report(message)
