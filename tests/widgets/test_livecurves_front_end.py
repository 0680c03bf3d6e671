"""The live view's front end (the built ``livecurves.js``) in a real Chromium, without a kernel:
what a reopened notebook renders from saved widget state. The anywidget model is the boundary:
a small stand-in that holds traits and delivers messages as anywidget does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATIC = Path(__file__).resolve().parents[2] / "workbench" / "widgets" / "_static"
ORIGIN = "http://workbench.test"

PAGE = """<!doctype html><html><body>
<div class="jp-OutputArea-child"><div id="view" style="width:600px"></div></div>
<div class="jp-OutputArea-child" id="snapshot-output">
  <div data-workbench-snapshot="run-1">the static snapshot</div>
</div>
<script type="module">
import widget from "./livecurves.js";
class Model {
  constructor(state) { this.state = state; this.handlers = {}; this.sent = []; }
  get(name) { return this.state[name]; }
  send(content) { this.sent.push(content); }  // no kernel: nobody answers
  on(event, callback) { (this.handlers[event] ??= []).push(callback); }
  off(event, callback) {
    this.handlers[event] = (this.handlers[event] ?? []).filter(c => c !== callback);
  }
  emit(event, ...args) { for (const c of this.handlers[event] ?? []) c(...args); }
}
// the saved state of a finished run's widget: traits, no points (points are never saved)
window.model = new Model({
  run_id: "run-1", title: "r", state: "finished", progress: {text: "step 3/3"},
  bad_values: [], smoothing: 0, snapshot: true,
});
widget.render({ model: window.model, el: document.getElementById("view") });
window.rendered = true;
</script></body></html>"""


@pytest.fixture
def page() -> Iterator[Any]:
    if not (STATIC / "livecurves.js").exists():
        pytest.fail("workbench/widgets/_static/livecurves.js is missing: run `jlpm build`")
    with chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(30_000)

        def serve(route: Any) -> None:
            if route.request.url.endswith("/livecurves.js"):
                body = (STATIC / "livecurves.js").read_text()
                route.fulfill(body=body, content_type="text/javascript")
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        page.route(f"{ORIGIN}/**", serve)
        yield page


def test_a_view_without_points_leaves_the_snapshot_visible(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{ORIGIN}/index.html")
    page.wait_for_function("window.rendered === true")
    assert page.evaluate("window.model.sent") == [{"type": "sync"}]  # asked; no kernel answers
    page.wait_for_timeout(1_500)  # past the view's last look for the snapshot (1 s)
    snapshot = page.locator("#snapshot-output")
    expect(snapshot).to_be_visible()
    expect(page.locator(".workbench-livecurves-header")).to_contain_text("finished")

    # a kernel answers after all: the view has points to draw, so it replaces the snapshot
    page.evaluate(
        """() => window.model.emit(
            "msg:custom",
            {type: "reset", series: [{key: "train/loss", group: "loss", split: "train", n: 3}]},
            [new Float64Array([1, 2, 3]).buffer, new Float64Array([0.9, 0.5, 0.4]).buffer],
        )"""
    )
    expect(page.locator(".workbench-livecurves-panel[data-group='loss']")).to_have_attribute(
        "data-points", "3"
    )
    expect(snapshot).to_be_hidden()
