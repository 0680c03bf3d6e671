"""What a saved notebook keeps of a live view: its static form, not a widget only its kernel knew.

A live view whose output carries a static form beside its widget (the profiler's timeline: its
overview picture in ``text/html``) marks the output's metadata ``{"tf-workbench": {"live": true,
"static": "text/html"}}``. Saved as is, a notebook reopened without that kernel would render the
widget mimetype first and show "Error displaying widget: model not found". This pre-save hook of
the contents manager drops the widget mimetype from marked outputs that have their static form,
in the file only: the open notebook keeps its live view.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MARK", "WIDGET_MIME", "keep_static_forms"]

MARK = "tf-workbench"  # the kernel side's workbench.widgets.timeline.LIVE_MARK
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def keep_static_forms(model: dict[str, Any], **kwargs: Any) -> None:
    """A ``ContentsManager`` pre-save hook (``register_pre_save_hook``); changes ``model`` in
    place and only where an output is marked."""
    if model.get("type") != "notebook":
        return
    content = model.get("content")
    cells = content.get("cells") if isinstance(content, dict) else None
    if not isinstance(cells, list):
        return
    for cell in cells:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for output in outputs if isinstance(outputs, list) else []:
            if not isinstance(output, dict):
                continue
            mark = (output.get("metadata") or {}).get(MARK)
            data = output.get("data")
            if (
                isinstance(mark, dict)
                and mark.get("live")
                and isinstance(data, dict)
                and mark.get("static") in data
            ):
                data.pop(WIDGET_MIME, None)
