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
    size = len(json.dumps(outputs).encode())
    assert size < 200_000, f"outputs take {size} bytes"
    htmls = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    (snapshot,) = [h for h in htmls if "data-workbench-snapshot" in h]
    assert snapshot.count("<svg") == 2  # loss (train + validation) and accuracy
    assert "long · finished" in snapshot
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 1  # the live view, next to the snapshot
    assert (tmp_path / "runs" / "long" / "train").is_dir()
