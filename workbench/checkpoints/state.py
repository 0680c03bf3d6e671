"""What a checkpoint holds, and putting it back: the model's variables (weights, seed generators
of its layers, metric state), the optimizer's, Keras' global seed generator, TensorFlow's global
``tf.random.Generator``, any ``tf.data`` iterators and other trackables given, through one
``tf.train.Checkpoint``; and Python's and NumPy's global random state in the manifest.

Variables are saved as lists in the order Keras lists them (``model.variables``), which is the
order of the model's construction: a rebuilt model of the same code restores by position, and a
different model is caught by the counts and shapes.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np

from workbench.checkpoints.errors import CheckpointError


def _tf_variable(variable: Any) -> Any:
    """The ``tf.Variable`` behind a Keras variable (the object ``tf.train.Checkpoint`` saves)."""
    return getattr(variable, "value", variable) if hasattr(variable, "path") else variable


def _keras_seed_generator(create: bool) -> Any:
    """Keras' global seed generator (what ``keras.random.*(seed=None)`` draws from), if it
    exists; creating it draws a seed from Python's ``random``, so it is made only to restore."""
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    found = global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR)
    if found is None and create:
        found = seed_generator.global_seed_generator()
    return found


def _tf_global_generator(create: bool) -> Any:
    from tensorflow.python.ops import stateful_random_ops

    found = stateful_random_ops.global_generator
    if found is None and create:
        import tensorflow as tf

        found = tf.random.get_global_generator()
    return found


def objects(
    model: Any, optimizer: Any, extra: Mapping[str, Any], *, saved: list[str] | None = None
) -> dict[str, Any]:
    """The trackables of a checkpoint by name. ``saved``: the names a checkpoint holds (when
    restoring, the global generators are made only if it holds them)."""
    found: dict[str, Any] = {}
    if model is not None:
        if not model.built:
            raise CheckpointError(
                f"Expected a built model (call it on a batch, or fit it, first). Received: "
                f"{model.name!r}, unbuilt: it has no variables to save or restore yet."
            )
        # metric state is left out: fit resets it each epoch, and Keras builds it lazily
        found["model_variables"] = [_tf_variable(v) for v in model.variables]
    if optimizer is not None:
        if not optimizer.built and model is not None:
            optimizer.build(model.trainable_variables)  # its slots exist before loading them
        found["optimizer_variables"] = [_tf_variable(v) for v in optimizer.variables]
    restoring = saved is not None
    keras_seed = _keras_seed_generator(create=restoring and "keras_seed" in (saved or []))
    if keras_seed is not None:
        found["keras_seed"] = _tf_variable(keras_seed.state)
    generator = _tf_global_generator(create=restoring and "tf_generator" in (saved or []))
    if generator is not None:
        found["tf_generator"] = generator
    for name, value in extra.items():
        if name in found:
            raise ValueError(f"Expected a name other than {sorted(found)}. Received: {name!r}")
        found[name] = value
    if restoring:
        found = {name: value for name, value in found.items() if name in (saved or [])}
    return found


def counts(found: Mapping[str, Any]) -> dict[str, int]:
    return {name: len(value) for name, value in found.items() if isinstance(value, list)}


def check_counts(saved: Mapping[str, int], found: Mapping[str, Any], where: str) -> None:
    for name, count in counts(found).items():
        if name in saved and saved[name] != count:
            raise CheckpointError(
                f"{where}: holds {saved[name]} {name.replace('_', ' ')}, this model has {count}. "
                "Expected the same model (same layers, built the same way) as the one saved."
            )


def python_rng() -> dict[str, Any]:
    """Python's and NumPy's global random state, and TensorFlow's global seed, as JSON."""
    from tensorflow.python.eager import context

    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    return {
        "python": [version, list(internal), gauss],
        "numpy": [kind, np.asarray(keys).tolist(), int(pos), int(has_gauss), float(cached)],
        # not state but where op-level seeds come from: fit's shuffle of arrays draws from it
        "tf_global_seed": context.global_seed(),
    }


def set_python_rng(state: Mapping[str, Any]) -> None:
    """Put back :func:`python_rng`'s state (the TF global seed first: setting it resets
    Keras' global seed generator, restored after this)."""
    if state.get("tf_global_seed") is not None:
        import tensorflow as tf

        tf.random.set_seed(int(state["tf_global_seed"]))
    if "python" in state:
        version, internal, gauss = state["python"]
        random.setstate((version, tuple(internal), gauss))
    if "numpy" in state:
        kind, keys, pos, has_gauss, cached = state["numpy"]
        np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
