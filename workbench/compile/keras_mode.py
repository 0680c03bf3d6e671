"""Applying a cell's mode to a Keras model for the cell's ``fit``/``evaluate``/``predict``.

Keras 3 caches its compiled train/test/predict functions at the first call and reads
``run_eagerly``/``jit_compile`` only when it builds them (FINDINGS.md), so both settings are
switched *and* the cached functions dropped, on the way in and again on the way out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from workbench.compile.modes import Mode

_CACHED = ("train_function", "test_function", "predict_function")


def is_keras_model(value: Any) -> bool:
    import keras

    return isinstance(value, keras.Model)


def settings_for(mode: Mode) -> dict[str, bool]:
    return {"run_eagerly": mode == "eager", "jit_compile": mode == "xla"}


@contextmanager
def applied(model: Any, mode: Mode) -> Iterator[dict[str, Any]]:
    """Run the block with the model in ``mode``; yields the model's own settings (restored)."""
    own = {"run_eagerly": model.run_eagerly, "jit_compile": model.jit_compile}
    _set(model, settings_for(mode))
    try:
        yield own
    finally:
        _set(model, own)


def _set(model: Any, settings: dict[str, Any]) -> None:
    model.run_eagerly = settings["run_eagerly"]
    model.jit_compile = settings["jit_compile"]
    for name in _CACHED:
        if hasattr(model, name):
            setattr(model, name, None)
