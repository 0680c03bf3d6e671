"""RGB images as PNG bytes, for pictures saved in notebooks and projector sprites: no imaging
library is a dependency of the workbench."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import numpy.typing as npt

__all__ = ["png_bytes"]


def png_bytes(rgb: npt.NDArray[np.uint8], level: int = 9) -> bytes:
    """An RGB image (height x width x 3, uint8) as an 8-bit PNG, compressed at zlib ``level``."""
    height, width, _ = rgb.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, width * 3)], 1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")
