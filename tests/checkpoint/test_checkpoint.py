"""Checkpoints in one process: fit and workbench.fit resume where they stopped, a custom loop
resumes mid-data with its iterator and generator, damage falls back to the previous good one."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import workbench
from tests.checkpoint.train import data, model
from workbench.checkpoints.errors import CheckpointError
from workbench.checkpoints.store import listing
from workbench.distribute.fit import fit


def _weights(net: keras.Model) -> list[np.ndarray]:
    return [v.numpy() for v in net.weights]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))


# model.fit's resume is tested across a killed kernel (test_kernel_restart.py)
@pytest.mark.parametrize("trainer", ["workbench.fit"])
def test_fit_resumes_at_the_saved_epoch(tmp_path: Path, trainer: str) -> None:
    x, y = data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)

    def train(net: keras.Model, epochs: int, callbacks: list[keras.callbacks.Callback]) -> None:
        if trainer == "model.fit":
            net.fit(ds, epochs=epochs, callbacks=callbacks, verbose=0)
        else:
            fit(net, ds, epochs=epochs, callbacks=callbacks, verbose=0)

    keras.utils.set_random_seed(3)
    straight = model()
    train(straight, 4, [])
    keras.utils.set_random_seed(3)
    first = model()
    said: list[str] = []
    train(first, 2, [workbench.checkpoint(tmp_path, report=said.append)])
    keras.utils.set_random_seed(99)  # another start: the checkpoint must set everything
    second = model()
    ck = workbench.checkpoint(tmp_path, report=said.append)
    train(second, 4, [ck])
    history = second.history
    assert said[0] == f"workbench.checkpoint: resumed from {tmp_path}/ckpt-16 (epoch 2, step 16)."
    # this dataset is not shuffled, so the other seed does not matter; it is said all the same
    assert said[1].startswith("workbench.checkpoint: TensorFlow's global seed is 99, the ")
    assert "keras.utils.set_random_seed(3) before fit" in said[1]
    assert history.epoch == [2, 3]  # only the epochs left
    assert second._initial_epoch is None  # a later fit of this model is not moved on
    assert _same(_weights(straight), _weights(second)) < 1e-6
    assert [s.step for s in listing(tmp_path)] == [32, 24, 16]  # keep=3


def test_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path: Path) -> None:
    x, y = data()
    keras.utils.set_random_seed(1)
    net = model()
    net.fit(x, y, epochs=2, callbacks=[workbench.checkpoint(tmp_path)], verbose=0)
    after_one = workbench.checkpoint(tmp_path)
    data_file = next((tmp_path / "ckpt-16").glob("state.data-*"))
    with data_file.open("r+b") as handle:  # one flipped byte in the middle of the weights
        handle.seek(data_file.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    said: list[str] = []
    fresh = model()
    saved = workbench.resume(fresh, tmp_path, report=said.append)
    assert saved is not None
    assert saved.step == 8
    assert saved.epoch == 1
    assert said[0].startswith("workbench.checkpoint: skipping damaged checkpoint ")
    assert f"{data_file}: corrupted" in said[0]
    assert "kept as ckpt-16.damaged" in said[0]
    assert said[1].endswith("resumed from " + f"{tmp_path}/ckpt-8 (epoch 1, step 8).")
    assert after_one.latest() is not None


def test_bad_input_is_named(tmp_path: Path) -> None:
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    ck = workbench.checkpoint(tmp_path, model=unbuilt)
    with pytest.raises(CheckpointError, match="Expected a built model"):
        ck.save(1, force=True)
    net = model()
    workbench.checkpoint(tmp_path, model=net).save(1, force=True)
    other = keras.Sequential([keras.Input((16,)), keras.layers.Dense(3)])
    other.compile("adam", "mse")
    with pytest.raises(CheckpointError, match="ckpt-1: holds 5 model variables, this model has 2"):
        workbench.resume(other, tmp_path)
    with pytest.raises(CheckpointError, match="Expected a folder of checkpoints"):
        workbench.resume(net, tmp_path / "missing")
    with pytest.raises(ValueError, match="Expected keep to be an integer >= 1"):
        workbench.checkpoint(tmp_path, keep=0)
