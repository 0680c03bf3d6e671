"""Every tutorial and dashboard notebook runs top to bottom, and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").rglob("*.ipynb"))
IDS = [str(p.relative_to(REPO / "notebooks")) for p in NOTEBOOKS]


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path}: strip outputs"
            assert cell.execution_count is None, f"{path}: strip execution counts"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "tf-workbench"
    client = NotebookClient(
        nb, timeout=600, kernel_name="tf-workbench", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    # a run leaves a readable record: save it beside the test's files for a look by hand
    nbformat.write(nb, tmp_path / path.name)
