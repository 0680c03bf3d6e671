"""The statistics table in JupyterLab as a user meets it: it renders with its sparklines, a click on
a header sorts its rows (the output is trusted: its script ran), a second click reverses them; the
notebook saved and reopened still shows the table, sortable."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.ui.test_lab import _no_extension_errors, _open_notebook, _run_cell  # noqa: F401

CELL = """import numpy as np, pandas as pd, workbench
rng = np.random.default_rng(0)
frame = pd.DataFrame({
    "big": rng.normal(100, 5, 3000), "small": rng.normal(-7, 1, 3000),
    "holes": np.where(rng.random(3000) < 0.2, np.nan, rng.random(3000)),
    "city": rng.choice(["Oslo", "Lima", "Pune"], 3000),
})
workbench.stats(frame)"""


def _names(table: Any) -> list[str]:
    return [c.strip() for c in table.locator("tbody tr td:first-child b").all_inner_texts()]


def test_statistics_table_sorts_and_survives_saving(lab: Any, page: Any, tmp_path: Path) -> None:
    _open_notebook(lab, page, [CELL])
    output = _run_cell(page, 0)
    view = output.locator(".workbench-data-stats")
    view.wait_for()
    numeric = view.locator("table.workbench-sortable").first
    assert _names(numeric) == ["big", "small", "holes"]
    assert view.locator(".workbench-sparkline").count() == 4
    numeric.locator("th", has_text="mean").click()
    assert _names(numeric) == ["small", "holes", "big"]
    numeric.locator("th", has_text="mean").click()
    assert _names(numeric) == ["big", "holes", "small"]
    page.screenshot(path=str(tmp_path / "stats.png"))
    page.keyboard.press("Control+s")
    saved = lab.root / "test.ipynb"
    deadline = time.monotonic() + 60
    while "workbench-data-stats" not in saved.read_text():  # the output written to disk
        assert time.monotonic() < deadline, "the notebook was not saved"
        page.wait_for_timeout(100)
    page.reload()
    table = page.locator(".workbench-data-stats table.workbench-sortable").first
    table.wait_for()
    assert _names(table) == ["big", "small", "holes"]  # as printed, before any click
    table.locator("th", has_text="missing").click()
    assert _names(table)[-1] == "holes"
    page.screenshot(path=str(tmp_path / "reopened.png"))
