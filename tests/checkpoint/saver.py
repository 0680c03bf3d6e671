"""Saves checkpoints of a 2M-parameter model in a loop until killed: ``python -m
tests.checkpoint.saver <folder>``. Before saving step N every variable is set to N, so a
restored checkpoint of step N must hold N everywhere."""

from __future__ import annotations

import sys

import keras

from workbench.checkpoints.callback import Checkpoint


def big_model() -> keras.Model:
    return keras.Sequential(
        [keras.Input((1000,)), keras.layers.Dense(2000), keras.layers.Dense(10)]
    )


def main(folder: str) -> None:
    net = big_model()
    ck = Checkpoint(folder, every=1, keep=2, model=net)
    step = 0
    while True:
        step += 1
        for variable in net.weights:
            variable.assign(keras.ops.full(variable.shape, float(step)))
        ck.save(step)


if __name__ == "__main__":
    main(sys.argv[1])
