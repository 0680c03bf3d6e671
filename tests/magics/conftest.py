"""Helpers for tests that run cells in the in-process shell (``ip``, in tests/conftest.py)."""

from __future__ import annotations

from typing import Any


def run(shell: Any, source: str) -> Any:
    """Run a cell; fail the test with the cell's own error if it raised."""
    result = shell.run_cell(source)
    if result.error_before_exec or result.error_in_exec:
        raise result.error_before_exec or result.error_in_exec
    return result.result
