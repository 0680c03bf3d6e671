"""A gradient tape a compiled cell made and used up inside its trace.

A non-persistent tape computes one set of gradients; after that every use raises. When the
compiled lines record on a tape and take its gradient, nothing later can use the tape, so it
need not run eagerly for a later cell's sake: the namespace gets a used-up tape of its own,
which says what eager's says (the same error on another ``gradient``, the same watched
variables).
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

# (watch_accessed_variables, the variables it watched)
Spent = tuple[bool, tuple[Any, ...]]


def spent_form(value: Any) -> Spent | None:
    """How to make ``value`` again, when it is a tape its trace used up; else None."""
    if not isinstance(value, tf.GradientTape) or value._persistent or value._tape is not None:
        return None
    return value._watch_accessed_variables, tuple(value.watched_variables())


def spent_tape(form: Spent) -> tf.GradientTape:
    """A used-up tape, made without running an op (a training step's cell makes one per run):
    a tape that never recorded holds no tape either, so it already raises as a used-up one;
    what it watched is set as ``gradient`` sets it."""
    watch_accessed, watched = form
    tape = tf.GradientTape(watch_accessed_variables=watch_accessed)
    tape._watched_variables = watched
    return tape
