"""A ``def`` of a compiled cell: a ``tf.function`` that also remembers its last call and how long
tracing took, for the cell's report and for ``--compare``."""

from __future__ import annotations

import time
from typing import Any

import tensorflow as tf

from workbench.compile.modes import LABELS, Mode
from workbench.compile.numerics import eager_numerics
from workbench.compile.retrace import Reasons


class CompiledFunction:
    """Calls like the ``tf.function`` it wraps; every other attribute is that function's.

    Not a subclass: ``tf.function`` objects are not meant to be subclassed, and delegating keeps
    ``get_concrete_function``, ``experimental_get_tracing_count`` and the rest working.
    """

    def __init__(self, python_function: Any, mode: Mode) -> None:
        self.python_function = python_function
        self.mode = mode
        self.function = tf.function(python_function, jit_compile=mode == "xla")
        self.last_call: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self.trace_seconds: list[float] = []  # per call that traced: trace + compile + run
        self.last_seconds = 0.0
        self.retrace_reasons = Reasons(self.function)

    @property
    def __name__(self) -> str:
        return str(self.python_function.__name__)

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.python_function.__doc__  # type: ignore[no-any-return]

    @tf.autograph.experimental.do_not_convert  # type: ignore[untyped-decorator]
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not tf.executing_eagerly():  # called from inside another traced function
            return self.function(*args, **kwargs)
        traces = self.function.experimental_get_tracing_count()
        start = time.perf_counter()
        with eager_numerics():
            result = self.function(*args, **kwargs)
        self.last_seconds = time.perf_counter() - start
        if self.function.experimental_get_tracing_count() > traces:
            self.trace_seconds.append(self.last_seconds)
        self.last_call = (args, kwargs)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.function, name)

    def __repr__(self) -> str:
        return f"<{LABELS[self.mode]} {self.__name__} (workbench %%compile {self.mode})>"
