"""What must never reach XLA: a graph with string tensors aborts TensorFlow's process
(``Check failed: DataTypeCanUseMemcpy(dtype())`` in tensor.cc) instead of raising, and XLA's
random ops draw other numbers than TensorFlow's from the same seed, so a cell's graph is read
while it is traced, before ``jit_compile`` sees it, and refused with the cell line.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import tensorflow as tf

from workbench.compile.codegen import cell_line

# Ops XLA has no kernel for and would refuse anyway: refused here first, with the line.
HOST_OPS = frozenset({"PyFunc", "EagerPyFunc", "PyFuncStateless", "NumpyFunction"})


class NotForXla(Exception):
    """The graph holds what XLA cannot take: ``reason`` says what, ``line`` where (cell line)."""

    def __init__(self, reason: str, op: str, line: int | None) -> None:
        super().__init__(f"XLA cannot compile {reason} ({op})")
        self.reason, self.op, self.line = reason, op, line


def check_xla(graph: Any, filename: str) -> None:
    """Raise :class:`NotForXla` if ``graph`` (being traced) has string tensors or host calls.

    Functions the graph calls (loop and branch bodies) are read too, from their definitions.
    """
    found: NotForXla | None = None
    for op in graph.get_operations():
        dtypes = [t.dtype for t in op.outputs] + [t.dtype for t in op.inputs]
        refused = None
        if tf.string in dtypes:
            refused = NotForXla("string tensors", str(op.type), _line(op, filename))
        elif op.type in HOST_OPS:
            refused = NotForXla("Python callbacks", str(op.type), _line(op, filename))
        elif _random(op.type):
            refused = NotForXla(
                "random ops as TensorFlow draws them (XLA's differ)",
                str(op.type),
                _line(op, filename),
            )
        elif op.type in NAN_REDUCTIONS and not xla_keeps_nan():
            refused = NotForXla(SKIPS_NAN, str(op.type), _line(op, filename))
        if refused is not None and refused.line is not None:
            raise refused  # the first op the user's own line made (a parameter has no line)
        found = found or refused
    if found is not None:
        raise found
    for node in function_nodes(graph):
        if node.op in HOST_OPS:
            raise NotForXla("Python callbacks", node.op, None)
        if _random(node.op):
            raise NotForXla("random ops as TensorFlow draws them (XLA's differ)", node.op, None)
        if node.op in NAN_REDUCTIONS and not xla_keeps_nan():
            raise NotForXla(SKIPS_NAN, node.op, None)
        for attr in node.attr.values():
            if attr.type == tf.string.as_datatype_enum or tf.string.as_datatype_enum in list(
                attr.list.type
            ):
                raise NotForXla("string tensors", node.op, None)


NAN_REDUCTIONS = frozenset({"Max", "Min"})
SKIPS_NAN = (
    "max/min reductions as TensorFlow computes them: XLA skips NaN here, its flags having been "
    "read before the workbench loaded (restart the kernel)"
)


@functools.cache
def xla_keeps_nan() -> bool:
    """Whether XLA's max keeps NaN in this process, as eager does (numerics.eager_xla_flags;
    XLA reads its flags once, so an extension loaded after a first XLA compile cannot)."""
    with tf.init_scope():
        probe = tf.function(lambda t: tf.reduce_max(t), jit_compile=True)
        return bool(tf.math.is_nan(probe(tf.constant([float("nan"), 1.0]))))


def function_nodes(graph: Any) -> Iterator[Any]:
    """The nodes of the functions ``graph`` calls (loop and branch bodies, nested tf.functions),
    read from their definitions."""
    for function in list(getattr(graph, "_functions", {}).values()):
        definition = getattr(function, "definition", None)
        if definition is not None:
            yield from definition.node_def


def _random(op_type: str) -> bool:
    """Random number ops: XLA's kernels (stateless ones and tf.random.Generator's too) draw
    other numbers than TensorFlow's from the same seed, so an XLA cell would differ silently."""
    return "Random" in op_type or op_type.startswith(("StatefulUniform", "StatefulStandard", "Rng"))


def _line(op: Any, filename: str) -> int | None:
    """The cell line (of the generated function's file) whose code created ``op``."""
    for frame in reversed(op.traceback):
        if frame.filename == filename:
            return cell_line(frame.lineno)
    return None
