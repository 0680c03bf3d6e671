"""IPython magics: sugar over ``workbench.compile`` and ``workbench.profile``, each a parse and
one call.

``%%compile [eager|function|xla] [--compare] [--steps N] [--report]``, ``%compile_mode [mode]``
and ``%tf_debug [on|off]``. What they do lives in the compile package: ``compile.shell`` (a cell
run in a shell, its report shown when new), ``compile.default_mode`` (cells without the magic)
and ``compile.modes``. A failing compiled cell shows its ``CompileError`` as one short message
because the error renders its own traceback (IPython's ``_render_traceback_`` protocol).
``%%profile [--logdir DIR] [--max-seconds S]`` runs its cell under ``workbench.profile()``.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from workbench.compile.modes import (
    MODES,
    default_mode,
    set_default_mode,
    set_tf_debug,
    tf_debug,
)

_RUN_AS = {"eager": "eagerly", "function": "as tf.function", "xla": "XLA-compiled"}


@magics_class
class CompileMagics(Magics):
    @magic_arguments()
    @argument("mode", nargs="?", choices=MODES, help="default: the %%compile_mode setting")
    @argument("--compare", action="store_true", help="time eager, tf.function and XLA")
    @argument("--steps", type=int, default=10, help="timed runs per mode for --compare")
    @argument("--report", action="store_true", help="show the report even if nothing changed")
    @argument("--graph", action="store_true", help="show Grappler's rewrites, placement, XLA HLO")
    @cell_magic
    def compile(self, line: str, cell: str) -> Any:
        """Run the cell eagerly, as one tf.function, or XLA-compiled.

        ``%%compile xla --compare`` is
        ``workbench.compile_cell(cell, get_ipython().user_ns, "xla", compare=True)``
        on the cell's text with its IPython syntax made Python; the magic shows the run's report
        when it says something new (a trace, a retrace, a changed note; always with --report or
        --compare) and returns the run's value (workbench.compile.shell.compile_in_shell).
        ``--graph`` then shows what Grappler, placement and XLA did to the cell's functions
        (workbench.compile.graph).
        """
        __tracebackhide__ = True  # IPython leaves this frame out of tracebacks it shows
        from workbench.compile.shell import compile_in_shell  # TensorFlow: at the first cell

        args = _parse(self.compile, line)
        graph: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        if args.graph:  # workbench.compile.graph.show_graph: what compilation did, shown after
            from workbench.compile.graph import show_graph

            graph = show_graph(self.shell)
        with graph:
            return compile_in_shell(
                self.shell,
                cell,
                args.mode,
                compare=args.compare,
                steps=args.steps,
                report=args.report,
            )

    @line_magic
    def compile_mode(self, line: str) -> None:
        """Show or set how cells without %%compile run: eager, function or xla.

        ``%compile_mode xla`` is ``workbench.compile.set_default_mode("xla")``;
        ``%compile_mode`` alone prints ``workbench.compile.default_mode()``.
        """
        mode = set_default_mode(line.strip()) if line.strip() else default_mode()
        print(f"Cells without %%compile run {_RUN_AS[mode]}.")

    @line_magic
    def tf_debug(self, line: str) -> None:
        """on: every tf.function runs eagerly (breakpoints and print work); off: compiled again.

        ``%tf_debug on`` is ``workbench.compile.modes.set_tf_debug(True)``, that is
        ``tf.config.run_functions_eagerly(True)``; ``%tf_debug`` alone prints
        ``workbench.compile.modes.tf_debug()``.
        """
        value = line.strip().lower()
        if value not in ("", "on", "off"):
            raise ValueError(f"Expected %tf_debug on or off. Received: {line.strip()!r}")
        on = set_tf_debug(value == "on") if value else tf_debug()
        print(
            f"tf_debug {'on' if on else 'off'}: tf.functions run {'eagerly' if on else 'compiled'}."
        )


@magics_class
class ProfileMagics(Magics):
    @magic_arguments()
    @argument("--logdir", default=None, help="where the capture goes (default runs/profiles)")
    @argument(
        "--max-seconds", type=float, default=30.0, help="stop capturing after this long (0: never)"
    )
    @cell_magic
    def profile(self, line: str, cell: str) -> Any:
        """Profile the cell: the verdict, the step-time breakdown and the timeline.

        ``%%profile --logdir runs`` is
        ``with workbench.profile("runs", max_seconds=30) as prof:`` around the cell, run as a
        cell (so ``%%compile`` may follow on the next line), then ``prof``
        (workbench.widgets.profile.profile_cell).
        """
        from workbench.widgets.profile import profile_cell  # TensorFlow: at the first cell

        args = _parse(self.profile, line)
        seconds = args.max_seconds if args.max_seconds and args.max_seconds > 0 else None
        return profile_cell(self.shell, cell, logdir=args.logdir, max_seconds=seconds)


@lru_cache(maxsize=128)
def _parse(magic: Any, line: str) -> Any:
    """The magic's arguments; cached, as argparse costs more than a small compiled step."""
    return parse_argstring(magic, line)
