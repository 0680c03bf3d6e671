"""Which statements of a compiled cell are Python by nature, read from their syntax alone.

Printing and displaying, ``.numpy()`` and friends, mutating Python lists and dicts, creating
variables, models, datasets and other state, magics, exceptions and definitions: a trace would run
each of these once (printing a symbolic tensor, appending it to a list, creating a variable that
the next call cannot), so they run eagerly, in order, with the real values, and the report names
them. What the names a statement reads hold decides the rest, at run time (``mixed``).
"""

from __future__ import annotations

import ast
from functools import lru_cache

from workbench.compile.analysis import _walk_cell_scope

DEFINITIONS = "definition"  # reason of a def, class or import: eager, but not worth reporting

# Builtins whose whole point is a Python value or a side effect outside TensorFlow.
PYTHON_CALLS = frozenset(
    {
        "print", "display", "repr", "str", "float", "int", "bool", "complex", "bytes", "input",
        "open", "next", "iter", "type", "dir", "vars", "help", "list", "dict", "set", "sorted",
        "format", "globals", "locals", "setattr", "delattr", "exec", "eval", "__import__",
        "breakpoint", "id", "hash", "round", "frozenset", "memoryview", "callable", "hasattr",
        "getattr", "issubclass", "reversed",
    }
)  # fmt: skip

# Methods that read a tensor into Python, change Python objects in place, or touch files.
PYTHON_METHODS = frozenset(
    {
        "numpy", "item", "tolist", "to_list", "append", "extend", "insert", "pop", "remove",
        "update", "add", "clear", "setdefault", "sort", "reverse", "discard", "popitem",
        "save", "save_weights", "load_weights", "restore", "write", "read", "summary", "compile",
        "build", "get_weights", "set_weights", "get_config", "plot", "show", "imshow", "savefig",
        "as_numpy_iterator", "get_concrete_function", "experimental_get_compiler_ir", "reset",
        "reset_state", "reset_states", "flush", "close", "close_all", "format", "join", "split",
        "encode", "decode", "keys", "values", "items", "copy", "count", "index",
    }
)  # fmt: skip

# Attribute paths (under tf. or keras.) that make state, configure TensorFlow or feed data: once
# per trace would be wrong (a new variable each call) or impossible.
STATEFUL_PATHS = (
    "data.",
    "config.",
    "random.set_seed",
    "random.Generator",
    "random.get_global_generator",
    "random.set_global_generator",
    "keras.utils.set_random_seed",
    "utils.set_random_seed",
    "train.",
    "saved_model.",
    "summary.create_file_writer",
    "io.write_file",
    "io.gfile",
    "debugging.set_",
    "debugging.enable",
    "distribute.",
    "lookup.",
    "experimental.",
)

# Random ops whose numbers depend on their arguments alone: the same in a trace as eagerly.
STATELESS_RANDOM = (
    "random.stateless",
    "random.experimental.stateless",
    "random.experimental.index_shuffle",
)

# Classes under tf. that hold no state: building one in a trace is building a value.
VALUE_CLASSES = frozenset(
    {"SparseTensor", "TensorArray", "TensorSpec", "IndexedSlices", "RaggedTensor", "GradientTape"}
)
FRAMEWORKS = frozenset({"tf", "tensorflow", "keras"})


@lru_cache(maxsize=4096)
def python_reason(node: ast.stmt) -> str | None:
    """Why ``node`` runs eagerly whatever its names hold ("print", ".numpy()", ...), or None.

    ``DEFINITIONS`` for a def, class or import (eager, not worth naming in the report).
    """
    if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef):
        return DEFINITIONS
    if isinstance(node, ast.ClassDef | ast.Pass | ast.Global | ast.Nonlocal):
        return DEFINITIONS
    if isinstance(node, ast.Try | ast.Raise | ast.Assert | ast.Delete):
        return {ast.Raise: "raise", ast.Assert: "assert", ast.Delete: "del"}.get(type(node), "try")
    if isinstance(node, ast.AsyncFor | ast.AsyncWith | ast.Match):
        return "Python control flow"
    for child in _walk_cell_scope(node):
        if child is not node and isinstance(child, ast.FunctionDef | ast.ClassDef):
            return DEFINITIONS if isinstance(child, ast.FunctionDef) else "class"
        if isinstance(child, ast.Import | ast.ImportFrom):
            return "import"
        if isinstance(child, ast.Await | ast.Yield | ast.YieldFrom | ast.Try | ast.Raise):
            return "Python control flow"
        if isinstance(child, ast.JoinedStr):
            return "f-string"
        if isinstance(child, ast.Subscript) and isinstance(child.ctx, ast.Store | ast.Del):
            return "item assignment"
        if isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Store | ast.Del):
            return "attribute assignment"
        if not isinstance(child, ast.Call):
            continue
        function = child.func
        if isinstance(function, ast.Name):
            if function.id == "get_ipython":
                return magic_name(node) or "IPython"
            if function.id in PYTHON_CALLS:
                return function.id
        elif isinstance(function, ast.Attribute):
            path = _path(function)
            if path is not None and path[0] in FRAMEWORKS:
                reason = _framework_reason(path)
                if reason is not None:
                    return reason
            elif function.attr in PYTHON_METHODS:
                return f".{function.attr}()"
    return None


def _framework_reason(path: list[str]) -> str | None:
    dotted = ".".join(path[1:])
    if path[-1] == "Variable":
        return "creates a tf.Variable"
    if any(dotted.startswith(prefix) for prefix in STATEFUL_PATHS):
        return f"{path[0]}.{dotted}"
    if dotted.startswith("random.") and not dotted.startswith(STATELESS_RANDOM):
        # a traced random op draws from its own seed, not the eager sequence set_seed gave
        return f"{path[0]}.{dotted}: random numbers as eagerly"
    last = path[-1]
    if last[:1].isupper() and last not in VALUE_CLASSES:
        # keras.layers.Dense(...), keras.optimizers.Adam(...), tf.Module(...): objects that
        # make variables when first used; built once, eagerly, then used by compiled code
        return f"creates {path[0]}.{dotted}"
    return None


def _path(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


def magic_name(node: ast.stmt) -> str | None:
    """The magic or shell command a statement runs (``%timeit``, ``!ls``), if it runs one."""
    for child in _walk_cell_scope(node):
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and isinstance(child.func.value, ast.Call)
            and isinstance(child.func.value.func, ast.Name)
            and child.func.value.func.id == "get_ipython"
        ):
            method = child.func.attr
            first = child.args[0] if child.args else None
            name = str(first.value) if isinstance(first, ast.Constant) else ""
            if method in ("system", "getoutput"):
                return "!" + name.split(" ")[0]
            if method == "run_cell_magic":
                return f"%%{name}"
            if method == "run_line_magic":
                return f"%{name}"
            return "IPython"
    return None
