"""A 2-worker job in JupyterLab, in a real browser: the cell's live view and the side panel's
Jobs section show both workers progressing while the kernel is idle, the panel's Cancel stops
them, and the view is then replaced by the job's static table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.test_lab import _no_extension_errors, _open_notebook, _run_cell  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.multiworker]

LAUNCH = """import time
import workbench

def train():
    for step in range(1, 100_000):
        print(f"step {step}")
        workbench.report(step, loss=1.0 / step)
        time.sleep(0.1)

job = workbench.launch(train, workers=2, logdir=None, name="two-workers")"""


def _steps(locator: Any) -> list[int]:
    return [int(t) for t in locator.all_inner_texts()]


def test_jobs_view_and_panel_show_two_workers_progressing(
    lab: Any, page: Any, tmp_path: Path
) -> None:
    panel = _open_notebook(lab, page, [LAUNCH])
    output = _run_cell(page, 0)
    view = output.locator(".workbench-jobview")
    rows = view.locator("tr[data-worker]")
    expect(rows).to_have_count(2)
    steps = view.locator("td.wb-step")
    expect(steps.nth(1)).not_to_have_text("0")
    first = _steps(steps)
    expect(view.locator(".wb-job-head")).to_contain_text("running")
    page.wait_for_function(
        "([sel, before]) => [...document.querySelectorAll(sel)].every("
        "(td, i) => Number(td.textContent) > before[i] + 5)",
        arg=[".workbench-jobview td.wb-step", first],
    )
    expect(rows.nth(0)).to_contain_text(re.compile(r"loss \d"))
    expect(rows.nth(1)).to_contain_text(re.compile(r"step \d+"))  # its output's tail

    section = panel.locator("[data-section='jobs']")
    workers = section.locator(".jp-Workbench-worker")
    expect(workers).to_have_count(2)
    expect(workers.nth(0)).to_contain_text(re.compile(r"worker 0 · running · step \d+"))
    before = int(workers.nth(1).get_attribute("data-step") or 0)
    page.wait_for_function(
        "([sel, n]) => Number(document.querySelectorAll(sel)[1]?.dataset.step) > n",
        arg=["#workbench-panel .jp-Workbench-worker", before],
    )
    page.screenshot(path=str(tmp_path / "jobs-running.png"))

    section.locator(".jp-Workbench-cancel").click()
    expect(section.locator(".jp-Workbench-job")).to_have_attribute("data-state", "cancelled")
    expect(output.first).to_contain_text("cancelled from the side panel")
    expect(output.locator(".workbench-job table")).to_be_visible()  # the static table
    page.screenshot(path=str(tmp_path / "jobs-cancelled.png"))
