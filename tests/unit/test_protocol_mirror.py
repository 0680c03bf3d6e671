"""The comm protocol is written twice, in Python and TypeScript: the two must name the same fields,
with the same optionality, the same target and version, and the same methods and topics (each
with the same params and result types) as the kernel service registers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_type_hints

import pytest

from tests.conftest import REPO
from workbench import _protocol

TS = REPO / "extensions" / "src" / "protocol.ts"


def _ts_interface(name: str, source: Path = TS) -> dict[str, bool]:
    """Field name -> required, for ``export interface <name> [extends <base>] { ... }``."""
    text = source.read_text()
    if f"export type {name} = Record<string, never>;" in text:  # a TypedDict with no fields
        return {}
    match = re.search(rf"export interface {name} (?:extends (\w+) )?\{{(.*?)\n\}}", text, re.S)
    assert match, f"{source.name} has no interface {name}"
    fields = re.findall(r"^\s*'?([\w.]+)'?(\??):", match.group(2), re.M)
    inherited = _ts_interface(match.group(1), source) if match.group(1) else {}
    return {**inherited, **{field: optional == "" for field, optional in fields}}


def _fields(py: type) -> dict[str, bool]:
    hints = get_type_hints(py)
    required: frozenset[str] = py.__required_keys__  # type: ignore[attr-defined]
    return {name: name in required for name in hints}


ENVELOPE = [
    _protocol.OpenData,
    _protocol.Request,
    _protocol.ErrorBody,
    _protocol.Reply,
    _protocol.Event,
    _protocol.DeviceInfo,
    _protocol.RunInfo,
    _protocol.ProfileInfo,
    _protocol.PendingCapture,
    _protocol.WorkerInfo,
    _protocol.JobInfo,
    _protocol.CheckpointInfo,
]


@pytest.mark.parametrize("py", ENVELOPE, ids=lambda t: t.__name__)
def test_fields_match(py: type) -> None:
    assert _fields(py) == _ts_interface(f"I{py.__name__}")


def _service() -> Any:
    from workbench.service import load_capabilities

    return load_capabilities()


def _ts_map(name: str) -> dict[str, str]:
    """``export interface IMethods { name: { params: IX; result: IY }; ... }`` -> name -> body."""
    text = TS.read_text()
    match = re.search(rf"export interface {name} \{{(.*?)\n\}}", text, re.S)
    assert match, f"protocol.ts has no interface {name}"
    return dict(re.findall(r"^\s*'?([\w.]+)'?: (.*?);?$", match.group(1), re.M))


def test_every_method_is_mirrored_with_its_params_and_result() -> None:
    service = _service()
    ts = _ts_map("IMethods")
    assert sorted(ts) == sorted(service.methods)
    for name, method in service.methods.items():
        result = get_type_hints(method.fn)["return"]
        assert ts[name] == f"{{ params: I{method.params.__name__}; result: I{result.__name__} }}"
        for py in (method.params, result):
            assert _fields(py) == _ts_interface(f"I{py.__name__}"), (name, py.__name__)


def test_every_topic_is_mirrored_with_its_data() -> None:
    service = _service()
    ts = _ts_map("ITopics")
    assert sorted(ts) == sorted(service.topics)
    for name, topic in service.topics.items():
        data = get_type_hints(topic.current)["return"]
        assert ts[name] == f"I{data.__name__}", name
        assert _fields(data) == _ts_interface(f"I{data.__name__}"), name


def test_target_version_and_wire_floats_match() -> None:
    text = TS.read_text()
    assert f"COMM_TARGET = '{_protocol.COMM_TARGET}';" in text
    assert f"PROTOCOL_VERSION = {_protocol.PROTOCOL_VERSION};" in text
    assert "export type NonFinite = 'NaN' | 'inf' | '-inf';" in text
    assert [_protocol.wire_float(v) for v in (float("nan"), float("inf"), -float("inf"))] == [
        "NaN",
        "inf",
        "-inf",
    ]


# --- widget messages: workbench/widgets/messages.py <-> extensions/widgets/lib/messages.ts ---

WIDGET_TS = REPO / "extensions" / "widgets" / "lib" / "messages.ts"


def _widget_messages() -> list[type]:
    """Every public TypedDict of ``workbench.widgets.messages``: a new one must be mirrored."""
    from typing import is_typeddict

    from workbench.widgets import messages

    return [
        value
        for name, value in vars(messages).items()
        if not name.startswith("_")
        and is_typeddict(value)
        and value.__module__ == messages.__name__
    ]


@pytest.mark.parametrize("py", _widget_messages(), ids=lambda t: t.__name__)
def test_widget_message_fields_match(py: type) -> None:
    assert _fields(py) == _ts_interface(f"I{py.__name__}", WIDGET_TS)


def test_widget_wire_floats_match() -> None:
    assert "export type WireFloat = number | 'NaN' | 'inf' | '-inf';" in WIDGET_TS.read_text()
