"""Reading the records of an event file, past damage, and saying what was lost.

An event file is a TFRecord file: each record is ``length`` (8 bytes, little-endian), a masked
CRC-32C of those 8 bytes, ``length`` bytes of data, and a masked CRC-32C of the data. TensorBoard's
reader stops at the first bad record, silently: 64 random bytes in the middle of a 2,000-step file
hid the 1,400 steps after them. Here a bad record is skipped by finding the next offset where a
whole record checks out (both CRCs), and every skip is reported, with where and how much.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import google_crc32c

_HEADER = 12  # length (8) + its CRC (4)
_FOOTER = 4  # the data's CRC
_MASK_DELTA = 0xA282EAD8


def masked_crc(data: bytes | memoryview) -> int:
    """TFRecord's masked CRC-32C (so that CRCs of CRCs do not cancel out)."""
    crc = int(google_crc32c.value(bytes(data)))
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


@dataclass
class Damage:
    """Bytes of a file that held no readable record."""

    offset: int
    size: int
    truncated: bool = False  # the file ends inside a record (a writer stopped mid-write)


@dataclass
class FileRecords:
    path: Path
    records: list[bytes] = field(default_factory=list)
    damage: list[Damage] = field(default_factory=list)
    # where a reader following the file resumes: after the last whole record, or before a cut-off
    # last record (a live writer is mid-write there; the rest of it comes later)
    end: int = 0

    def problems(self) -> list[str]:
        """One sentence per damaged stretch, naming the file, as users and the panel read it."""
        out = []
        for damage in self.damage:
            if damage.truncated:
                out.append(
                    f"{self.path.name}: the last record is cut off ({damage.size} bytes at byte "
                    f"{damage.offset}): its writer stopped mid-write"
                )
            else:
                out.append(
                    f"{self.path.name}: {damage.size} damaged bytes at byte {damage.offset} "
                    "skipped; the records after them were read"
                )
        return out


def read_records(path: Path, offset: int = 0) -> FileRecords:
    """Every intact record of the TFRecord file ``path`` from byte ``offset`` (a record's start:
    the ``end`` of an earlier read, to read only what a live writer added since), and the
    stretches that were not. Damage offsets count from the file's start.

    Raises:
        OSError: ``path`` cannot be read (the caller names it).
    """
    with path.open("rb") as file:
        file.seek(offset)
        data = memoryview(file.read())
    found = FileRecords(path)
    position, size = 0, len(data)
    while position < size:
        record = _record_at(data, position)
        if record is not None:
            found.records.append(bytes(record))
            position += _HEADER + len(record) + _FOOTER
            continue
        start = position
        next_position = _resync(data, position + 1)
        if next_position is None:
            truncated = _cut_short(data, start)
            found.damage.append(Damage(offset + start, size - start, truncated=truncated))
            position = start if truncated else size
            break
        found.damage.append(Damage(offset + start, next_position - start))
        position = next_position
    found.end = offset + position
    return found


def iter_files(directory: Path) -> Iterator[Path]:
    """The event files of ``directory`` in the order TensorBoard reads them (by name)."""
    return iter(sorted(directory.glob("events.out.tfevents.*")))


def _record_at(data: memoryview, offset: int) -> memoryview | None:
    if offset + _HEADER > len(data):
        return None
    header = data[offset : offset + 8]
    (length,) = struct.unpack("<Q", header)
    (header_crc,) = struct.unpack("<I", data[offset + 8 : offset + 12])
    if masked_crc(header) != header_crc:
        return None
    end = offset + _HEADER + length
    if end + _FOOTER > len(data):
        return None
    record = data[offset + _HEADER : end]
    (data_crc,) = struct.unpack("<I", data[end : end + _FOOTER])
    return record if masked_crc(record) == data_crc else None


def _resync(data: memoryview, offset: int) -> int | None:
    """The first offset from ``offset`` where a whole record checks out."""
    for candidate in range(offset, len(data) - _HEADER - _FOOTER + 1):
        if _record_at(data, candidate) is not None:
            return candidate
    return None


def _cut_short(data: memoryview, offset: int) -> bool:
    """Whether the bytes from ``offset`` are a record's valid start that the file ends inside."""
    if offset + _HEADER > len(data):
        return True
    (header_crc,) = struct.unpack("<I", data[offset + 8 : offset + 12])
    return bool(masked_crc(data[offset : offset + 8]) == header_crc)
