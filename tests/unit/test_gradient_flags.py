"""``inspect_gradients`` flags vanishing and exploding gradients of a real Keras model, and only
those: a linear layer's kernel gradient scales with its input, so tiny and huge inputs make each."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import workbench
from workbench.inspect.gradients import EXPLODING, VANISHING


def _linear() -> keras.Model:
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones", name="out")]
    )
    model.compile(loss="mse")
    return model


@pytest.mark.parametrize(
    ("scale", "flag"),
    [(1e-9, "vanishing"), (1e4, "exploding"), (1.0, None)],
)
def test_the_kernels_gradient_is_flagged_by_its_size(scale: float, flag: str | None) -> None:
    model = _linear()
    x = np.full((4, 2), scale, dtype="float32")
    y = np.zeros((4, 1), dtype="float32")
    report = workbench.inspect_gradients(model, (x, y))
    norms = dict(zip(report.names, (float(n) for n in report.norms), strict=True))
    kernel = next(name for name in norms if "kernel" in name)
    flags = report.flags()
    if flag is None:
        assert VANISHING < norms[kernel] < EXPLODING
        assert kernel not in flags
    else:
        assert flags[kernel].startswith(f"{flag} (")
        assert f"! {flag} (" in repr(report)
        assert flag in report._repr_html_()
