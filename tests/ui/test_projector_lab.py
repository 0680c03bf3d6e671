"""The projection view in JupyterLab, over a real kernel and comm: the loader fetches the view's
script from the kernel (it is not in the widget's state), the points are drawn, a hover shows a
row, a lasso's indices reach ``proj.selected`` in the kernel, and the saved notebook keeps the
view's picture instead of the widget."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CELL = """import numpy as np, workbench
rng = np.random.default_rng(0)
labels = np.arange(20_000) % 5
centres = np.zeros((5, 16))
centres[1, 0], centres[2, 0], centres[3, 1], centres[4, 1] = 12, -12, 12, -12
x = centres[labels] + rng.normal(size=(20_000, 16))  # group 0 in the middle
proj = workbench.project(x, labels=[f"group {v}" for v in labels])
proj"""


def _run(page: Any, index: int) -> None:
    page.locator(".jp-Notebook .jp-Cell .cm-content").nth(index).click()
    page.keyboard.press("Shift+Enter")
    prompt = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputPrompt")
    expect(prompt).to_have_text(re.compile(r"\[\d+\]:"))
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()


def test_the_projection_in_jupyterlab_and_its_saved_notebook(
    lab: Any, page: Any, tmp_path: Path
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL), nbformat.v4.new_code_cell("len(proj.selected)")]
    nb.metadata["kernelspec"] = {
        "name": "tf-workbench",
        "display_name": "TensorFlow Workbench",
        "language": "python",
    }
    nbformat.write(nb, lab.root / "project.ipynb")
    page.goto(lab.open("project.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    # the kernel is up (a cell run before it is would only move the cursor)
    expect(
        page.locator(".jp-StatusBar-Widget").get_by_text("TensorFlow Workbench | Idle")
    ).to_be_visible()
    _run(page, 0)
    view = page.locator(".workbench-projector")
    expect(view.locator(".workbench-projector-status")).to_have_text("20,000 points")
    expect(view.locator(".workbench-projector-legend")).to_contain_text("group 0 (")
    canvas = view.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "lab.png"))
    # hover and lasso the group in the middle
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tooltip = page.locator(".workbench-projector-tooltip")
    page.mouse.move(cx - 4, cy)
    page.mouse.move(cx, cy, steps=3)
    expect(tooltip).to_contain_text("label: group 0")
    hx = cx
    page.keyboard.down("Shift")
    page.mouse.move(hx + 30, cy)
    page.mouse.down()
    for step in range(1, 41):
        angle = 2 * math.pi * step / 40
        page.mouse.move(hx + 30 * math.cos(angle), cy + 30 * math.sin(angle))
        page.wait_for_timeout(15)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(view.locator(".workbench-projector-status")).to_contain_text("points selected")
    _run(page, 1)
    out = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea-output")
    expect(out).to_have_text(re.compile(r"^[1-9]\d*$"))  # the lasso's rows, in the kernel
    page.screenshot(path=str(tmp_path / "lab-lasso.png"))
    # the saved file keeps the picture, not the widget
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while True:
        outputs = json.loads((lab.root / "project.ipynb").read_text())["cells"][0]["outputs"]
        if outputs or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    (output,) = [o for o in outputs if "data" in o]
    assert "application/vnd.jupyter.widget-view+json" not in output["data"]
    html = output["data"]["text/html"]
    assert '<img src="data:image/png;base64,' in "".join(html)  # nbformat may split lines
    state = json.dumps(json.loads((lab.root / "project.ipynb").read_text())["metadata"])
    assert "createScatterplot" not in state  # the view's script is not saved with the widget
