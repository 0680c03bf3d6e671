"""What the names a statement of a compiled cell reads hold, read at run time: whether the
statement computes with TensorFlow (and may be traced), is plain Python, or must run eagerly
because of a value a trace cannot use (a tape from another cell, an iterator, a NumPy or
matplotlib module, an object of the user's own class); and the Python containers a first trace
may change in place, put back after it.
"""

from __future__ import annotations

import ast
import builtins
import types
from functools import lru_cache
from typing import Any

import numpy as np
import tensorflow as tf

from workbench.compile.analysis import statement_names
from workbench.compile.namespace import Namespace

PYTHON = "Python"  # a statement with nothing from TensorFlow in it: not worth reporting


_FRAMEWORK_MODULES = frozenset({"tensorflow", "keras", "tf_keras"})
_PYTHON_VALUES = (bool, int, float, complex, str, bytes, type(None), range, slice)
_tf_types: tuple[type, ...] | None = None


def _tf_objects() -> tuple[type, ...]:
    global _tf_types
    if _tf_types is None:
        import keras

        from workbench.compile.functions import CompiledFunction

        _tf_types = (
            tf.Module,
            keras.Layer,
            keras.optimizers.Optimizer,
            keras.losses.Loss,
            keras.metrics.Metric,
            tf.random.Generator,
            tf.DType,
            tf.TensorShape,
            tf.TypeSpec,
            tf.types.experimental.GenericFunction,
            CompiledFunction,
        )
    return _tf_types


def value_reason(node: ast.stmt, namespace: Namespace, pending: set[str]) -> str | None:
    """Why ``node`` runs eagerly given what its names hold now, or None to trace it."""
    reads, _ = statement_names(node)
    touches = False
    called = _called_names(node)
    for name in reads:
        if name in pending:
            touches = True
            continue
        if name not in namespace:
            if hasattr(builtins, name):
                continue
            return f"`{name}` is not defined"
        kind = _kind(name, namespace[name], name in called)
        if isinstance(kind, str):
            return kind
        touches = touches or kind
    return None if touches else PYTHON


def made_anew(node: ast.stmt, namespace: Namespace, made: dict[str, int]) -> str | None:
    """Why ``node`` runs eagerly when it reads an object (a model, a generator) an eager line of
    this cell made: a trace keeps the objects it captured, so it would be traced anew on every
    run of the cell, each time dearer than running eagerly."""
    for name in statement_names(node)[0]:
        if name in made and _kind(name, namespace.get(name), False) is True:
            value = namespace.get(name)
            if not (tf.is_tensor(value) or isinstance(value, np.ndarray | np.generic)):
                return (
                    f"`{name}` is made anew by line {made[name]} on every run"
                    " (compiled on the cell's first run only)"
                )
    return None


def _kind(name: str, value: Any, called: bool, depth: int = 0) -> bool | str:
    """True: a TensorFlow value or object; False: plain Python a trace may read; str: why a
    statement reading it must run eagerly."""
    if isinstance(value, types.ModuleType):
        root = value.__name__.split(".")[0]
        if root in _FRAMEWORK_MODULES:
            return True
        return False if root in ("math", "builtins") else f"uses {root}"
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return True
    if isinstance(value, np.ndarray | np.generic):
        # NumPy on its own stays NumPy (a trace would hand back tensors); beside TensorFlow
        # values it is an input like any other
        return False
    if isinstance(value, _PYTHON_VALUES):
        return False
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        if depth > 3:
            return False
        leaves = list(value.values()) if isinstance(value, dict) else list(value)
        touches = False
        for leaf in leaves[:64]:
            kind = _kind(name, leaf, False, depth + 1)
            if isinstance(kind, str):
                return kind
            touches = touches or kind
        return touches
    if isinstance(value, tf.GradientTape):
        return f"`{name}` is a GradientTape recorded outside the compiled lines"
    if isinstance(value, type):
        return f"creates a {value.__name__}" if called else False
    if isinstance(value, _tf_objects()):
        return True
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return False  # traced through when called with tensors
    if isinstance(value, tf.data.Dataset):
        return f"`{name}` is a tf.data.Dataset"
    if isinstance(value, tf.TensorArray):  # behind a ShouldUseWrapper once written to
        return f"`{name}` is a tf.TensorArray"
    if hasattr(value, "__next__"):
        return f"`{name}` is an iterator"
    return f"`{name}` is a {type(value).__name__}"


@lru_cache(maxsize=4096)
def _called_names(node: ast.stmt) -> frozenset[str]:
    return frozenset(
        child.func.id
        for child in ast.walk(node)
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
    )


def reads_pending_globals(node: ast.stmt, namespace: Namespace, pending: set[str]) -> bool:
    """Whether a function ``node`` calls reads, as a global, a name the compiled part pending
    before it assigns (which reaches the namespace only when that part has run)."""
    if not pending:
        return False
    for name in _called_names(node):
        function = namespace.get(name)
        code = getattr(function, "__code__", None)
        if code is not None and pending.intersection(code.co_names):
            return True
    return False


# -- Python containers a trace may change in place -------------------------------------------


def containers(namespace: Namespace) -> list[tuple[str, Any, Any]]:
    held: list[tuple[str, Any, Any]] = []
    for name, value in namespace.items():
        if name.startswith("_") or name in ("In", "Out"):
            continue
        if type(value) is list:
            held.append((name, value, list(value)))
        elif type(value) is dict:
            held.append((name, value, dict(value)))
        elif type(value) is set:
            held.append((name, value, set(value)))
    return held


def put_back(held: list[tuple[str, Any, Any]]) -> list[str]:
    """Put back the lists, dicts and sets a trace changed in place; the names of those."""
    changed = []
    for name, value, copy in held:
        if isinstance(value, list):
            same = len(value) == len(copy) and all(a is b for a, b in zip(value, copy, strict=True))
        elif isinstance(value, dict):
            same = value.keys() == copy.keys() and all(value[k] is copy[k] for k in copy)
        else:
            same = value == copy
        if not same:
            changed.append(name)
            if isinstance(value, list):
                value[:] = copy
            else:
                value.clear()
                value.update(copy)
    return changed
