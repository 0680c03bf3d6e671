"""The server's pre-save hook keeps a live timeline's static form in the saved file: the widget
mimetype goes from outputs marked live that carry their static form, and nothing else changes."""

from __future__ import annotations

import copy
from typing import Any

from workbench.server.presave import MARK, WIDGET_MIME, keep_static_forms
from workbench.widgets.timeline import LIVE_MARK

WIDGET = {WIDGET_MIME: {"model_id": "abc", "version_major": 2, "version_minor": 1}}


def _notebook(*outputs: dict[str, Any]) -> dict[str, Any]:
    cells = [{"cell_type": "code", "outputs": list(outputs), "source": ""}]
    return {"type": "notebook", "content": {"cells": cells, "metadata": {}}}


def _output(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


def test_a_marked_live_output_keeps_its_static_form_only() -> None:
    live = _output(
        {**WIDGET, "text/html": "<img>", "text/plain": "<timeline>"},
        {MARK: {"live": True, "static": "text/html"}},
    )
    model = _notebook(live)
    keep_static_forms(model, path="a.ipynb", contents_manager=None)
    (saved,) = model["content"]["cells"][0]["outputs"]
    assert set(saved["data"]) == {"text/html", "text/plain"}


def test_everything_else_is_left_alone() -> None:
    outputs = [
        _output({**WIDGET, "text/plain": "a live curves view"}),  # not marked
        _output({**WIDGET}, {MARK: {"live": True, "static": "text/html"}}),  # no static form
        _output({**WIDGET, "text/html": "x"}, {MARK: {"live": False, "static": "text/html"}}),
        {"output_type": "stream", "name": "stdout", "text": "hi"},
    ]
    model = _notebook(*outputs)
    before = copy.deepcopy(model)
    keep_static_forms(model, path="a.ipynb", contents_manager=None)
    assert model == before
    text = {"type": "file", "content": "not a notebook"}
    keep_static_forms(text, path="a.txt", contents_manager=None)
    assert text == {"type": "file", "content": "not a notebook"}
    keep_static_forms({"type": "notebook", "content": None}, path="b.ipynb")


def test_the_mark_is_the_one_the_kernel_side_writes() -> None:
    assert MARK == LIVE_MARK
