"""The projection view in headless Chromium, as users meet it: 100k points drawn, a hover shows
the point's metadata row, a shift-drag lasso's indices reach ``proj.selected``, a click lists
nearest neighbours, search highlights; in 3-D a drag rotates, the wheel zooms, a shift-drag box
selects. Screenshots land in the test's tmp dir (looked at while building)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.projector.page import projector_page
from workbench.widgets.projector import project

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _blobs(n: int, dims: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 6, n)
    centres = rng.normal(scale=6, size=(6, dims))
    return (centres[labels] + rng.normal(size=(n, dims))).astype(np.float32), labels


def _lasso(page: Any, cx: float, cy: float, r: float) -> None:
    page.keyboard.down("Shift")
    page.mouse.move(cx + r, cy)
    page.mouse.down()
    for step in range(1, 41):
        angle = 2 * math.pi * step / 40
        page.mouse.move(cx + r * math.cos(angle), cy + r * math.sin(angle))
        page.wait_for_timeout(15)  # regl-scatterplot samples the lasso every 10 ms
    page.mouse.up()
    page.keyboard.up("Shift")


def _until(page: Any, done: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait for ``done()`` (a selection reaching Python), serving the page's messages."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the view's selection never reached Python"
        page.wait_for_timeout(20)  # Playwright delivers the page's calls while it waits


def test_100k_points_hover_lasso_neighbours_and_search(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    x, labels = _blobs(100_000)
    proj = project(x, labels=[f"c{v}" for v in labels])
    with projector_page(proj, monkeypatch) as pg:
        canvas = pg.render()
        page = pg.page
        assert pg.buffer_bytes >= 100_000 * 2 * 4  # the points, as float32 buffers
        assert pg.buffer_bytes < 100_000 * 2 * 4 + 100_000 + 10_000  # + a byte of colour each
        expect(page.locator(".workbench-projector-status")).to_have_text("100,000 points")
        expect(page.locator(".workbench-projector-legend")).to_contain_text("c0 (")
        box = canvas.bounding_box()
        page.screenshot(path=str(tmp_path / "view2d.png"))
        # hover the densest place: one of the blobs
        positions = pg.view.positions
        dense = positions[labels == 0].mean(axis=0)
        half = (
            min(box["width"], box["height"]) / 2
        )  # regl-scatterplot fits [-1, 1] to the short side
        cx = float(box["x"] + box["width"] / 2 + dense[0] * half)
        cy = float(box["y"] + box["height"] / 2 - dense[1] * half)
        page.mouse.move(cx - 3, cy)
        page.mouse.move(cx, cy, steps=3)
        tooltip = page.locator(".workbench-projector-tooltip")
        expect(tooltip).to_be_visible()
        expect(tooltip).to_contain_text("label: c")
        expect(tooltip).to_contain_text("row: ")
        page.screenshot(path=str(tmp_path / "hover2d.png"))
        # lasso a group: its indices reach Python as input rows near that place
        _lasso(page, cx, cy, 25)
        _until(page, lambda: proj.selected.size > 0)
        selected = proj.selected
        assert selected.size > 10
        chosen = positions[selected]
        assert np.abs(chosen - dense).max() < 30 / half * 1.5
        expect(page.locator(".workbench-projector-status")).to_contain_text("points selected")
        page.screenshot(path=str(tmp_path / "lasso2d.png"))
        # search highlights the matches
        page.keyboard.press("Escape")
        page.fill(".workbench-projector-controls input[type=search]", "c3")
        expect(page.locator(".workbench-projector-status")).to_contain_text(
            f"{int((labels == 3).sum()):,} points match"
        )
        # a click asks for the nearest neighbours in the original space
        page.fill(".workbench-projector-controls input[type=search]", "")
        page.mouse.click(cx, cy)
        expect(page.locator(".workbench-projector-status")).to_contain_text("nearest to point")
        page.screenshot(path=str(tmp_path / "neighbours2d.png"))
        assert page.evaluate("window.logged") == []


def test_3d_rotates_zooms_hovers_and_box_selects(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    x, labels = _blobs(20_000, seed=1)
    proj = project(x, labels=labels.tolist(), dims=3)
    with projector_page(proj, monkeypatch) as pg:
        canvas = pg.render()
        page = pg.page
        box = canvas.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        renderer = "window.el.workbenchProjector.renderer"
        before = page.evaluate(f"{renderer}.orbit")
        first = canvas.screenshot()
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 120, cy + 30, steps=6)
        page.mouse.up()
        turned = page.evaluate(f"{renderer}.orbit")
        assert turned["yaw"] != pytest.approx(before["yaw"])
        assert turned["pitch"] != pytest.approx(before["pitch"])
        page.mouse.wheel(0, -300)
        page.wait_for_function(f"{renderer}.orbit.distance < {turned['distance']}")
        assert canvas.screenshot() != first  # the picture turned and came closer
        page.screenshot(path=str(tmp_path / "view3d.png"))
        # hover: scan along a line through the centre until a point is under the mouse
        tooltip = page.locator(".workbench-projector-tooltip")
        for dx in range(-150, 150, 4):
            page.mouse.move(cx + dx, cy)
            page.wait_for_timeout(30)
            if tooltip.is_visible():
                break
        expect(tooltip).to_contain_text("label: ")
        # shift-drag: a box selection, indices back in Python
        page.keyboard.down("Shift")
        page.mouse.move(cx - 80, cy - 80)
        page.mouse.down()
        page.mouse.move(cx + 80, cy + 80, steps=5)
        page.mouse.up()
        page.keyboard.up("Shift")
        _until(page, lambda: proj.selected.size > 0)
        expect(page.locator(".workbench-projector-status")).to_contain_text("points selected")
        page.screenshot(path=str(tmp_path / "box3d.png"))
        assert page.evaluate("window.logged") == []
