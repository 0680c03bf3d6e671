"""TensorFlow's import-time C++ log lines, kept out of cell outputs as TF_CPP_MIN_LOG_LEVEL asks.

TensorFlow 2.21 logs "oneDNN custom operations are on" (once per native library it loads) through
absl *before* it applies ``TF_CPP_MIN_LOG_LEVEL``, and absl adds a line saying that logging is not
initialised yet; ipykernel forwards the process's fd 2 into the output of whichever cell imported
TensorFlow, and the saved notebook keeps them. While ``tensorflow`` is first imported, fd 2 is sent
to a temporary file; afterwards what it caught is written back to fd 2 without the lines the log
level hides. Nothing is lost: an import error, or anything another thread wrote meanwhile, still
reaches the output, only later.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

ABSL_NOT_INITIALIZED = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
)
# absl's "I0000 00:00:1795579442.205654   18555 port.cc:153] ..." and TensorFlow's older
# "2024-01-11 05:40:05.061907: I tensorflow/core/platform/cpu_feature_guard.cc:182] ..."
# and LiteRT's own "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
_LOG_LINE = re.compile(
    r"^(?:(?P<absl>[IWEF])\d{4} \d\d:\d\d:[\d.]+\s+\d+ \S+:\d+\]"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:[\d.]+: (?P<tf>[IWEF]) \S+:\d+\]"
    r"|(?P<lite>INFO|WARNING|ERROR): )"
)
_SEVERITIES = "IWEF"  # TF_CPP_MIN_LOG_LEVEL n hides the first n of these


def min_log_level() -> int:
    """TF_CPP_MIN_LOG_LEVEL as TensorFlow reads it: 0 (show everything) when unset or invalid."""
    try:
        return max(0, min(3, int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))))
    except ValueError:
        return 0


def without_hidden_lines(text: str, level: int) -> str:
    """``text`` less the C++ log lines that ``level`` (TF_CPP_MIN_LOG_LEVEL) hides."""
    hidden = _SEVERITIES[:level]
    kept = []
    for line in text.splitlines(keepends=True):
        if level >= 1 and line.rstrip("\r\n") == ABSL_NOT_INITIALIZED:
            continue
        match = _LOG_LINE.match(line)
        if match and (match["absl"] or match["tf"] or match["lite"][0]) in hidden:
            continue
        kept.append(line)
    return "".join(kept)


@contextmanager
def quiet_native_stderr(level: int | None = None) -> Iterator[None]:
    """Within the block, fd 2 goes to a temporary file; on the way out, what it caught goes back
    to fd 2 less the log lines ``level`` hides (TF_CPP_MIN_LOG_LEVEL when None)."""
    level = min_log_level() if level is None else level
    if level < 1:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            rest = without_hidden_lines(caught.read().decode(errors="replace"), level)
            if rest:
                os.write(2, rest.encode())


class _QuietLoader(importlib.abc.Loader):
    """TensorFlow's own loader, executing the package with fd 2 quieted."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        with quiet_native_stderr():
            self._loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _QuietFirstImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as the path finder does, with a quieting loader; once."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        uninstall()
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


_finder = _QuietFirstImport()


def install() -> None:
    """Quiet TensorFlow's first import in this process (no-op once it is imported)."""
    if "tensorflow" not in sys.modules and _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


@contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """``quiet_native_stderr``, and TensorFlow's Python INFO lines ("Assets written to: ...", which
    a SavedModel written for a conversion adds to the cell) held back as its log level asks."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    if logger.getEffectiveLevel() < logging.WARNING and min_log_level() >= 1:
        logger.setLevel(logging.WARNING)
    try:
        with quiet_native_stderr():
            yield
    finally:
        logger.setLevel(level)
