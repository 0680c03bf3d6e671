"""A compiled cell that failed: which line of the cell, why, and what to do about it."""

from __future__ import annotations

import re
import traceback

from workbench.compile.modes import LABELS, Mode


class CompileError(Exception):
    """A cell failed while tracing, compiling or running as a ``tf.function``.

    The kernel's namespace is as it was before the cell. ``cell_line`` is 1-based in the cell as
    the user sees it (counting the ``%%compile`` line), or None when no line could be named.
    """

    def __init__(self, message: str, cell_line: int | None = None) -> None:
        super().__init__(message)
        self.cell_line = cell_line

    def _render_traceback_(self) -> list[str]:
        """The traceback IPython shows: the message alone, as one line of the error output.

        IPython's public protocol for exceptions that render themselves (``showtraceback``
        asks for it): the message already names the cell line, the cause and the fix, and a
        traceback through the workbench's and TensorFlow's frames would bury it.
        """
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def explain(
    exc: BaseException,
    mode: Mode,
    files: dict[str, int],
    source_lines: list[str],
    first_line: int,
    *,
    ran: bool | str = False,
) -> CompileError:
    """Turn what TensorFlow raised into a CompileError naming the cell line.

    Args:
        files: the file names the cell's code was compiled under, each with the offset from a
            line of that file to the cell's line (AutoGraph and TensorFlow's own error messages
            quote these file names, so the innermost mention is the failing line).
        first_line: the line, as the user sees it, of the cell's first line of code.
        ran: the failure came while the compiled code ran (not while tracing or compiling), so
            variables it assigned before the failing op may already hold new values; "part":
            so did a compiled part of a cell whose earlier lines ran and stay done; "after": a
            Keras call failed after statements of the cell ran as Python.
    """
    line = _innermost_line(exc, files)
    cause = f"{type(exc).__name__}: {_first_paragraph(exc)}"
    where = ""
    if line is not None and 1 <= line <= len(source_lines):
        where = f"\n    {source_lines[line - 1].strip()}"
    shown = None if line is None else line + first_line - 1
    place = "The cell" if shown is None else f"Cell line {shown}"
    if ran == "after":  # a Keras call, after statements that ran as Python
        state = (
            "The kernel's names are as they were before the cell; what the lines before it did "
            "to variables and other objects (assignments, training) stays done."
        )
    elif ran == "part":  # a compiled part of a cell that runs statement by statement
        state = (
            "What the lines before it assigned is kept, as eagerly; variables this part updated "
            "before the failing op keep their new values, its other names are not assigned."
        )
    elif ran:
        state = (
            "The kernel's names are as they were before the cell; variables updated before the "
            "failing op (e.g. by training steps that ran) keep their new values."
        )
    else:
        state = "The kernel's variables are as they were before the cell."
    message = f"{place} failed as {LABELS[mode]}: {cause}{where}\n{_hint(exc)} {state}"
    return CompileError(message, shown)


def _innermost_line(exc: BaseException, files: dict[str, int]) -> int | None:
    found: list[int] = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename in files and frame.lineno is not None:
            found.append(frame.lineno + files[frame.filename])
    text = str(exc)
    for name, offset in files.items():
        for match in re.finditer(rf'File "{re.escape(name)}", line (\d+)', text):
            found.append(int(match.group(1)) + offset)
    # AutoGraph's "in user code" lists the outermost call first; TensorFlow's tracebacks too
    return found[-1] if found else None


_XLA_REFUSAL = "Detected unsupported operations when trying to compile graph"
# XLA compiles for fixed variable shapes: assigning another shape to a variable made with
# `shape=tf.TensorShape(None)` is refused while compiling (tf2xla's XlaResource), eagerly allowed
_XLA_FIXED_SHAPE = re.compile(r"Shape of resource \S+ cannot be changed after initialization")


def is_xla_refusal(exc: BaseException) -> bool:
    """XLA would not compile the graph: raised at the first run, but before any op ran."""
    text = str(exc)
    return _XLA_REFUSAL in text or _XLA_FIXED_SHAPE.search(text) is not None


def _first_paragraph(exc: BaseException) -> str:
    """The message without AutoGraph's "in user code:" preamble and stack listing, or, for a
    graph execution error, the line that says what failed (not the "Detected at node" lines)."""
    text = str(exc).strip()
    if text.startswith("Graph execution error"):
        # "Graph execution error:", "Detected at node ... defined at", the stack ("  File ..."
        # lines, each its own paragraph), then the op's own message: keep that
        for paragraph in text.split("\n\n")[1:]:
            line = paragraph.strip()
            if line and not line.startswith(("Detected at node", "<stack traces", "File ")):
                text = line.split("\n\t [[")[0].split("\n")[0]
                break
        refused = re.search(rf"{_XLA_REFUSAL} (\S+) on (\S+): (\S+)", text)
        if refused:
            graph, device, op = refused.groups()
            text = f"XLA ({device}) cannot compile the op {op} (in {graph.rstrip('[]')})"
    if "in user code:" in text:
        text = text.rsplit("\n\n", 1)[-1].strip()
        text = re.sub(rf"^{type(exc).__name__}: ", "", text)
    paragraphs = [part for part in text.split("\n\n") if part.strip()] or [""]
    if paragraphs[0].startswith("Exception encountered when calling") and len(paragraphs) > 1:
        # Keras's layer errors: the first paragraph names the layer, the second says what failed
        paragraphs = [f"{paragraphs[0].strip()} {_ANSI.sub('', paragraphs[1])}"]
    text = re.sub(r"\s+", " ", paragraphs[0])
    return text[:400]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _hint(exc: BaseException) -> str:
    text = str(exc)
    name = type(exc).__name__
    if "has no attribute 'numpy'" in text:
        return (
            "Inside a compiled cell tensors are symbolic: compute with TensorFlow ops and print "
            "with tf.print, or run the cell with %%compile eager."
        )
    if name == "OperatorNotAllowedInGraphError":
        return (
            "A tensor was used as a Python bool or iterated where AutoGraph could not convert "
            "it: use an if/for statement on it, tf.cond or tf.where, or run the cell with "
            "%%compile eager."
        )
    if "singleton tf.Variable" in text or ("tf.Variable" in text and "first call" in text):
        return "Create variables in an eager cell (or with %%compile eager), then use them here."
    if is_xla_refusal(exc):
        return (
            "XLA has no kernel for an op of this cell (host callbacks such as tf.py_function or "
            "tf.numpy_function, some string and resource ops): run it with %%compile function, "
            "or keep that op out of the compiled step."
        )
    if name == "NameError":
        return "Run the cell that defines it first."
    return "Run the cell with %%compile eager (or turn on %tf_debug) to debug it step by step."


class NotKeptError(CompileError, AttributeError):
    """A name the compiled lines that made it could not keep, used in a later cell.

    An AttributeError too, so that code asking whether the object has an attribute
    (``hasattr``, IPython's display) is answered no rather than stopped."""


class LivesInTrace:
    """What a name holds when the compiled lines that made it could not hand it back (a
    GradientTape, an iterator: objects that cannot leave a ``tf.function``): any use says where
    it was made and how to keep it, where a bare NameError would leave the user guessing."""

    def __init__(self, name: str, where: str) -> None:
        self._name, self._where = name, where

    def _refuse(self) -> NotKeptError:
        return NotKeptError(
            f"`{self._name}` was made inside compiled {self._where} and lives only in that "
            f"trace (it cannot leave a tf.function). Run that cell with %%compile eager to use "
            f"`{self._name}` in later cells."
        )

    def __getattr__(self, attribute: str) -> object:
        if attribute.startswith("_"):  # Python's and IPython's hooks: show it, copy it
            raise AttributeError(attribute)
        raise self._refuse()

    def __call__(self, *args: object, **kwargs: object) -> object:
        raise self._refuse()

    def __iter__(self) -> object:
        raise self._refuse()

    def __repr__(self) -> str:
        return f"<{self._name}: lives only in the trace of compiled {self._where}>"
