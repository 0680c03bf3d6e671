"""The comm protocol is written twice, in Python and TypeScript: the two must name the same fields,
with the same optionality, and the same target and version."""

from __future__ import annotations

import re
from typing import get_type_hints

import pytest

from tests.conftest import REPO
from workbench import _protocol

TS = (REPO / "extensions" / "src" / "protocol.ts").read_text()


def _ts_interface(name: str) -> dict[str, bool]:
    """Field name -> required, for ``export interface <name> [extends <base>] { ... }``."""
    match = re.search(rf"export interface {name} (?:extends (\w+) )?\{{(.*?)\n\}}", TS, re.S)
    assert match, f"extensions/src/protocol.ts has no interface {name}"
    fields = re.findall(r"^\s*(\w+)(\??):", match.group(2), re.M)
    inherited = _ts_interface(match.group(1)) if match.group(1) else {}
    return {**inherited, **{field: optional == "" for field, optional in fields}}


@pytest.mark.parametrize(
    ("py", "ts"),
    [
        (_protocol.DeviceInfo, "IDeviceInfo"),
        (_protocol.StatusResult, "IStatusResult"),
        (_protocol.KernelStatus, "IKernelStatus"),
        (_protocol.RunInfo, "IRunInfo"),
        (_protocol.Request, "IRequest"),
        (_protocol.ErrorBody, "IErrorBody"),
        (_protocol.Reply, "IReply"),
        (_protocol.Event, "IEvent"),
    ],
)
def test_fields_match(py: type, ts: str) -> None:
    hints = get_type_hints(py)
    required: frozenset[str] = py.__required_keys__  # type: ignore[attr-defined]
    assert {name: name in required for name in hints} == _ts_interface(ts)


def test_target_and_version_match() -> None:
    assert f"COMM_TARGET = '{_protocol.COMM_TARGET}';" in TS
    assert f"PROTOCOL_VERSION = {_protocol.PROTOCOL_VERSION};" in TS
