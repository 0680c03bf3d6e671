"""The capture-file check word for word: what a good file holds (hosts, planes, threads, the
profiler's own errors) read exactly from its framing, and each kind of damage (a file cut short,
a length or number that overruns its message, a byte that starts no field, a number longer than
protobuf allows) in the exact message a user reads, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiler.xspace import _field, _varint, xspace
from workbench.profiler.errors import ProfilerError
from workbench.profiler.xplane import XSpaceInfo, check

THREADS = {"python": [("step", 0, 10_000), ("MatMul", 1_000, 3_000)], "pool": [("Relu", 0, 50)]}
EVENT = _field(1, 1) + _field(2, 0) + _field(3, 5_000)  # metadata id, offset, duration


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "host.xplane.pb"
    path.write_bytes(data)
    return path


def _raises(path: Path) -> str:
    with pytest.raises(ProfilerError) as error:
        check(path)
    return str(error.value)


def _foreign(path: Path, data: bytes, what: str) -> str:
    return (
        f"Expected an XSpace profile in {path} (an .xplane.pb written by TensorFlow's profiler). "
        f"Received: a file of {len(data):,} byte{'s' * (len(data) != 1)} starting {data[:16]!r}: "
        f"{what}."
    )


def _truncated(path: Path, size: int, what: str) -> str:
    return (
        f"{path} is truncated ({size:,} bytes): {what}. Was it copied or read while the profiler "
        "was still writing it? Capture again."
    )


def test_a_good_file_is_read_exactly(tmp_path: Path) -> None:
    data = xspace(THREADS, host="box")
    path = _file(tmp_path, data)
    assert check(str(path)) == XSpaceInfo(
        path=path, size=len(data), hostnames=["box"], planes=["/host:CPU"], lines=2, has_events=True
    )


def test_hosts_errors_and_planes_in_any_order(tmp_path: Path) -> None:
    # the profiler's errors (field 2) are kept, its warnings (field 3) are not; a plane may lack
    # a name; a hostname need not be the last field
    line = _field(1, 3) + _field(2, "tf_data")
    plane = _field(2, "/device:CPU:0") + _field(3, line) + _field(3, line)
    data = (
        _field(4, "first")
        + _field(2, "device lost")
        + _field(3, "slow clock")
        + _field(1, _field(1, 7))
        + _field(1, plane)
        + _field(4, "second")
    )
    info = check(_file(tmp_path, data))
    assert info.hostnames == ["first", "second"]
    assert info.errors == ["device lost"]
    assert info.planes == ["", "/device:CPU:0"]
    assert (info.lines, info.has_events) == (2, False)


def test_long_names_and_64_bit_numbers(tmp_path: Path) -> None:
    host = "h" * 20_000  # its length takes a 3-byte number
    line = _field(1, -1) + _field(10, 2**63) + _field(3, 2**64 - 1) + _field(4, EVENT)
    assert len(_varint(-1)) == 10
    data = _field(1, _field(2, "/host:CPU") + _field(3, line)) + _field(4, host)
    info = check(_file(tmp_path, data))
    assert info.hostnames == [host]
    assert (info.planes, info.lines, info.has_events) == (["/host:CPU"], 1, True)


def test_text_that_is_not_utf8_is_replaced_not_refused(tmp_path: Path) -> None:
    data = _field(4, "café".encode()) + _field(4, b"caf\xe9")
    assert check(_file(tmp_path, data)).hostnames == ["café", "caf\ufffd"]


def test_a_line_is_read_only_up_to_its_first_event(tmp_path: Path) -> None:
    # events are skipped, not walked: bytes after a line's first event are not looked at, nor
    # the lines after the first that holds an event
    first = _field(1, 1) + _field(4, EVENT) + b"\xff\xff\xff"
    second = b"\x07garbage"
    data = _field(1, _field(3, first) + _field(3, second))
    info = check(_file(tmp_path, data))
    assert (info.lines, info.has_events) == (2, True)


def test_a_missing_file_exactly(tmp_path: Path) -> None:
    path = tmp_path / "gone.xplane.pb"
    assert _raises(path) == (
        f"Expected a capture file at {path}. Received: no such file (was it moved or deleted?). "
        "Capture again with workbench.profile()."
    )


def test_a_folder_in_place_of_the_file_exactly(tmp_path: Path) -> None:
    path = tmp_path / "host.xplane.pb"
    path.mkdir()
    with pytest.raises(IsADirectoryError) as reading:
        path.read_bytes()
    assert _raises(path) == f"Could not read the capture file {path}: {reading.value}"


def test_an_empty_file_exactly(tmp_path: Path) -> None:
    path = _file(tmp_path, b"")
    assert _raises(path) == (
        f"{path} is empty (0 bytes): the profiler captured no events. Profile code that runs "
        "TensorFlow ops (a fit, a tf.function call), for long enough to see them."
    )


def test_files_cut_short_exactly(tmp_path: Path) -> None:
    cut = b"\x0a"  # a plane's tag, then nothing
    assert _raises(_file(tmp_path, cut)) == (
        f"{tmp_path / 'host.xplane.pb'} is truncated (1 byte): a number at byte 1 runs past the "
        "end of its message. Was it copied or read while the profiler was still writing it? "
        "Capture again."
    )
    data = xspace(THREADS)[:-3]  # the last field: hostname "testhost", 8 bytes, 5 kept
    path = _file(tmp_path, data)
    what = f"the XSpace field at byte {len(data) - 7:,} claims 8 bytes but only 5 follow"
    assert _raises(path) == _truncated(path, len(data), what)


def test_a_byte_that_starts_no_field_exactly(tmp_path: Path) -> None:
    cases = [
        (b"hello world\n", "byte 0 (0x68) starts no field of XSpace"),
        (b"\x0a\x02\xff\x01", "byte 2 (0xff) starts no field of XPlane"),
        (_field(1, _field(3, b"\x07")), "byte 4 (0x07) starts no field of XLine"),
        # an event (XLine field 4) sent as a number
        (_field(1, _field(3, b"\x20\x01")), "byte 4 (0x20) starts no field of XLine"),
    ]
    for data, what in cases:
        path = _file(tmp_path, data)
        assert _raises(path) == _foreign(path, data, what)


def test_an_overrun_inside_the_file_is_damage_not_truncation(tmp_path: Path) -> None:
    cases = [
        # a plane name claiming 5 bytes of the plane's 2, then a hostname
        (_field(1, b"\x12\x05ab") + _field(4, "box"), "claims 5 bytes but only 2 follow"),
        # a name claiming up to the end of the file, past the end of its plane
        (b"\x0a\x02\x12\x03abc", "claims 3 bytes but only 0 follow"),
    ]
    for data, claim in cases:
        path = _file(tmp_path, data)
        assert _raises(path) == _foreign(path, data, f"the XPlane field at byte 2 {claim}")
    data = _field(1, b"\x08\x80") + _field(4, "box")  # a plane id ending inside its number
    path = _file(tmp_path, data)
    what = "a number at byte 3 runs past the end of its message"
    assert _raises(path) == _foreign(path, data, what)


def test_a_number_longer_than_ten_bytes_exactly(tmp_path: Path) -> None:
    data = _field(1, b"\x08" + b"\xff" * 10 + b"\x01")
    path = _file(tmp_path, data)
    what = "a number at byte 3 is longer than 10 bytes"
    assert _raises(path) == _foreign(path, data, what)
    data = b"\x08"  # one byte: a number field XSpace does not have
    path = _file(tmp_path, data)
    assert _raises(path) == (
        f"Expected an XSpace profile in {path} (an .xplane.pb written by TensorFlow's profiler). "
        "Received: a file of 1 byte starting b'\\x08': byte 0 (0x08) starts no field of XSpace."
    )
    data = b"\xff" * 20  # a tag that never ends
    path = _file(tmp_path, data)
    assert _raises(path) == _foreign(path, data, "a number at byte 0 is longer than 10 bytes")
