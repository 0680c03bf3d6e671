"""xprof's converters, offline, in this process: a capture's ``.xplane.pb`` files to the data of
one tool (``trace_viewer`` JSON, ``overview_page`` tables, ...).

``xprof.convert.raw_to_tool_data.xspace_to_tool_data`` is the converter TensorBoard's profile
plugin runs (``tensorboard_plugin_profile.convert`` no longer exists). It answers a file it cannot
read with ``None`` and a C++ log line on fd 2, which ipykernel would put in the cell's output: the
files are checked first (``xplane.check``), each failure is a ``ProfilerError`` naming the files,
and fd 2 is quiet while xprof works (``_quiet``: its harmless "No UnifiedProfileProcessor
registered" lines). xprof caches its analysis beside the capture (``ALL_HOSTS.op_stats_v2.pb``),
as TensorBoard does, so the second tool of a capture costs little.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench._quiet import quiet_native_stderr
from workbench.profiler.errors import ProfilerError

__all__ = ["TOOLS", "ToolData", "convert", "xprof_version"]

TOOLS = (
    "trace_viewer",
    "overview_page",
    "input_pipeline_analyzer",
    "framework_op_stats",
    "memory_profile",
)
INSTALL = "pip install tensorboard-plugin-profile (it brings xprof)"
# One conversion at a time: each redirects the process's fd 2 while it runs, and two threads doing
# so at once could restore each other's redirection and lose stderr for good.
_lock = threading.Lock()


class ToolData:
    """One tool's output for a capture: ``data`` (parsed JSON, or None when the tool has nothing
    for it, as ``memory_profile`` on a CPU) and how long the conversion took."""

    def __init__(self, tool: str, data: Any, seconds: float, raw_bytes: int) -> None:
        self.tool = tool
        self.data = data
        self.seconds = seconds
        self.raw_bytes = raw_bytes


def xprof_version() -> str | None:
    """xprof's version, or None when it is not installed in this Python."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xprof")
    except PackageNotFoundError:
        return None


def convert(paths: Sequence[Path], tool: str, *, parse: bool = True) -> ToolData:
    """Runs xprof's ``tool`` on the capture files ``paths`` (one per host).

    Args:
        paths: the ``.xplane.pb`` files of one capture (checked by ``xplane.check`` first).
        tool: one of ``TOOLS``.
        parse: parse the JSON (False: ``data`` is the text, for callers that parse it their way).

    Raises:
        ProfilerError: xprof is not installed, or it could not read the files.
    """
    if tool not in TOOLS:
        raise ValueError(f"Expected a tool in {TOOLS}. Received: {tool!r}")
    if not paths:
        raise ProfilerError("Expected at least one .xplane.pb file to convert. Received: none")
    try:
        from xprof.convert import raw_to_tool_data  # type: ignore[import-untyped]
    except ImportError as error:
        folder = Path(paths[0]).parent
        raise ProfilerError(
            "The profiler plugin (xprof) is not installed in this kernel's Python, so the capture "
            f"in {folder} cannot be read here: {INSTALL}, then restart the kernel. "
            f"({type(error).__name__}: {error})"
        ) from error
    started = time.perf_counter()
    with _lock, quiet_native_stderr(level=3):  # keep fatal lines only
        try:
            raw, _content_type = raw_to_tool_data.xspace_to_tool_data(
                [str(p) for p in paths], tool, {}
            )
        except Exception as error:  # xprof raises anything from ValueError to RuntimeError
            raise ProfilerError(
                f"xprof could not convert {_names(paths)} ({tool}): {type(error).__name__}: {error}"
            ) from error
    seconds = time.perf_counter() - started
    if raw is None:
        raise ProfilerError(
            f"xprof could not read {_names(paths)} ({tool}): the file passed the framing check "
            "but is damaged inside. Capture again."
        )
    size = len(raw)
    if tool == "memory_profile" and not raw:
        return ToolData(tool, None, seconds, 0)
    if not parse:
        return ToolData(tool, raw, seconds, size)
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise ProfilerError(
            f"xprof's {tool} output for {_names(paths)} is not JSON ({error}); xprof "
            f"{xprof_version()} may be newer than this workbench expects."
        ) from error
    return ToolData(tool, data, seconds, size)


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths)
