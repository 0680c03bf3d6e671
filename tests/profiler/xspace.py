"""A capture file written by hand: an ``XSpace`` protobuf (``tsl/profiler/protobuf/xplane.proto``)
with one host plane whose lines are threads of named events, encoded here field by field so
tests can make captures of known events without running TensorFlow's profiler.

xprof reads it as it reads TensorFlow's own captures: the same conversions run on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

Event = tuple[str, int, int]  # name, start (ns from the line's start), duration (ns)


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: int | bytes | str) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def xspace(
    threads: Mapping[str, Sequence[Event]],
    *,
    plane: str = "/host:CPU",
    host: str = "testhost",
    start_ns: int = 1_700_000_000_000_000_000,
) -> bytes:
    """The bytes of an XSpace with one plane, a line per thread, the events of each."""
    names = sorted({name for events in threads.values() for name, _, _ in events})
    ids = {name: index + 1 for index, name in enumerate(names)}
    body = _field(1, 1) + _field(2, plane)
    for line_id, (thread, events) in enumerate(threads.items(), start=1):
        line = _field(1, line_id) + _field(2, thread) + _field(3, start_ns)
        for name, start, duration in events:
            event = _field(1, ids[name]) + _field(2, start * 1000) + _field(3, duration * 1000)
            line += _field(4, event)
        body += _field(3, line)
    for name, metadata_id in ids.items():
        metadata = _field(1, metadata_id) + _field(2, name)
        body += _field(4, _field(1, metadata_id) + _field(2, metadata))
    return _field(1, body) + _field(4, host)


def write_capture(
    logdir: Path, threads: Mapping[str, Sequence[Event]], *, session: str = "2026_01_01_00_00_00"
) -> Path:
    """Writes ``logdir/plugins/profile/<session>/testhost.xplane.pb``; returns the folder."""
    folder = logdir / "plugins" / "profile" / session
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "testhost.xplane.pb").write_bytes(xspace(threads))
    return folder
