"""The profiler in JupyterLab, as users meet it: a fit profiled with
``LiveCurves(profile_steps=...)`` shows its verdict, breakdown and timeline below the curves; the
timeline zooms, pans and shows a tooltip; the side panel's Profiles section lists the capture and
opens it beside the notebook; and the saved notebook, reopened with no kernel, still shows the
verdict, the bars and the timeline's picture (never "model not found")."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETUP = """import time, warnings
import keras, tensorflow as tf, workbench
from sklearn.datasets import load_digits
warnings.filterwarnings("ignore")
digits = load_digits()
x, y = digits.data.astype("float32")[:640] / 16, digits.target[:640]
def decode(image, label):
    def slow(image, label):
        time.sleep(0.002)
        return image, label
    image, label = tf.py_function(slow, [image, label], [tf.float32, tf.int64])
    image.set_shape([64]); label.set_shape([])
    return image, label
slow = tf.data.Dataset.from_tensor_slices((x, y)).map(decode).batch(32)
model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))"""
FIT = (
    "model.fit(slow, epochs=1, verbose=0, "
    "callbacks=[workbench.LiveCurves(logdir='runs', run='slow', profile_steps=(5, 9))])"
)


def _open(lab: Any, page: Any) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(FIT)]
    nb.metadata["kernelspec"] = {
        "name": "tf-workbench",
        "display_name": "TensorFlow Workbench",
        "language": "python",
    }
    nbformat.write(nb, lab.root / "profile.ipynb")
    page.goto(lab.open("profile.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".lm-TabBar-tab[data-id='workbench-panel']").click()
    panel = page.locator("#workbench-panel")
    panel.locator("[data-section='versions'] .jp-Workbench-versions").wait_for()
    return panel


def _run(page: Any, index: int) -> None:
    page.locator(".jp-Notebook .jp-Cell .cm-content").nth(index).click()
    page.keyboard.press("Shift+Enter")
    prompt = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputPrompt")
    expect(prompt).to_have_text(re.compile(r"\[\d+\]:"))  # ran (a setup cell shows nothing)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()


def _saved_timeline(path: Path, timeout: float = 30.0) -> dict[str, Any]:
    """The timeline's output in the saved file, once the save has written it."""
    deadline = time.monotonic() + timeout
    while True:
        outputs = json.loads(path.read_text())["cells"][1]["outputs"]
        marked = [o for o in outputs if "tf-workbench" in o.get("metadata", {})]
        if marked or time.monotonic() > deadline:
            assert len(marked) == 1, outputs
            return marked[0]  # type: ignore[no-any-return]
        time.sleep(0.25)


def _window(timeline: Any) -> tuple[float, float]:
    t0, t1 = timeline.get_attribute("data-window").split(",")
    return float(t0), float(t1)


def test_a_profiled_fit_in_jupyterlab_and_its_saved_notebook(
    lab: Any, page: Any, tmp_path: Path
) -> None:
    panel = _open(lab, page)
    _run(page, 0)
    _run(page, 1)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(1)
    expect(cell.locator(".workbench-profile-verdict[data-kind='input-bound']")).to_contain_text(
        "waits for data"
    )
    expect(cell.locator(".workbench-profile-verdict")).to_contain_text("prefetch")
    timeline = cell.locator(".workbench-timeline[data-state='ready'][data-seq]")
    timeline.wait_for()
    assert int(timeline.get_attribute("data-items")) > 100
    timeline.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "fit.png"))

    # zoom at the cursor, pan by dragging, hover an event
    canvas = timeline.locator(".workbench-timeline-main")
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * 0.5, box["y"] + 18 + 14 + 8  # python's first row
    t0, t1 = _window(timeline)
    page.mouse.move(x, y)
    page.mouse.wheel(0, -500)
    z0, z1 = _window(timeline)
    assert z1 - z0 < (t1 - t0) / 2
    page.mouse.down()
    page.mouse.move(x - 200, y, steps=4)
    page.mouse.up()
    p0, _ = _window(timeline)
    assert p0 > z0
    page.mouse.move(x, y)
    tooltip = timeline.locator(".workbench-timeline-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("duration")
    timeline.screenshot(path=str(tmp_path / "timeline.png"))

    # the side panel lists the capture, with its verdict, and opens it beside the notebook
    capture = panel.locator(".jp-Workbench-profile[data-name^='slow/train/']")
    expect(capture).to_contain_text("input-bound")
    capture.click()
    opened = page.locator(".jp-Workbench-profileView .workbench-timeline[data-state='ready']")
    opened.wait_for()
    page.screenshot(path=str(tmp_path / "opened.png"))

    # saved: the timeline's output keeps its picture, not the widget only this kernel knew
    page.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
    page.keyboard.press("Control+s")
    marked = _saved_timeline(lab.root / "profile.ipynb")
    assert "application/vnd.jupyter.widget-view+json" not in marked["data"]
    assert "timeline overview" in "".join(marked["data"]["text/html"])  # saved as lines

    # reopened with no kernel: the static summary
    page.locator(".lm-MenuBar-item", has_text="Kernel").click()
    page.locator(".lm-Menu-item[data-command='kernelmenu:shutdown']").click()
    page.locator(".jp-Notebook-ExecutionIndicator").wait_for()
    page.reload()
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    reopened = page.locator(".jp-Notebook .jp-Cell").nth(1)
    expect(reopened.locator(".workbench-profile-verdict")).to_contain_text("input-bound")
    static = reopened.locator(".workbench-timeline-static img")
    static.scroll_into_view_if_needed()
    expect(static).to_be_visible()
    expect(reopened.locator(".workbench-profile-ops")).to_be_visible()
    expect(page.locator("text=model not found")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "reopened.png"))
