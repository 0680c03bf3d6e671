"""Where XLA's NaN rules are not eager's, a compiled part computes as eagerly anyway.

XLA's ``argmax``/``argmin`` pick a NaN's index where eager skips NaN, and its ``softmax`` of a
row holding a NaN is NaN throughout where eager's is NaN only where the NaN was (FINDINGS.md):
an XLA cell fed a NaN would show other predictions than the eager cell, in silence. Under XLA, a
part whose graph holds these ops and writes no variable also hands back whether any of their
inputs held a NaN (a reduction XLA fuses beside them); when one did, the part's values are not
written and it runs again as ``tf.function``, whose rules are eager's, with a note.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

NAN_RULE_OPS = frozenset({"ArgMax", "ArgMin", "Softmax", "LogSoftmax"})
NAN_SEEN = "\0nan"  # the guard's name among a trace's exports (no name can be this)
# ops that write a variable, or call a function that may: a part with one cannot run again
WRITES = ("Assign", "ResourceApply", "ResourceScatter", "ResourceSparseApply", "StatefulPartit")


class NanUnderXla(Exception):
    """The part's NaN-sensitive ops saw a NaN under XLA: run it again as ``tf.function``."""

    def __init__(self, ops: tuple[str, ...]) -> None:
        names = " and ".join(op.lower() for op in ops)
        verb, them = ("treats", "it") if len(ops) == 1 else ("treat", "them")
        super().__init__(
            f"XLA's {names} {verb} NaN otherwise than eagerly, and a NaN reached {them}"
        )


@tf.autograph.experimental.do_not_convert  # type: ignore[untyped-decorator]
def nan_guard(graph: Any) -> tuple[Any, tuple[str, ...]] | None:
    """Whether a NaN reaches the graph's NaN-sensitive ops (a boolean tensor of ``graph``, being
    traced), and which ops they are; None when it has none, or writes a variable."""
    ops = [
        op
        for op in graph.get_operations()
        if op.type in NAN_RULE_OPS and op.inputs and op.inputs[0].dtype.is_floating
    ]
    if not ops or any(op.type.startswith(WRITES) for op in graph.get_operations()):
        return None
    seen = [tf.reduce_any(tf.math.is_nan(op.inputs[0])) for op in ops]
    return tf.reduce_any(tf.stack(seen)), tuple(sorted({str(op.type) for op in ops}))


def without_guard(outputs: Any) -> Any:
    """A trace's outputs less the guard, if they hold one (what the cell's names receive)."""
    kind = type(outputs)
    if getattr(kind, "names", ())[:1] == (NAN_SEEN,):
        return kind.without_guard(*outputs[1:])
    return outputs
