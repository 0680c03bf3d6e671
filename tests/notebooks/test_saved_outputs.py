"""What a saved notebook keeps of a training run: the snapshot, in little space."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

CELL = """import workbench, math
with workbench.run("long", logdir="runs") as r:
    for step in range(10_000):
        r.log(step, loss=1 / math.sqrt(1 + step), accuracy=1 - 1 / (2 + step))
        if step % 500 == 0:
            r.log(step, split="validation", loss=1.1 / math.sqrt(1 + step))
"""


def test_a_10k_step_run_saves_a_small_snapshot(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nb.metadata["kernelspec"] = {"name": "tf-workbench", "display_name": "TF", "language": "python"}
    NotebookClient(
        nb, timeout=300, kernel_name="tf-workbench", resources={"metadata": {"path": tmp_path}}
    ).execute()
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    # the whole saved file: outputs, and the widget state nbclient stores in the metadata
    size = path.stat().st_size
    assert size < 200_000, f"the saved notebook takes {size} bytes"
    assert len(json.dumps(outputs).encode()) < size
    htmls = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    (snapshot,) = [h for h in htmls if "data-workbench-snapshot" in h]
    assert snapshot.count("<svg") == 2  # loss (train + validation) and accuracy
    assert "long · finished" in snapshot
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 1  # the live view, next to the snapshot
    assert (tmp_path / "runs" / "long" / "train").is_dir()


def test_the_inspection_tutorial_saves_its_displays(tmp_path: Path) -> None:
    from tests.conftest import REPO

    nb = nbformat.read(REPO / "notebooks" / "tutorials" / "01_inspect.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="tf-workbench", resources={"metadata": {"path": tmp_path}}
    ).execute()
    nbformat.write(nb, tmp_path / "saved.ipynb")
    saved = nbformat.read(tmp_path / "saved.ipynb", as_version=4)
    results = [
        o.data for c in saved.cells if c.cell_type == "code" for o in c.outputs if "data" in o
    ]
    plain = "\n".join(d["text/plain"] for d in results)
    assert "<tf.Tensor shape=(1797, 8, 8) float32 on CPU:0" in plain
    assert "nan 1 · inf 1" in plain
    assert "<tf.RaggedTensor" in plain
    assert "<Functional" in plain
    assert "cardinality 57" in plain
    assert "dangling" in plain
    assert "no gradient" in plain
    assert all("text/html" in d for d in results)  # each has its rich form, saved
