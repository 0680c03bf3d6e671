"""The Python a compiled cell runs as, written from what ``analysis`` read, and the file names it
runs under.

The cell's statements become ``__wb_make(__wb_export) -> __wb_cell(*parameters)``: the inner
function is what ``tf.function`` traces, the outer one hands it the ``export`` callback that sorts
what the statements assigned (``traces``). Each statement keeps its cell line (plus the two header
lines), so AutoGraph's and TensorFlow's error locations map straight back to the cell.

AutoGraph reads a function's source through ``linecache`` to convert it, so every file name code
is compiled under here is registered there.
"""

from __future__ import annotations

import ast
import hashlib
import io
import linecache
import tokenize
from functools import lru_cache

from workbench.compile.analysis import CellPlan, Signature

RESULT = "__wb_result"
EXPORT = "__wb_export"
CELL_FUNCTION = "__wb_cell"
MAKE = "__wb_make"
VALUES = "__wb_values"
HEADER_LINES = 2  # `def __wb_make(...)` and `def __wb_cell(...)` above the cell's first line


def function_source(plan: CellPlan, signature: Signature) -> str:
    """The plan's statements as ``__wb_make(__wb_export) -> __wb_cell(*parameters)``.

    Args:
        plan: the analysed cell.
        signature: which names are parameters and which are exported (``CellPlan.signature``).

    Returns:
        Module source defining ``__wb_make``; the statement on cell line ``n`` sits on line
        ``n + HEADER_LINES``, so :func:`cell_line` maps a line back.
    """
    lines = plan.source.splitlines()
    body: list[str] = []
    last = len(plan.statements) - 1
    for index, node in enumerate(plan.statements):
        segment = _segment(lines, node, plan.siblings or plan.hoisted + plan.statements)
        if index == last and plan.last_is_expression:
            segment[0] = f"{RESULT} = {segment[0]}"
        target = node.lineno - 1  # 0-based line in the body
        body.extend([""] * max(0, target - len(body)))
        body.extend(segment)
    indented = [f"        {line}" if line.strip() else "" for line in body]
    # a name assigned only in a loop that ran no pass (or a branch not taken) stays unassigned,
    # as eagerly: read where the trace may not have bound it, it is left out of the exports
    unsure = [
        n for n in signature.exports if n not in plan.top_stores and n not in signature.parameters
    ]
    exports = ", ".join(f"{name!r}: {name}" for name in signature.exports if name not in unsure)
    result = RESULT if plan.last_is_expression else "None"
    return "\n".join(
        [
            f"def {MAKE}({EXPORT}):",
            f"    def {CELL_FUNCTION}({', '.join(signature.parameters)}):",
            *indented,
            f"        {VALUES} = {{{exports}}}",
            *(
                line
                for name in unsure
                for line in (
                    "        try:",
                    f"            {VALUES}[{name!r}] = {name}",
                    "        except NameError:",  # UnboundLocalError, AutoGraph's too
                    "            pass",
                )
            ),
            f"        return {EXPORT}({VALUES}, {result})",
            f"    return {CELL_FUNCTION}",
            "",
        ]
    )


def cell_line(function_line: int) -> int:
    """A line of :func:`function_source` -> the cell's line (1-based)."""
    return function_line - HEADER_LINES


@lru_cache(maxsize=256)
def digest(source: str) -> str:
    """A short stable name for a cell's source; cached, as it is asked on every run."""
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def cell_file(source: str) -> str:
    """The file name the cell's own code (its hoisted part, its Python path) is compiled under,
    registered in ``linecache`` so that tracebacks and AutoGraph can quote its lines."""
    filename = f"<workbench-cell-{digest(source)}>"
    if filename not in linecache.cache:  # re-checked each run: linecache.clearcache() empties it
        register_source(filename, source)
    return filename


def register_source(filename: str, source: str) -> None:
    # An mtime of None keeps linecache.checkcache (which IPython calls) from dropping the entry.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _segment(lines: list[str], node: ast.stmt, siblings: tuple[ast.stmt, ...]) -> list[str]:
    """The statement's own source lines, or its unparsed form when the lines are not its alone.

    Another statement on the same line (``a = 1; b = 2``) or a string spanning lines (whose
    content re-indenting would change) makes the lines unusable as they are.
    """
    first, last = node.lineno, node.end_lineno or node.lineno
    shares_line = any(
        other is not node and (other.end_lineno or other.lineno) >= first and other.lineno <= last
        for other in siblings
    )
    text = lines[first - 1 : last]
    if shares_line or (last > first and _has_multiline_string("\n".join(text))):
        return ast.unparse(node).splitlines()
    indent = node.col_offset  # a loop body's statement (``loops``) stands indented
    if indent:
        if any(line.strip() and line[:indent].strip() for line in text):
            return ast.unparse(node).splitlines()
        return [line[indent:] for line in text]
    return text


def _has_multiline_string(text: str) -> bool:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError):
        return True
    return any(tok.type == tokenize.STRING and tok.start[0] != tok.end[0] for tok in tokens)
