"""Why a ``tf.function`` traced again, told from the signatures TensorFlow traced it for."""

from __future__ import annotations

import itertools
from typing import Any


def retrace_reasons(function: Any, limit: int = 3) -> list[str]:
    """One sentence per parameter that differed between traces, most recent traces first.

    Reads the traced signatures (``function_type`` of each concrete function): a private list
    in TensorFlow 2.21, so anything unexpected yields no reasons rather than an error.
    """
    try:
        concrete = function._list_all_concrete_functions()
        signatures = [dict(c.function_type.parameters) for c in concrete]
    except Exception:  # noqa: BLE001 - diagnostics must never break the cell
        return []
    if len(signatures) < 2:
        return []
    reasons: dict[str, str] = {}
    for before, after in itertools.pairwise(signatures):
        for name, parameter in after.items():
            old = before.get(name)
            if old is None:
                continue
            reason = _explain(name, old.type_constraint, parameter.type_constraint)
            if reason:
                reasons[name] = reason
    return list(reasons.values())[-limit:]


def _explain(name: str, old: Any, new: Any) -> str | None:
    if old == new:
        return None
    old_shape, new_shape = getattr(old, "shape", None), getattr(new, "shape", None)
    if old_shape is not None and new_shape is not None:
        if getattr(old, "dtype", None) != getattr(new, "dtype", None):
            return f"`{name}` changed dtype ({old.dtype.name} -> {new.dtype.name}); cast it once"
        return (
            f"`{name}` changed shape ({_shape(old_shape)} -> {_shape(new_shape)}); give the "
            "changing dimension as None in an input_signature, or use reduce_retracing=True"
        )
    old_value, new_value = _literal(old), _literal(new)
    if old_value is not None and new_value is not None:
        kind = type(new_value[0]).__name__
        return (
            f"`{name}` is a Python {kind} that changes ({old_value[0]!r} -> {new_value[0]!r}); "
            f"pass a tensor instead, e.g. tf.constant({name})"
        )
    return f"`{name}` changed ({old} -> {new})"


def _literal(constraint: Any) -> tuple[Any] | None:
    """The Python value a ``Literal[...]`` trace type stands for, if it is one."""
    value = getattr(constraint, "value", None)
    if value is None or type(constraint).__name__ != "Literal":
        return None
    return (value,)


def _shape(shape: Any) -> str:
    dims = shape.as_list() if shape.rank is not None else None
    return "unknown" if dims is None else "(" + ", ".join(str(d) for d in dims) + ")"


class Reasons:
    """:func:`retrace_reasons` of one function, read again only after it traced again.

    A cell's report asks on every run, and reading the traced signatures costs more than a small
    compiled step; they change only with the tracing count.
    """

    def __init__(self, function: Any) -> None:
        self._function = function
        self._traces = 0
        self._reasons: list[str] = []

    def __call__(self, traces: int | None = None) -> list[str]:
        """The reasons; ``traces``: the function's tracing count, when the caller has it."""
        if traces is None:
            traces = self._function.experimental_get_tracing_count()
        if traces != self._traces:
            self._traces = traces
            self._reasons = retrace_reasons(self._function) if traces > 1 else []
        return self._reasons
