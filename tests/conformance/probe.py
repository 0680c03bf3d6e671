"""Kernel side of the conformance runner: what a cell did, read between cells.

The runner loads this file into the kernel as the module ``_conformance_probe`` and reads it only
through ``user_expressions`` of an empty, silent execute request: that path evaluates an expression
in the user namespace without IPython's input transformers, so ``%compile_mode`` never wraps the
probe, and it adds no name to the namespace.

What it measures:

* **ops**: an op callback (``tensorflow.python.framework.op_callbacks``, TensorFlow's own hook
  that tfdbg uses) sees every op run eagerly (``graph is None``) and every op added to a graph
  while tracing. A function call run eagerly arrives as one op whose type is the function's name
  (``__inference_...``); the ops it runs are its FunctionDef's nodes (nested calls followed).
  A cell's compiled share is ops run inside graphs / (those + ops run eagerly).
* **seconds**: the cell's wall time, from IPython's ``pre_run_cell``/``post_run_cell`` events
  (the probe's own silent requests trigger neither).
* **namespace**: :func:`fingerprint` of every public name: type, and value (Python values by
  repr with addresses removed, tensors and arrays by dtype, shape and values or summary
  statistics, objects holding variables by their variables).
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from typing import Any

# eager ops that create or release state, Python by nature (the first run of `tf.Variable(...)`)
_STATE_OPS = {"VarHandleOp", "DestroyResourceOp", "VarIsInitializedOp", "_EagerConst"}
# graph nodes that move values in and out rather than compute
_PLUMBING = {"_Arg", "_Retval", "Placeholder", "NoOp", "Identity", "Const"}
_HIDDEN = {"In", "Out", "get_ipython", "exit", "quit", "open"}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_SMALL = 64  # tensors up to this many elements are fingerprinted value by value
_counts = {"eager": 0, "graph": 0, "calls": 0, "traced": 0, "data": 0, "data_graph": 0}
_fn_sizes: dict[str, int] = {}
_seconds = {"start": 0.0, "last": 0.0}
_enabled = {"ops": True}
_apart = {"depth": 0}  # in the display formatter or this probe: ops that are not the cell's


def _function_size(name: str, depth: int = 0) -> int:
    size = _fn_sizes.get(name)
    if size is not None:
        return size
    from tensorflow.python.eager import context

    try:
        fdef = context.context().get_function_def(name)
    except Exception:  # noqa: BLE001 - a function TensorFlow no longer holds counts as one op
        return 1
    size = 0
    for node in fdef.node_def:
        if node.op in _PLUMBING:
            continue
        nested = [a.func.name for a in node.attr.values() if a.HasField("func")]
        if nested and depth < 4:
            size += sum(_function_size(n, depth + 1) for n in nested)
        else:
            size += 1
    _fn_sizes[name] = max(size, 1)
    return _fn_sizes[name]


def _callback(op_type, inputs, attrs, outputs, op_name=None, graph=None):  # type: ignore[no-untyped-def]
    if not _enabled["ops"]:
        return None
    if _apart["depth"]:
        return None
    if isinstance(op_type, bytes):
        op_type = op_type.decode()
    if graph is not None:
        _counts["traced"] += 1
    elif op_type.startswith("__inference_") or op_type.startswith("__forward_"):
        _counts["calls"] += 1
        _counts["graph"] += _function_size(op_type)
    elif "Dataset" in op_type or "Iterator" in op_type:
        # tf.data plumbing: building a pipeline and pulling its elements computes nothing in
        # Python's thread, compiled or not; the functions it applies (map, filter, reduce) are
        # graphs tf.data traced and runs, counted apart (the report gives both shares)
        _counts["data"] += 1
        _counts["data_graph"] += sum(_graph_size(v) for v in (attrs or ())[1::2])
    elif op_type not in _STATE_OPS:
        _counts["eager"] += 1
    return None


def _graph_size(value: Any) -> int:
    """The ops of a dataset's function (a ``ConcreteFunction`` attribute), else 0."""
    graph = getattr(value, "graph", None)
    if graph is None or not hasattr(value, "function_def"):
        return 0
    return sum(1 for op in graph.get_operations() if op.type not in _PLUMBING)


def _pre(*_: Any) -> None:
    _seconds["start"] = time.perf_counter()


def _post(*_: Any) -> None:
    _seconds["last"] = time.perf_counter() - _seconds["start"]


def install() -> str:
    """Start counting ops and timing cells in this kernel (once)."""
    from IPython import get_ipython
    from tensorflow.python.framework import op_callbacks

    op_callbacks.add_op_callback(_callback)
    shell = get_ipython()
    # Showing a value is Python by nature: the rich tensor display's statistics run eager ops in
    # every mode, which would count as the cell's own computation (in eager mode too)
    shell.display_formatter.format = _uncounted(shell.display_formatter.format)
    shell.events.register("pre_run_cell", _pre)
    shell.events.register("post_run_cell", _post)
    return "installed"


def _uncounted(format: Any) -> Any:
    def counted_apart(*args: Any, **kwargs: Any) -> Any:
        _apart["depth"] += 1
        try:
            return format(*args, **kwargs)
        finally:
            _apart["depth"] -= 1

    return counted_apart


def count_ops(on: bool) -> bool:
    """Count ops again, or stop for timed runs: the callback is removed, as while one is
    registered every eager op takes TensorFlow's slower path (graphs are not slowed)."""
    from tensorflow.python.framework import op_callbacks

    if on and not _enabled["ops"]:
        op_callbacks.add_op_callback(_callback)
    elif not on and _enabled["ops"]:
        op_callbacks.remove_op_callback(_callback)
    _enabled["ops"] = on
    return on


def snapshot(with_namespace: bool = True) -> str:
    """JSON: the ops and time of the cell that ran last, and the namespace's fingerprint."""
    from IPython import get_ipython

    ops = dict(_counts)
    for key in _counts:
        _counts[key] = 0
    out: dict[str, Any] = {"ops": ops, "seconds": _seconds["last"]}
    if with_namespace:
        ns = get_ipython().user_ns
        _apart["depth"] += 1  # reading variables and ragged values runs eager ops
        try:
            out["namespace"] = {
                name: _safe(value)
                for name, value in list(ns.items())
                if not name.startswith("_") and name not in _HIDDEN
            }
        finally:
            _apart["depth"] -= 1
    return json.dumps(out, default=str)


def _safe(value: Any) -> Any:
    try:
        return fingerprint(value)
    except Exception as exc:  # noqa: BLE001 - a value that cannot be read: compared by type
        return {"type": _type(value), "unreadable": type(exc).__name__}


def _type(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def fingerprint(value: Any, depth: int = 0) -> Any:
    """A JSON-able description that two equal values share (floats compared with a tolerance
    by the runner)."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return {"type": _type(value), "repr": repr(value)[:300]}
    if isinstance(value, float):
        return {"type": "float", "num": _num(value)}
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return _container(value, depth)
    if type(value).__name__ == "module":
        return {"type": "module", "repr": value.__name__}
    tf = sys.modules.get("tensorflow")
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, (np.ndarray, np.generic)):
        return _array("numpy", value)
    if tf is not None:
        described = _tf_value(tf, value, depth)
        if described is not None:
            return described
    if callable(value) and hasattr(value, "__name__"):
        # a def and the same def as a tf.function call the same code: compared by name; its
        # type is kept for the report but not compared
        return {"type": "callable", "repr": value.__name__, "info": _type(value)}
    return {"type": _type(value), "repr": _ADDRESS.sub("", repr(value))[:300]}


def _container(value: Any, depth: int) -> Any:
    if depth > 3:
        return {"type": _type(value), "len": len(value)}
    if isinstance(value, dict):
        items = list(value.items())[:50]
        return {
            "type": _type(value),
            "items": [[repr(k)[:80], fingerprint(v, depth + 1)] for k, v in items],
            "len": len(value),
        }
    elements = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else list(value)
    return {
        "type": _type(value),
        "items": [fingerprint(v, depth + 1) for v in elements[:50]],
        "len": len(value),
    }


def _num(x: float) -> Any:
    return x if math.isfinite(x) else repr(x)


def _array(kind: str, array: Any) -> dict[str, Any]:
    import numpy as np

    array = np.asarray(array)
    out: dict[str, Any] = {"type": kind, "dtype": str(array.dtype), "shape": list(array.shape)}
    if array.dtype.kind in "biuf":
        flat = array.astype(np.float64).ravel()
        if flat.size <= _SMALL:
            out["values"] = [_num(float(v)) for v in flat]
        else:
            finite = flat[np.isfinite(flat)]
            out["summary"] = [
                _num(float(finite.sum())),
                _num(float(np.abs(finite).sum())),
                _num(float(finite.min()) if finite.size else 0.0),
                _num(float(finite.max()) if finite.size else 0.0),
                int(flat.size - finite.size),
            ] + [_num(float(v)) for v in flat[:8]]
    else:
        items = array.ravel().tolist()
        out["repr"] = repr(items[:_SMALL])[:2000]
    return out


def _tf_value(tf: Any, value: Any, depth: int) -> Any:
    if isinstance(value, tf.Variable):
        out = _array("tf.Variable", value.numpy())
        out["name"] = value.name
        out["trainable"] = value.trainable
        return out
    if isinstance(value, tf.RaggedTensor):
        return {
            "type": "tf.RaggedTensor",
            "dtype": value.dtype.name,
            "values": fingerprint(value.to_list(), depth + 1),
        }
    if isinstance(value, tf.SparseTensor):
        return {
            "type": "tf.SparseTensor",
            "indices": _array("i", value.indices.numpy()),
            "values": _array("v", value.values.numpy()),
            "dense_shape": value.dense_shape.numpy().tolist(),
        }
    if isinstance(value, tf.Tensor):
        if not hasattr(value, "numpy"):
            return {"type": "symbolic tf.Tensor", "repr": repr(value)}
        return _array("tf.Tensor", value.numpy())
    if isinstance(value, tf.data.Dataset):
        return {"type": _type(value), "element_spec": repr(value.element_spec)}
    if isinstance(value, tf.random.Generator):
        return {"type": "tf.random.Generator", "state": _array("s", value.state.numpy())}
    variables = getattr(value, "variables", None) if not isinstance(value, type) else None
    if isinstance(variables, (list, tuple)) and all(hasattr(v, "numpy") for v in variables):
        # tf.Module, Keras layers, models and optimizers (Keras 3 variables are not tf.Variables)
        return {
            "type": _type(value),
            "variables": [
                [str(getattr(v, "path", v.name)), _array("v", v.numpy())] for v in variables[:200]
            ],
        }
    return None
