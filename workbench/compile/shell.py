"""A ``%%compile`` cell in an IPython shell: ``compile_cell`` on the shell's namespace, its report
shown when it says something new, and its value returned for IPython to display.

When is a report new? Its contents (``CellReport.content``: the report less the timing of this
run) differ from those of the last report shown for the same cell source and mode in the same
namespace: a first run, a trace or retrace (the tracing count changes), a note that appears,
changes or goes away, ``%tf_debug`` switched. A failure forgets the last report shown, so the next
run that works shows its report again. ``--compare`` and ``--report`` always show it.
An unchanged cell re-run with new tensors therefore shows nothing, and costs no display.

The shell is duck-typed (``transform_cell``, ``user_ns``, ``display_pub``): no IPython import.
"""

from __future__ import annotations

from typing import Any

from workbench.compile.cell import compile_cell
from workbench.compile.default_mode import transformer
from workbench.compile.modes import Mode, check, default_mode

_REMEMBERED = 256  # cells whose last shown report is remembered
# (id(namespace), mode, source) -> CellReport.content() of the last report shown
_shown: dict[tuple[int, Mode, str], tuple[object, ...]] = {}


def compile_in_shell(
    shell: Any,
    cell: str,
    mode: str | None = None,
    *,
    compare: bool = False,
    steps: int = 10,
    report: bool = False,
) -> Any:
    """What ``%%compile`` does with its cell: ``compile_cell`` below a magic line.

    Args:
        shell: the IPython shell the cell runs in.
        cell: the cell's text below the ``%%compile`` line (IPython syntax allowed).
        mode: "eager", "function" or "xla". Default: ``%compile_mode``'s (``default_mode()``).
        compare: as ``compile_cell``'s. Default: False.
        steps: as ``compile_cell``'s. Default: 10.
        report: show the report even when it says nothing new. Default: False.

    Returns:
        The value of the cell's last expression, or None when the cell ends in ``;`` (IPython's
        convention for "show no value", which ``compile_cell`` follows).

    Raises:
        CompileError: as ``compile_cell``; shown by IPython as one line
            (``CompileError._render_traceback_``).
    """
    __tracebackhide__ = True  # IPython leaves this frame out of tracebacks it shows
    namespace = shell.user_ns
    first_line = 1 if transformer.hid_line_above(cell) else 2
    source = transformer.body(shell, cell)
    run_mode = check(mode) if mode else default_mode()
    key = (id(namespace), run_mode, source)
    try:
        run = compile_cell(
            source, namespace, run_mode, compare=compare, steps=steps, first_line=first_line
        )
    except BaseException as exc:  # noqa: BLE001 - re-raised, with the cell's own traceback
        _shown.pop(key, None)  # a failure says something new: the next good run shows its report
        # the eager cell's traceback: from the user's own line on, not through the workbench
        raise exc.with_traceback(_from_cell(exc.__traceback__)) from exc.__cause__
    content = run.content
    # nothing compiled, nothing noted (imports, prints, Python values): no report at all
    quiet = not (content[2] or content[3] or content[4])
    if report or compare or (not quiet and _shown.get(key) != content):
        _shown.pop(key, None)  # re-inserted last: the oldest entries go first
        _shown[key] = content
        if len(_shown) > _REMEMBERED:
            del _shown[next(iter(_shown))]
        # what IPython.display.display(bundle, raw=True) does, through the shell it runs in
        shell.display_pub.publish(data=run.report.bundle(), metadata={})
    return run.value


def _from_cell(tb: Any) -> Any:
    """The traceback from the first frame of the cell's own code (its file names start with
    ``<workbench-cell-``), or all of it when no frame is."""
    current = tb
    while current is not None:
        if current.tb_frame.f_code.co_filename.startswith("<workbench-cell-"):
            return current
        current = current.tb_next
    return tb
