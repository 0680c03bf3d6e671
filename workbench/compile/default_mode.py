"""Cells without ``%%compile`` in the kernel-wide default mode (``%compile_mode``), and the body of
a ``%%compile`` cell made Python.

Both go through IPython's input transformers, which see a cell's text before IPython runs it:
:data:`transformer` (registered in the cleanup stage by ``%load_ext workbench``) puts a
``%%compile`` line on top of a cell when the default is not eager. A ``%%compile`` cell's body
needs IPython's transforms too (its ``!ls`` and ``%time`` made Python), but it must not get a
second ``%%compile`` line: :meth:`DefaultModeTransformer.body` transforms it with the
transformer switched off. Only strings and a duck-typed shell here: no IPython import.
"""

from __future__ import annotations

from typing import Any

from workbench.compile.modes import default_mode

MAGIC_LINE = "%%compile"
_BODIES = 128  # bodies remembered: re-running a cell is the common case


class DefaultModeTransformer:
    """An IPython cleanup transformer (``lines -> lines``) that holds its own on/off state.

    Example:
        >>> from workbench.compile.modes import set_default_mode
        >>> _ = set_default_mode("xla")
        >>> transformer(["y = x * 2\\n"])
        ['%%compile\\n', 'y = x * 2\\n']
        >>> transformer(["%time y = x * 2\\n"])  # a magic runs as Python anyway
        ['%time y = x * 2\\n']
        >>> _ = set_default_mode("eager")
    """

    def __init__(self) -> None:
        self._in_body = False
        self._bodies: dict[tuple[int, str], str] = {}
        self._hidden: str | None = None  # the last cell given a %%compile line the user never saw

    def hid_line_above(self, cell: str) -> bool:
        """Whether ``cell`` (a %%compile body) is the cell this transformer last put a magic
        line on: its lines are then numbered from 1, as the user sees them, not from 2."""
        hidden, self._hidden = self._hidden, None
        return hidden is not None and hidden.rstrip() == cell.rstrip()

    def __call__(self, lines: list[str]) -> list[str]:
        if self._in_body or default_mode() == "eager":
            return lines
        first = next((line for line in lines if line.strip()), None)
        # A cell of magics or shell commands would run eagerly anyway (compile_cell runs any
        # cell that calls get_ipython() as Python): leave it alone rather than report on it.
        if first is None or first.lstrip().startswith(("%", "!")) or first.rstrip().endswith("?"):
            return lines
        self._hidden = "".join(lines)
        return [f"{MAGIC_LINE}\n", *lines]

    def body(self, shell: Any, cell: str) -> str:
        """A ``%%compile`` cell's body (the text below the magic line) with IPython syntax made
        Python by ``shell.transform_cell``; cached, as re-running a cell is the common case."""
        key = (id(shell), cell)
        source = self._bodies.get(key)
        if source is None:
            self._in_body = True
            try:
                source = str(shell.transform_cell(cell))
            finally:
                self._in_body = False
            self._bodies[key] = source
            if len(self._bodies) > _BODIES:
                del self._bodies[next(iter(self._bodies))]  # the oldest
        return source


transformer = DefaultModeTransformer()
"""The one instance ``%load_ext workbench`` registers; ``%%compile`` transforms bodies with it."""
