"""Loading the artifacts in a fresh Python process: what a server or an app sees, with none of
the notebook's objects around. ``python -m workbench.exports.fresh <folder>`` reads
``<folder>/check/inputs.npy`` and ``check/artifacts.json`` (kind -> path), and writes each
artifact's outputs to ``check/<kind>.npy`` (or its error to ``check/<kind>.error``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np


def check(folder: Path, artifacts: dict[str, Path], x: np.ndarray) -> dict[str, np.ndarray | str]:
    """Each artifact's outputs on ``x`` from a new process, or the error it raised there."""
    work = folder / "check"
    work.mkdir(parents=True, exist_ok=True)
    np.save(work / "inputs.npy", x)
    (work / "artifacts.json").write_text(json.dumps({k: str(v) for k, v in artifacts.items()}))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "workbench.exports.fresh", str(work)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        failure = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
    except subprocess.TimeoutExpired:
        failure = "timed out after 300 s"
    found: dict[str, np.ndarray | str] = {}
    for kind in artifacts:
        if (work / f"{kind}.npy").exists():
            found[kind] = np.load(work / f"{kind}.npy")
        elif (work / f"{kind}.error").exists():
            found[kind] = (work / f"{kind}.error").read_text()
        else:
            found[kind] = f"the fresh process died before loading it ({failure})"
    for path in work.iterdir():
        path.unlink()
    work.rmdir()
    return found


def main(work: Path) -> None:
    x = np.load(work / "inputs.npy")
    artifacts = json.loads((work / "artifacts.json").read_text())
    for kind, path in artifacts.items():
        try:
            out = _run(kind, Path(path), x)
        except Exception as error:  # noqa: BLE001 - reported to the parent, one line
            (work / f"{kind}.error").write_text(f"{type(error).__name__}: {error}"[:500])
            continue
        np.save(work / f"{kind}.npy", out)


def _run(kind: str, path: Path, x: np.ndarray) -> np.ndarray:
    if kind == "savedmodel":
        import tensorflow as tf

        loaded = tf.saved_model.load(str(path))
        return np.asarray(loaded.signatures["serving_default"](tf.constant(x)).popitem()[1])
    if kind == "keras":
        import keras

        return np.asarray(keras.saving.load_model(str(path))(x, training=False))
    from workbench.exports.measure import LiteRTRunner, run_all

    return run_all(LiteRTRunner(path), x, 32)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
