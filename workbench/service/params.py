"""Checking a request's params against the ``TypedDict`` its method declares.

Only the shapes the wire can carry are understood: str, int, float, bool, None, ``Any``,
``Literal``, unions, ``list[...]``, ``dict[str, ...]`` and nested ``TypedDict``s. A mismatch is
one sentence naming the field, in the house form "Expected ... Received: ...", bounded in length
so a megabyte of junk is not echoed back.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

SHOWN = 60  # characters of a received value quoted in an error


class ParamsError(ValueError):
    """The params do not fit the method's declared type."""


def check_params(params: Any, declared: type) -> dict[str, Any]:
    """``params`` if it fits ``declared`` (a ``TypedDict``), else :class:`ParamsError`."""
    if params is None:
        params = {}
    problem = _check(params, declared, "params")
    if problem:
        raise ParamsError(problem)
    return dict(params)


def shown(value: Any) -> str:
    """``repr(value)``, cut to ``SHOWN`` characters."""
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def describe(expected: Any) -> str:
    """How an expected type reads in an error: ``a list of str``, ``one of ['a', 'b']``."""
    origin = get_origin(expected)
    if expected is Any:
        return "any value"
    if expected is type(None):
        return "null"
    if is_typeddict(expected):
        return "an object"
    if origin is Literal:
        return f"one of {list(get_args(expected))}"
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arg) for arg in get_args(expected))
    if origin is list:
        (item,) = get_args(expected) or (Any,)
        return f"a list of {describe(item).removeprefix('a ').removeprefix('an ')}"
    if origin is dict or expected is dict:
        return "an object"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        expected, getattr(expected, "__name__", str(expected))
    )


def _check(value: Any, expected: Any, where: str) -> str | None:
    origin = get_origin(expected)
    if expected is Any:
        return None
    if is_typeddict(expected):
        return _check_object(value, expected, where)
    if origin in (Union, types.UnionType):
        options = get_args(expected)
        if any(_check(value, option, where) is None for option in options):
            return None
        return _mismatch(where, expected, value)
    if origin is Literal:
        return None if value in get_args(expected) else _mismatch(where, expected, value)
    if origin is list:
        if not isinstance(value, list):
            return _mismatch(where, expected, value)
        (item,) = get_args(expected) or (Any,)
        for index, element in enumerate(value):
            problem = _check(element, item, f"{where}[{index}]")
            if problem:
                return problem
        return None
    if origin is dict or expected is dict:
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            return _mismatch(where, expected, value)
        args = get_args(expected)
        item = args[1] if len(args) == 2 else Any
        for key, element in value.items():
            problem = _check(element, item, f"{where}.{shown(key)[1:-1]}")
            if problem:
                return problem
        return None
    return None if _is_instance(value, expected) else _mismatch(where, expected, value)


def _check_object(value: Any, declared: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return _mismatch(where, declared, value)
    hints = get_type_hints(declared)
    unknown = [key for key in value if key not in hints]
    if unknown and not hints:
        return f"Expected {where} to be empty. Received: {shown(value)}"
    if unknown:
        return (
            f"Expected {where} to have only the fields {sorted(hints)}. "
            f"Received: {shown(unknown[0])}"
        )
    required: frozenset[str] = declared.__required_keys__
    missing = sorted(required - set(value))
    if missing:
        return f"Expected {where} to have the field {missing[0]!r}. Received: {shown(value)}"
    for key, element in value.items():
        problem = _check(element, hints[key], f"{where}.{key}")
        if problem:
            return problem
    return None


def _is_instance(value: Any, expected: Any) -> bool:
    if expected is type(None):
        return value is None
    if expected is float:  # JSON numbers: an integer is a fine float
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(expected, type) and isinstance(value, expected)


def _mismatch(where: str, expected: Any, value: Any) -> str:
    return f"Expected {where} to be {describe(expected)}. Received: {shown(value)}"


__all__ = ["ParamsError", "check_params", "describe", "shown"]
