"""The timeline view's wire is written twice, in Python (workbench/widgets/timeline_messages.py)
and TypeScript (extensions/widgets/timeline/messages.ts): the same messages with the same fields
and optionality; and an event's color is the same in the kernel's static picture and in the
browser (one table of cases for both, colors.cases.json)."""

from __future__ import annotations

import json
from typing import is_typeddict

import pytest

from tests.conftest import REPO
from tests.unit.test_protocol_mirror import _fields, _ts_interface
from workbench.widgets import timeline_messages
from workbench.widgets.op_colors import PALETTE, color_index

TS = REPO / "extensions" / "widgets" / "timeline" / "messages.ts"
CASES = REPO / "extensions" / "test" / "widgets" / "timeline" / "colors.cases.json"


def _messages() -> list[type]:
    return [
        value
        for name, value in vars(timeline_messages).items()
        if not name.startswith("_")
        and is_typeddict(value)
        and value.__module__ == timeline_messages.__name__
    ]


@pytest.mark.parametrize("py", _messages(), ids=lambda t: t.__name__)
def test_fields_match(py: type) -> None:
    assert _fields(py) == _ts_interface(f"I{py.__name__}", TS)


def test_every_message_is_exported() -> None:
    assert sorted(t.__name__ for t in _messages()) == sorted(timeline_messages.__all__)


def test_colors_are_the_same_in_the_kernel_and_the_browser() -> None:
    cases = json.loads(CASES.read_text())
    assert cases["palette"] == list(PALETTE)
    assert [color_index(name) for name, _ in cases["cases"]] == [i for _, i in cases["cases"]]
    palette_ts = (REPO / "extensions" / "widgets" / "timeline" / "colors.ts").read_text()
    assert all(f"'{color}'" in palette_ts for color in PALETTE)
