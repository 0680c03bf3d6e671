"""A capture opened from the side panel: a timeline view the front end shows in the main area.

The kernel service's ``profiles.open`` calls :func:`open_view` (registered by ``%load_ext
workbench``); the view lives as long as the panel's main-area tab, or until ``KEEP`` newer ones
were opened (each holds its capture's index).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from workbench.profiler.capture import CaptureData
from workbench.widgets.timeline import TimelineView

__all__ = ["KEEP", "open_view"]

KEEP = 4
_open: deque[TimelineView] = deque()


def open_view(folder: Path) -> tuple[str, str, str]:
    """A timeline view of the capture in ``folder``: (its model id, title, verdict headline).

    Raises:
        ProfilerError: the capture is missing or unreadable (the message names the file).
    """
    data = CaptureData.open(folder).load()
    view = TimelineView(data, title=data.name)
    _open.append(view)
    while len(_open) > KEEP:
        _open.popleft().close()
    return view.model_id, data.name, data.verdict.headline
