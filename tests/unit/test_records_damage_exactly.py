"""Reading TFRecord files past damage: which records survive and exactly which bytes are reported.

Files are written by TensorFlow's own ``TFRecordWriter``, then damaged at known places.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
import tensorflow as tf

from workbench.curves.records import Damage, masked_crc, read_records

PAYLOADS = [b"alpha", b"", b"a longer record of forty-odd bytes........", b"z" * 7]


def _record_size(payload: bytes) -> int:
    return 12 + len(payload) + 4


def _offsets(payloads: list[bytes]) -> list[int]:
    offsets, at = [], 0
    for payload in payloads:
        offsets.append(at)
        at += _record_size(payload)
    return offsets


def written(tmp_path: Path, payloads: list[bytes] = PAYLOADS) -> bytes:
    path = tmp_path / "tf.records"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for payload in payloads:
            writer.write(payload)
    return path.read_bytes()


def read(tmp_path: Path, data: bytes) -> tuple[list[bytes], list[Damage], list[str]]:
    path = tmp_path / "damaged.records"
    path.write_bytes(data)
    found = read_records(path)
    return found.records, found.damage, found.problems()


def test_our_crc_is_tensorflows_and_an_intact_file_reads_whole(tmp_path: Path) -> None:
    data = written(tmp_path)
    for payload, at in zip(PAYLOADS, _offsets(PAYLOADS), strict=True):
        header = data[at : at + 8]
        assert struct.unpack("<Q", header)[0] == len(payload)
        assert struct.unpack("<I", data[at + 8 : at + 12])[0] == masked_crc(header)
        end = at + 12 + len(payload)
        assert struct.unpack("<I", data[end : end + 4])[0] == masked_crc(payload)
    assert read(tmp_path, data) == (PAYLOADS, [], [])


def test_a_record_whose_data_is_damaged_is_skipped_and_its_bytes_named(tmp_path: Path) -> None:
    data = bytearray(written(tmp_path))
    at = _offsets(PAYLOADS)[2]
    data[at + 12 + 3] ^= 0xFF  # one byte of the third record's data: its header still checks out
    records, damage, problems = read(tmp_path, bytes(data))
    assert records == [PAYLOADS[0], PAYLOADS[1], PAYLOADS[3]]
    assert damage == [Damage(at, _record_size(PAYLOADS[2]))]
    assert problems == [
        f"damaged.records: {_record_size(PAYLOADS[2])} damaged bytes at byte {at} skipped; "
        "the records after them were read"
    ]


def test_one_stray_byte_before_a_record_costs_only_that_byte(tmp_path: Path) -> None:
    data = written(tmp_path)
    at = _offsets(PAYLOADS)[1]
    records, damage, _ = read(tmp_path, data[:at] + b"\x00" + data[at:])
    assert records == PAYLOADS
    assert damage == [Damage(at, 1)]


def test_damage_right_before_the_smallest_last_record_still_finds_it(tmp_path: Path) -> None:
    payloads = [b"first", b""]  # the last record is 16 bytes: header and footer only
    data = written(tmp_path, payloads)
    at = _offsets(payloads)[1]
    records, damage, _ = read(tmp_path, data[:at] + b"junk" + data[at:])
    assert records == payloads
    assert damage == [Damage(at, 4)]


def test_a_cut_off_last_record_is_told_from_trailing_garbage(tmp_path: Path) -> None:
    data = written(tmp_path)
    last = _offsets(PAYLOADS)[3]
    # cut inside the last record, its 12-byte header whole: a writer stopped mid-write
    records, damage, problems = read(tmp_path, data[: last + 12])
    assert records == PAYLOADS[:3]
    assert damage == [Damage(last, 12, truncated=True)]
    assert problems == [
        "damaged.records: the last record is cut off (12 bytes at byte "
        f"{last}): its writer stopped mid-write"
    ]
    # 12 bytes that are no header, after the last record: damage, not a cut-off record
    records, damage, _ = read(tmp_path, data + b"\x01" * 12)
    assert records == PAYLOADS
    assert damage == [Damage(len(data), 12, truncated=False)]
    # fewer bytes than a header can only be a cut-off start
    _, damage, _ = read(tmp_path, data + b"\x01" * 5)
    assert damage == [Damage(len(data), 5, truncated=True)]


def test_a_header_claiming_an_impossible_length_is_damage(tmp_path: Path) -> None:
    data = written(tmp_path)
    header = struct.pack("<Q", 2**63 + 5)  # checks out by its CRC, but no file is that long
    forged = header + struct.pack("<I", masked_crc(header))
    records, damage, _ = read(tmp_path, forged + data)
    assert records == PAYLOADS
    assert damage == [Damage(0, len(forged))]


@pytest.mark.parametrize("size", [0, 3])
def test_a_file_too_short_for_any_record_has_nothing_to_read(tmp_path: Path, size: int) -> None:
    records, damage, _ = read(tmp_path, b"\x07" * size)
    assert records == []
    assert damage == ([Damage(0, size, truncated=True)] if size else [])
