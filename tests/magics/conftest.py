"""A real IPython shell, in-process, with the workbench loaded: what a kernel runs cells in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def ip() -> Iterator[Any]:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython() or InteractiveShell.instance()  # None once started
    shell.run_line_magic("load_ext", "workbench")
    shell.run_cell("import numpy as np\nimport tensorflow as tf\nimport keras")
    try:
        yield shell
    finally:
        shell.run_line_magic("compile_mode", "eager")
        shell.run_line_magic("tf_debug", "off")
        shell.run_line_magic("reset", "-f")


def run(shell: Any, source: str) -> Any:
    """Run a cell; fail the test with the cell's own error if it raised."""
    result = shell.run_cell(source)
    if result.error_before_exec or result.error_in_exec:
        raise result.error_before_exec or result.error_in_exec
    return result.result
