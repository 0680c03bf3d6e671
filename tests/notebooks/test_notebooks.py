"""Every tutorial and dashboard notebook runs top to bottom, and is committed without outputs."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").rglob("*.ipynb"))
IDS = [str(p.relative_to(REPO / "notebooks")) for p in NOTEBOOKS]

# what each notebook must show, as patterns over its cells' text outputs in order (a notebook that
# runs without error but shows the wrong thing fails too)
SHOWS: dict[str, list[str]] = {
    "tutorials/00_welcome.ipynb": [
        r"TensorFlow loaded yet\? False",  # `import workbench` is light
        r"TensorFlow 2\.\d+",
        r"eager (-?[\d.]+)  tf\.function \1",  # graph and eager agree
        r"accuracy after 10 epochs: 0\.9\d",  # a seeded model that learns
        r"All checks passed\.",
    ],
    "tutorials/04_profile.ipynb": [
        r"input-bound: \d+% of step time waits for data",  # the verdict, in the report
        r"before: input-bound, [\d.]+ ms a step, input \d+%",
        r"after: (compute|overhead)-bound, [\d.]+ ms a step",
        r"step time [\d.]+ ms -> [\d.]+ (ms|µs) \([\d.]+x faster\), input wait \d+% -> \d+%",
        r"The fix made a step \d+x faster\. All checks passed\.",
    ],
}


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
    # a run leaves a readable record: save it beside the test's files for a look by hand
    nbformat.write(nb, tmp_path / path.name)
    text = "\n".join(_text(output) for cell in nb.cells for output in cell.get("outputs", []))
    position = 0
    for pattern in SHOWS.get(str(path.relative_to(REPO / "notebooks")), []):
        found = re.compile(pattern).search(text, position)
        assert found, f"{path.name} does not show {pattern!r} (after what it showed before)"
        position = found.end()


def _text(output: dict[str, object]) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    return str(data.get("text/plain", "")) if isinstance(data, dict) else ""
