"""JupyterLab with the workbench, in a real browser: a notebook on the tf-workbench kernel runs
TensorFlow, and the Workbench side panel lists the kernel's devices."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _notebook(lab: Any, name: str, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {
        "name": "tf-workbench",
        "display_name": "TensorFlow Workbench",
        "language": "python",
    }
    nbformat.write(nb, lab.root / name)


def test_notebook_runs_tensorflow_and_panel_lists_cpu(lab: Any, page: Any) -> None:
    _notebook(lab, "test.ipynb", "import tensorflow as tf; tf.__version__")
    page.goto(lab.open("test.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()

    page.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-OutputArea-output").first
    output.wait_for()
    assert output.inner_text().strip().strip("'").startswith("2.")

    page.locator(".lm-TabBar-tab[data-id='workbench-panel']").click()
    panel = page.locator("#workbench-panel")
    panel.wait_for()
    panel.locator(".jp-Workbench-device", has_text="CPU").first.wait_for()
    text = panel.inner_text()
    assert "TensorFlow" in text
    assert "2." in text
    assert "CPU" in text
