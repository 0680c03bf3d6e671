"""IPython magics: thin sugar over ``workbench.compile``.

``%%compile [eager|function|xla] [--compare] [--steps N]``, ``%compile_mode [mode]`` and
``%tf_debug [on|off]``. A failing compiled cell shows its CompileError as one short message
(the line, the cause, the fix) instead of a traceback through the workbench's internals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from workbench.compile.modes import LABELS, MODES, default_mode, set_default_mode

MAGIC_LINE = "%%compile"
_transforming_body = False


@magics_class
class CompileMagics(Magics):
    @magic_arguments()
    @argument("mode", nargs="?", choices=MODES, help="default: the %%compile_mode setting")
    @argument("--compare", action="store_true", help="time eager, tf.function and XLA")
    @argument("--steps", type=int, default=10, help="timed runs per mode for --compare")
    @cell_magic
    def compile(self, line: str, cell: str) -> Any:
        """Run the cell eagerly, as a tf.function or XLA-compiled; see workbench.compile_cell."""
        from workbench.compile import compile_cell

        args = _parse(self.compile, line)
        shell = self.shell
        assert shell is not None  # registered on a shell
        run = compile_cell(
            _transformed(shell, cell),
            shell.user_ns,
            args.mode or default_mode(),
            compare=args.compare,
            steps=args.steps,
            first_line=2,
        )
        display(run.report.bundle(), raw=True)
        # IPython's convention: a cell ending in ";" shows no value
        return None if cell.rstrip().endswith(";") else run.value

    @line_magic
    def compile_mode(self, line: str) -> None:
        """Show or set how cells without %%compile run: eager, function or xla."""
        if line.strip():
            set_default_mode(line.strip())
        mode = default_mode()
        print(f"Cells without %%compile run {LABELS[mode]} ({mode}).")

    @line_magic
    def tf_debug(self, line: str) -> None:
        """on: every tf.function runs eagerly (breakpoints and print work); off: compiled again."""
        import tensorflow as tf

        value = line.strip().lower()
        if value not in ("", "on", "off"):
            raise ValueError(f"Expected %tf_debug on or off. Received: {line.strip()!r}")
        if value:
            tf.config.run_functions_eagerly(value == "on")
        state = "on" if tf.config.functions_run_eagerly() else "off"
        print(f"tf_debug {state}: tf.functions run {'eagerly' if state == 'on' else 'compiled'}.")


@lru_cache(maxsize=128)
def _parse(magic: Any, line: str) -> Any:
    """The magic's arguments; cached, as argparse costs more than a small compiled step."""
    return parse_argstring(magic, line)


@lru_cache(maxsize=128)
def _transform(shell: Any, cell: str) -> str:
    global _transforming_body
    _transforming_body = True  # the body is a cell's text too: no second %%compile line
    try:
        return str(shell.transform_cell(cell))
    finally:
        _transforming_body = False


def _transformed(shell: Any, cell: str) -> str:
    """IPython syntax in the body made Python; cached, as re-running a cell is the common case."""
    return _transform(shell, cell)


def default_mode_transformer(lines: list[str]) -> list[str]:
    """Cells without a cell magic run in the %compile_mode default when it is not eager."""
    if default_mode() == "eager" or _transforming_body:
        return lines
    first = next((line for line in lines if line.strip()), None)
    # A cell of magics or shell commands would run eagerly anyway (compile_cell runs any cell
    # that calls get_ipython() as Python): leave it alone rather than print a report for it.
    if first is None or first.lstrip().startswith(("%", "!")) or first.rstrip().endswith("?"):
        return lines
    return [f"{MAGIC_LINE}\n", *lines]


def show_compile_error(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None
) -> list[str]:
    """IPython custom exception handler: the message alone, as the cell's error output.

    IPython does not show what a handler returns; ``_showtraceback`` is what a kernel
    overrides to publish the error output (and what a terminal prints).
    """
    stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb
