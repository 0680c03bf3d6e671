"""The namespace a compiled cell reads and writes, and putting it back when the cell fails.

Its own module so that every part of the package that touches the namespace (running the cell,
its traces, ``--compare``) imports the type from below rather than from each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Namespace = dict[str, Any]
"""The kernel's user namespace (``get_ipython().user_ns``), read and written like a module's
globals."""


@contextmanager
def restored_on_failure(
    namespace: Namespace, keep: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    """Run the block; if it raises (anything, an interrupt too), every name is as it was before,
    unless what it raised is one of ``keep`` (a failure the eager cell has too, names and all).

    Costs a copy of the namespace, which grows with every cell a kernel runs: callers skip it
    when nothing can be written before the last point of failure.

    Example:
        >>> ns = {"a": 1}
        >>> with restored_on_failure(ns):
        ...     ns["a"] = 2
        >>> ns
        {'a': 2}
    """
    snapshot = dict(namespace)
    try:
        yield
    except keep:
        raise
    except BaseException:
        namespace.clear()
        namespace.update(snapshot)
        raise
