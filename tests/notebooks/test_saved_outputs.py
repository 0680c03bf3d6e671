"""What a saved notebook keeps of a training run: the run's final chart in place of its live view,
in little space."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

PLOTLY = "application/vnd.plotly.v1+json"

CELL = """import workbench, math
with workbench.run("long", logdir="runs") as r:
    for step in range(10_000):
        r.log(step, loss=1 / math.sqrt(1 + step), accuracy=1 - 1 / (2 + step))
        if step % 500 == 0:
            r.log(step, split="validation", loss=1.1 / math.sqrt(1 + step))
"""


def test_a_10k_step_run_saves_one_small_chart(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nb.metadata["kernelspec"] = {"name": "tf-workbench", "display_name": "TF", "language": "python"}
    NotebookClient(
        nb, timeout=300, kernel_name="tf-workbench", resources={"metadata": {"path": tmp_path}}
    ).execute()
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    saved = nbformat.read(path, as_version=4)
    # one output for the run: its live view, replaced in place by the final chart
    (output,) = saved.cells[0].outputs
    assert output.output_type == "display_data"
    assert set(output.data) == {PLOTLY, "text/html", "text/plain"}
    figure = output.data[PLOTLY]
    # the live view at its last state: each series' columns faint, its smoothed line solid
    assert [(t["name"], t["line"].get("dash")) for t in figure["data"]] == [
        ("train (columns)", None),
        ("train", "solid"),
        ("validation (columns)", None),
        ("validation", "dash"),
        ("train (columns)", None),
        ("train", "solid"),
    ]
    assert figure["layout"]["annotations"][0]["text"].startswith("<b>long</b> · finished")
    html = output.data["text/html"]
    assert html.count("<svg") == 2  # loss (train + validation) and accuracy
    assert "<b>long</b> · finished" in html
    assert output.data["text/plain"].startswith("<curves of long · finished")
    # the whole saved file: the output, and the closed widget's state nbclient stores
    size = path.stat().st_size
    assert size < 120_000, f"the saved notebook takes {size} bytes"
    assert len(json.dumps(output).encode()) < 80_000, len(json.dumps(output).encode())
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
