"""A real kernel dies (SIGKILL mid-epoch, after a checkpoint and a flush of its curves), a new
kernel runs the same cells and resumes: the weights equal those of an uninterrupted fit bit for
bit, and the live curves continue the same run (same steps and values as the straight run's)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from tests.conftest import REPO

SETUP = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
import numpy as np, keras, tensorflow as tf, workbench
from tests.checkpoint.train import KillAt, data, model
tf.config.experimental.enable_op_determinism()
x, y = data()

def train(epochs, folder, logdir, kill_at=0):
    keras.utils.set_random_seed(7)
    net = model()
    live = workbench.LiveCurves(logdir=logdir, run="digits", display=False)
    callbacks = [workbench.checkpoint(folder, curves=live), live]
    if kill_at:
        callbacks.append(KillAt(kill_at))
    net.fit(x, y, batch_size=32, epochs=epochs, callbacks=callbacks, verbose=0)
    return net
"""

FIRST = 'train(4, "ckpts", "runs", kill_at=20)  # dies 4 steps into epoch 3'

RESUMED = """
resumed = train(4, "ckpts", "runs")
straight = train(4, "ckpts-straight", "runs-straight")
pairs = zip(resumed.get_weights(), straight.get_weights())
diff = max(float(np.abs(a - b).max()) for a, b in pairs)
print("max weight difference", diff)
from workbench.curves.store import Run
a, b = Run.load("runs/digits"), Run.load("runs-straight/digits")
for key in sorted(b.series):
    same = np.array_equal(a.series[key].steps, b.series[key].steps) and np.array_equal(
        a.series[key].values, b.series[key].values)
    print(key, len(a.series[key]), "points, same as straight:", same)
print("runs:", sorted(p.name for p in Path("runs").iterdir()))
"""


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "tf-workbench", "display_name": "TF", "language": "python"}
    return nb


def _run(nb: nbformat.NotebookNode, folder: Path) -> str:
    NotebookClient(
        nb, timeout=300, kernel_name="tf-workbench", resources={"metadata": {"path": folder}}
    ).execute()
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_a_killed_kernel_resumes_exactly_and_continues_its_curves(tmp_path: Path) -> None:
    with pytest.raises(DeadKernelError):
        _run(_notebook(SETUP, FIRST), tmp_path)
    assert sorted(p.name for p in (tmp_path / "ckpts").glob("ckpt-*")) == ["ckpt-16", "ckpt-8"]
    text = _run(
        _notebook(SETUP.replace("import sys", "import sys\nfrom pathlib import Path"), RESUMED),
        tmp_path,
    )
    assert "workbench.checkpoint: resumed from ckpts/ckpt-16 (epoch 2, step 16)." in text
    # the dead kernel had flushed steps 17-20 of the run: those steps are trained again
    assert (
        "run 'digits' went on past this checkpoint; its 8 points after step 16 were dropped" in text
    )
    assert "max weight difference 0.0\n" in text
    assert "('train', 'loss') 32 points, same as straight: True" in text
    assert "('train', 'accuracy') 32 points, same as straight: True" in text
    assert "runs: ['digits']" in text  # continued, not digits-2
