"""A capture file (``<host>.xplane.pb``, an ``XSpace`` protobuf) checked before anyone reads it.

xprof's converters answer a missing, truncated or foreign file with ``None`` and a C++ log line
("Can't parse ... as binary proto"), and TensorBoard then says "No profile data was found". So the
workbench reads the file's protobuf framing first, in Python, without TensorFlow: the top-level
fields of the ``XSpace`` and of each ``XPlane``, and whether any line holds an event. That costs
microseconds per plane (events are skipped by their lengths, not read), finds every truncation
(a field whose length runs past the end of the file) and tells a foreign file from a profile, and
each failure becomes a :class:`~workbench.profiler.errors.ProfilerError` naming the file.

Field numbers are those of ``tsl/profiler/protobuf/xplane.proto``: ``XSpace`` {planes 1, errors
2, warnings 3, hostnames 4}, ``XPlane`` {id 1, name 2, lines 3, event_metadata 4, stat_metadata 5,
stats 6}, ``XLine`` {id 1, name 2, timestamp_ns 3, events 4, duration_ps 9, display_id 10,
display_name 11}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.profiler.errors import ProfilerError

__all__ = ["XSpaceInfo", "check"]

_VARINT, _BYTES = 0, 2  # the only wire types these messages use
# field number -> wire type, per message
_XSPACE = {1: _BYTES, 2: _BYTES, 3: _BYTES, 4: _BYTES}
_XPLANE = {1: _VARINT, 2: _BYTES, 3: _BYTES, 4: _BYTES, 5: _BYTES, 6: _BYTES}
_XLINE = {1: _VARINT, 2: _BYTES, 3: _VARINT, 4: _BYTES, 9: _VARINT, 10: _VARINT, 11: _BYTES}


@dataclass
class XSpaceInfo:
    """What the framing of a capture file says."""

    path: Path
    size: int
    hostnames: list[str] = field(default_factory=list)
    planes: list[str] = field(default_factory=list)  # plane names, e.g. "/host:CPU"
    lines: int = 0  # threads (and device streams) over all planes
    has_events: bool = False  # some line holds at least one event
    errors: list[str] = field(default_factory=list)  # what the profiler itself reported


class _Damaged(Exception):
    """The framing breaks inside the file: a corrupt or foreign file."""


class _Truncated(_Damaged):
    """The framing runs past the end of the file: a file cut short."""


def check(path: str | Path) -> XSpaceInfo:
    """Reads the framing of the capture file at ``path``.

    Returns:
        What the file holds (hosts, planes, threads, whether it has events).

    Raises:
        ProfilerError: the file is missing, unreadable, empty, truncated, or not an ``XSpace``;
            the message names it and says what to do.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProfilerError(
            f"Expected a capture file at {path}. Received: no such file (was it moved or "
            "deleted?). Capture again with workbench.profile()."
        ) from None
    except OSError as error:
        raise ProfilerError(f"Could not read the capture file {path}: {error}") from error
    info = XSpaceInfo(path=path, size=len(data))
    if not data:
        raise ProfilerError(
            f"{path} is empty (0 bytes): the profiler captured no events. Profile code that runs "
            "TensorFlow ops (a fit, a tf.function call), for long enough to see them."
        )
    try:
        for number, start, end in _fields(data, 0, len(data), _XSPACE, "XSpace"):
            if number == 1:
                info.planes.append(_plane(data, start, end, info))
            elif number == 2:
                info.errors.append(_text(data, start, end))
            elif number == 4:
                info.hostnames.append(_text(data, start, end))
    except _Damaged as damage:
        raise ProfilerError(_damage_message(path, data, damage)) from None
    return info


def _plane(data: bytes, start: int, end: int, info: XSpaceInfo) -> str:
    name = ""
    for number, at, stop in _fields(data, start, end, _XPLANE, "XPlane"):
        if number == 2:
            name = _text(data, at, stop)
        elif number == 3:
            info.lines += 1
            if not info.has_events:
                # any() stops at the first event: the others are never walked
                info.has_events = any(
                    n == 4 for n, _, _ in _fields(data, at, stop, _XLINE, "XLine")
                )
    return name


def _fields(
    data: bytes, start: int, end: int, expected: dict[int, int], message: str
) -> Iterator[tuple[int, int, int]]:
    """(field number, value start, value end) of each length-delimited field of the message in
    data[start:end]; number fields (ids, times) are checked and skipped, never read."""
    at = start
    while at < end:
        tag_at = at
        tag, at = _varint(data, at, end)
        number, wire = tag >> 3, tag & 7
        if expected.get(number) != wire:
            raise _Damaged(f"byte {tag_at:,} (0x{data[tag_at]:02x}) starts no field of {message}")
        if wire == _VARINT:
            _, at = _varint(data, at, end)
            continue
        length, value_start = _varint(data, at, end)
        at = value_start + length
        if at > end:
            raise (_Truncated if at > len(data) else _Damaged)(
                f"the {message} field at byte {tag_at:,} claims {length:,} bytes but only "
                f"{end - value_start:,} follow"
            )
        yield number, value_start, at


def _varint(data: bytes, at: int, end: int) -> tuple[int, int]:
    value = shift = 0
    start = at
    while True:
        if at >= end:
            raise (_Truncated if at >= len(data) else _Damaged)(
                f"a number at byte {start:,} runs past the end of its message"
            )
        if at - start == 10:  # a protobuf varint holds at most 64 bits: 10 bytes
            raise _Damaged(f"a number at byte {start:,} is longer than 10 bytes")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        shift += 7
        if not byte & 0x80:
            return value, at


def _text(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode(errors="replace")  # bytes decode as UTF-8


def _damage_message(path: Path, data: bytes, damage: _Damaged) -> str:
    size = f"{len(data):,} byte{'s' if len(data) != 1 else ''}"
    if isinstance(damage, _Truncated):
        return (
            f"{path} is truncated ({size}): {damage}. Was it copied or read while the "
            "profiler was still writing it? Capture again."
        )
    head = data[:16]
    return (
        f"Expected an XSpace profile in {path} (an .xplane.pb written by TensorFlow's profiler). "
        f"Received: a file of {size} starting {head!r}: {damage}."
    )
