"""Tiny real training runs for the widget tests: digits, a small MLP, slow batches."""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np


def digits(n: int = 512) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:n].astype("float32") / 16, data.target[:n]


def mlp(**compile_kwargs: Any) -> Any:
    model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)]
    )
    model.compile(
        "adam",
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        **compile_kwargs,
    )
    return model


def nan_at_second_batch() -> tuple[Any, np.ndarray, np.ndarray]:
    """A linear model whose loss turns NaN in the second batch of 32 (and stays NaN) when fit
    with ``shuffle=False`` (shuffled: in one of the first two)."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    y = np.ones((256, 1), dtype="float32")
    y[40:] = np.nan
    return model, np.ones((256, 4), dtype="float32"), y


class Slow(keras.callbacks.Callback):  # type: ignore[misc]
    """Makes each batch take a known minimum time, so throttling has something to throttle."""

    def __init__(self, seconds: float = 0.004) -> None:
        super().__init__()
        self.seconds = seconds

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        time.sleep(self.seconds)


class Record(keras.callbacks.Callback):  # type: ignore[misc]
    """What ``fit`` reported to callbacks: every batch's logs."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[dict[str, float]] = []

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.batches.append({k: float(v) for k, v in (logs or {}).items()})
