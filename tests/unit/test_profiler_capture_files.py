"""A capture file is checked before xprof reads it: whatever is wrong with it (missing, empty,
truncated anywhere, not a profile at all, no events) is a ProfilerError that names the file and
says what to do, never TensorBoard's bare "No profile data was found"; a good file's hosts,
planes and threads are read from its framing alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiler.xspace import write_capture, xspace
from workbench.profiler.capture import CaptureData
from workbench.profiler.errors import ProfilerError
from workbench.profiler.xplane import check

THREADS = {"python": [("step", 0, 10_000), ("MatMul", 1_000, 3_000)], "pool": [("Relu", 0, 50)]}


def _file(tmp_path: Path, data: bytes, name: str = "host.xplane.pb") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_good_file_is_read_from_its_framing(tmp_path: Path) -> None:
    info = check(_file(tmp_path, xspace(THREADS, host="box")))
    assert info.hostnames == ["box"]
    assert info.planes == ["/host:CPU"]
    assert info.lines == 2
    assert info.has_events


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gone.xplane.pb"
    expected = f"Expected a capture file at {path}. Received: no such"
    with pytest.raises(ProfilerError, match=expected):
        check(path)


def test_an_empty_file_says_nothing_was_captured(tmp_path: Path) -> None:
    path = _file(tmp_path, b"")
    with pytest.raises(ProfilerError, match=rf"{path} is empty \(0 bytes\): the profiler captured"):
        check(path)


@pytest.mark.parametrize("keep", [1, 2, 10, 60, -1])
def test_a_file_cut_anywhere_is_truncated(tmp_path: Path, keep: int) -> None:
    data = xspace(THREADS)
    path = _file(tmp_path, data[:keep])
    with pytest.raises(ProfilerError) as error:
        check(path)
    message = str(error.value)
    size = len(data[:keep])
    assert message.startswith(f"{path} is truncated ({size:,} byte{'s' * (size > 1)})")
    assert "Capture again" in message


@pytest.mark.parametrize(
    "data", [b"hello world\n", b"\x00" * 8, b'{"traceEvents": []}', bytes(range(7, 200))]
)
def test_a_foreign_file_is_not_a_profile(tmp_path: Path, data: bytes) -> None:
    path = _file(tmp_path, data)
    with pytest.raises(ProfilerError) as error:
        check(path)
    message = str(error.value)
    assert message.startswith(f"Expected an XSpace profile in {path}")
    assert f"Received: a file of {len(data):,} bytes starting {data[:16]!r}" in message


def test_a_capture_without_events_is_refused_before_xprof(tmp_path: Path) -> None:
    folder = write_capture(tmp_path, {"python": []})
    with pytest.raises(ProfilerError, match="the capture holds no events"):
        CaptureData.open(folder)


def test_folders_without_captures_and_other_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(ProfilerError, match=f"Expected .xplane.pb files in {tmp_path}"):
        CaptureData.open(tmp_path)
    other = _file(tmp_path, b"x", "notes.txt")
    with pytest.raises(ProfilerError, match=r"Expected a capture folder or an \.xplane\.pb file"):
        CaptureData.open(other)
    with pytest.raises(ProfilerError, match=r"Expected a capture at .*nowhere\. Received: no such"):
        CaptureData.open(tmp_path / "nowhere")


def test_one_damaged_host_of_several_is_named(tmp_path: Path) -> None:
    folder = write_capture(tmp_path, THREADS)
    bad = folder / "second.xplane.pb"
    bad.write_bytes(xspace(THREADS)[:-3])
    with pytest.raises(ProfilerError, match=f"{bad} is truncated"):
        CaptureData.open(folder)
