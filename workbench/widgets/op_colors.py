"""The color of an event on a timeline, from its name: the same in the kernel's static picture
and in the browser (``extensions/widgets/timeline/colors.ts`` computes the same hash; a test
compares the two on the same names)."""

from __future__ import annotations

__all__ = ["BLOCK_ALPHA", "PALETTE", "color_index", "color_of"]

# Muted, distinguishable on white and readable under black text (Chrome's trace viewer uses a
# similar set of pastels).
PALETTE = (
    "#8fb8de",
    "#f2b880",
    "#9fd39f",
    "#e59a9a",
    "#c3a8dd",
    "#c9a99a",
    "#efb4da",
    "#b9b9b9",
    "#d6d67f",
    "#86d0d8",
    "#a7c4f2",
    "#f7cf9b",
    "#b7e3a8",
    "#f0b3b3",
    "#d7c4ea",
    "#dfc3b6",
)
BLOCK_ALPHA = 0.75  # merged blocks of many events are drawn a little lighter


def color_index(name: str) -> int:
    """FNV-1a (32-bit) of the name's UTF-16 code units, modulo the palette's size."""
    value = 0x811C9DC5
    data = name.encode("utf-16-le")
    for i in range(0, len(data), 2):
        value ^= data[i] | data[i + 1] << 8
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % len(PALETTE)


def color_of(name: str) -> str:
    return PALETTE[color_index(name)]
