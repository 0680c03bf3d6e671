"""Variables made by a trace that failed, initialized as the eager cell would have.

A first trace that makes variables (a Keras layer or optimizer built by its first call) leaves
their initial values to ``tf.function``, which assigns them only once the trace succeeded. When
the trace fails instead (XLA refused an op of it, or tracing raised and the statements run as
Python), the variables stay uninitialized while their layer says it is built, and every later
use fails far from the cause ("In[1] is not a matrix"). Keras hands each variable its initial
value as a callable: run eagerly once the trace is gone, it gives the value the eager cell would
have given (the trace's random draws never ran). A ``tf.Variable(...)`` made inside the trace
(a ``tf.Module`` that builds its weights on first call) holds an initial value computed in the
trace's graph: its ops are copied into a graph of their own and run there, as ``tf.function``
initializes the variables of a trace that succeeded (``lift_to_graph``); one computed from the
trace's inputs cannot be, and stays as it was.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf
from tensorflow.python.ops import resource_variable_ops


class MadeVariables:
    """Records the variables made while tracing (pass :meth:`creator` to
    ``tf.variable_creator_scope``); :meth:`abandoned` initializes those the failed trace left
    uninitialized."""

    def __init__(self) -> None:
        self._made: list[tuple[Any, Any]] = []

    def creator(self, next_creator: Any, **kwargs: Any) -> Any:
        variable = next_creator(**kwargs)
        self._made.append((variable, kwargs.get("initial_value")))
        return variable

    def kept(self) -> None:
        """The trace succeeded: ``tf.function`` initialized what it made."""
        self._made.clear()

    def abandoned(self) -> int:
        """Initialize what the failed trace made (those whose initial value was computed
        inside the trace cannot be); how many were."""
        made, self._made = self._made, []
        initialized = 0
        in_graph = []
        with tf.init_scope():
            for variable, initial in made:
                if bool(resource_variable_ops.var_is_initialized_op(variable.handle)):
                    continue
                if callable(initial):
                    initial = initial()
                if tf.is_tensor(initial) and not hasattr(initial, "numpy"):
                    in_graph.append((variable, initial))  # computed inside the trace
                    continue
                variable.assign(tf.cast(initial, variable.dtype))
                initialized += 1
            for variable, initial in in_graph:
                initialized += _lifted(variable, initial)
        return initialized


def _lifted(variable: Any, initial: Any) -> int:
    """Assign ``initial``, a tensor of the abandoned trace's graph, from a copy of the ops that
    compute it; 0 when they read the trace's inputs."""
    from tensorflow.python.eager import lift_to_graph

    def initialize() -> None:
        graph = tf.compat.v1.get_default_graph()
        value = lift_to_graph.lift_to_graph([initial], graph)[initial]
        variable.assign(tf.cast(value, variable.dtype))

    try:
        tf.function(initialize)()
    except (lift_to_graph.UnliftableError, ValueError, TypeError):
        return 0
    return 1
