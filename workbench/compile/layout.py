"""The cell as the user sees it, parsed once: its statements with the values lifted out of
eager ones (``lift``), under a file name of its own whose line n is the user's cell line n."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from workbench.compile.codegen import digest, register_source
from workbench.compile.lift import lift


@dataclass(frozen=True)
class Layout:
    """The cell as the user sees it: line n of ``source`` is the user's cell line n."""

    source: str
    filename: str
    nodes: tuple[ast.stmt, ...]
    shows: bool  # the last statement is an expression whose value the cell shows
    lifted: tuple[str, ...] = ()  # names of values lifted out of eager statements (``lift``)


@lru_cache(maxsize=256)
def layout(source: str, first_line: int, shows: bool) -> Layout:
    padded = "\n" * (first_line - 1) + source
    filename = f"<workbench-cell-{digest(padded)}>"
    register_source(filename, padded)
    nodes, lifted = lift(tuple(ast.parse(padded).body))
    # the plan's last statement is its last non-definition; the cell shows only its very last
    return Layout(
        padded, filename, nodes, shows and bool(nodes) and isinstance(nodes[-1], ast.Expr), lifted
    )
