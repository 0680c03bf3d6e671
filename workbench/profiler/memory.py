"""Peak memory per allocator, from xprof's ``memory_profile`` (empty on a CPU-only capture:
TensorFlow's CPU allocator does not record its use)."""

from __future__ import annotations

from typing import Any

__all__ = ["peak_memory"]


def peak_memory(data: Any) -> dict[str, int]:
    """Allocator (e.g. ``GPU_0_bfc``) -> its peak bytes in use during the capture; {} if none."""
    if not isinstance(data, dict):
        return {}
    allocators = data.get("memoryProfilePerAllocator")
    if not isinstance(allocators, dict):
        return {}
    peaks: dict[str, int] = {}
    for name, profile in allocators.items():
        try:
            stats = profile["profileSummary"]["peakStats"]
            peak = int(float(stats.get("peakBytesInUse", 0)))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if peak > 0:
            peaks[str(name)] = peak
    return peaks
