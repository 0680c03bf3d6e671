"""The live view's front end (the built ``livecurves.js``) in a real Chromium, without a kernel.

The anywidget model is the boundary: a stand-in that holds traits, emits ``change:<trait>`` when
one is set, records what the view sends and saves, and delivers messages as ipywidgets does
(binary buffers as DataViews into one message buffer, at offsets). Each test plays the kernel's
part: it answers the view's ``sync`` request with every series' columns (a point per column here)
and then a response, as ``workbench.widgets.live_curves.CurvesWidget`` does. Waits are on
conditions (the page's state), never on time.

The view never looks outside its own element: when the run ends, the kernel replaces the view's
output with the run's chart and closes the model (``StreamedView.finish``), which disposes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATIC = Path(__file__).resolve().parents[2] / "workbench" / "widgets" / "_static"
ORIGIN = "http://workbench.test"

# The view's output area, beside another output of its cell (a notebook saved by an older
# workbench kept a static picture there): the view leaves whatever is not its own alone.
PAGE = """<!doctype html><html><body>
<div class="jp-OutputArea" id="area-view">
  <div class="jp-OutputArea-child"><div class="jp-OutputArea-output" id="host"
    style="width:600px"></div></div>
  <div class="jp-OutputArea-child" id="other-output">
    <div data-workbench-snapshot="run-1">another output of the cell</div>
  </div>
</div>
<script type="module">
import widget from "./livecurves.js";

window.logged = [];  // the view's warnings and errors
for (const kind of ["warn", "error"]) {
  const original = console[kind];
  console[kind] = (...args) => {
    window.logged.push(args.map(String).join(" "));
    original(...args);
  };
}

class Model {
  constructor(state) {
    this.state = state; this.handlers = {}; this.sent = []; this.saved = []; this.kernel = null;
  }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.emit(`change:${name}`); }
  save_changes() { this.saved.push({...this.state}); }
  send(content) { this.sent.push(content); this.kernel?.(content); }
  on(event, callback) { (this.handlers[event] ??= []).push(callback); }
  off(event, callback) {
    this.handlers[event] = (this.handlers[event] ?? []).filter(c => c !== callback);
  }
  emit(event, ...args) { for (const c of this.handlers[event] ?? []) c(...args); }
}

// float64 little-endian buffers as ipywidgets delivers them: DataViews into one message buffer
function dataViews(arrays) {
  const bytes = arrays.reduce((n, a) => n + a.length * 8, 0);
  const buffer = new ArrayBuffer(3 + bytes);
  let offset = 3;  // not a multiple of 8: a Float64Array over it would throw
  return arrays.map(values => {
    const view = new DataView(buffer, offset, values.length * 8);
    values.forEach((v, i) => view.setFloat64(i * 8, v, true));
    offset += values.length * 8;
    return view;
  });
}

window.message = (content, arrays = []) =>
  window.model.emit("msg:custom", content, dataViews(arrays));

// a columns message of series {key: [steps, values]}: a point per column from the first step
window.columns = (series, reset = true) => {
  const headers = [], rows = [];
  for (const [key, [steps, values]] of Object.entries(series)) {
    const [split, group] = key.split("/");
    const origin = steps.length ? steps[0] : 0;
    const size = steps.length > 1 ? steps[1] - steps[0] : 1;  // evenly spaced steps
    headers.push({key, group, split, reset, width: 1000, size, origin,
                  first: origin, last: steps.length ? steps[steps.length - 1] : 0,
                  n: steps.length});
    rows.push(steps.flatMap((s, i) => [i, 1, values[i], values[i], values[i],
                                       values[i], values[i]]));
  }
  window.message({type: "columns", series: headers}, rows);
};

// the kernel's answer to a request: every series' columns, then the response
window.answer = (request, series, error = null) => {
  if (series) {
    window.columns(series);
  }
  const response = {type: "response", id: request.id};
  window.message(error ? {...response, error: {message: error}} : {...response, result: null});
};

window.frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));

window.model = new Model({
  run_id: "run-1", title: "r", state: "running", progress: {text: "step 3/3"},
  bad_values: [], smoothing: 0, log_scale: false,
});

// as in JupyterLab: the view renders into an element that is attached to the page afterwards
window.render = () => {
  const el = document.createElement("div");
  window.dispose = widget.render({model: window.model, el});
  document.getElementById("host").appendChild(el);
};
window.ready = true;
</script></body></html>"""

LOSS = "{'train/loss': [[1, 2, 3], [0.9, 0.5, 0.4]]}"


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
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function("window.ready === true")
        yield page


def points(page: Any) -> Any:
    return page.locator(".workbench-livecurves-panel[data-group='loss']")


def test_a_view_without_a_kernel_shows_its_header_and_waits(page: Any) -> None:
    """A page whose kernel never answers: the view asks once and shows what its traits say."""
    from playwright.sync_api import expect

    page.evaluate("() => { window.model.state.state = 'finished'; window.render(); }")
    # once laid out in the page, it asks for everything at its width: the grid of its panels
    # (the whole 600 px output here, without the widget's CSS), which the kernel sizes its
    # columns to
    page.wait_for_function("window.model.sent.length > 0")
    (request,) = page.evaluate("window.model.sent")
    assert request == {
        "type": "request",
        "id": 1,
        "method": "sync",
        "params": {"width": 600},
    }
    page.evaluate("window.frames()")  # the view had its chance to draw
    expect(page.locator(".workbench-livecurves-header")).to_contain_text("finished")

    # a kernel answers after all: the view draws what it sent
    page.evaluate(f"window.answer(window.model.sent[0], {LOSS})")
    expect(points(page)).to_have_attribute("data-points", "3")
    expect(page.locator("#other-output")).to_be_visible()
    assert page.evaluate("window.logged") == []


def test_the_view_draws_appends_resets_and_bad_values(page: Any) -> None:
    from playwright.sync_api import expect

    page.evaluate(
        f"""() => {{
            window.model.kernel = request => window.answer(request, {LOSS});
            window.render();
        }}"""
    )
    expect(points(page)).to_have_attribute("data-points", "3")
    assert page.evaluate("window.model.sent.length") == 1  # one sync, answered

    # a narrower output: after a moment, the kernel is told the new width (once)
    page.evaluate("document.getElementById('host').style.width = '400px'")
    page.wait_for_function("window.model.sent.length === 2")
    assert page.evaluate("window.model.sent[1]") == {
        "type": "request",
        "id": 2,
        "method": "resize",
        "params": {"width": 400},
    }

    page.evaluate(
        """window.model.set('bad_values',
            [{key: 'train/loss', label: 'loss', step: 2, value: 'NaN'}])"""
    )
    expect(page.locator(".workbench-livecurves-bad")).to_have_text(" · loss=NaN at step 2")

    page.evaluate("window.columns({'train/loss': [[], []]})")  # a series reset to nothing
    expect(points(page)).to_have_attribute("data-points", "0")
    page.evaluate("window.columns({'train/loss': [[4], [0.3]]}, false)")
    expect(points(page)).to_have_attribute("data-points", "1")
    # whatever the view draws or not, the cell's other outputs are not its business
    expect(page.locator("#other-output")).to_be_visible()

    page.evaluate("window.dispose()")  # the kernel closed the model: the view lets go
    page.evaluate("window.model.set('state', 'finished')")
    assert page.evaluate("Object.values(window.model.handlers).flat().length") == 0
    expect(page.locator("#other-output")).to_be_visible()
    assert page.evaluate("window.logged") == []


def test_an_error_response_is_reported(page: Any) -> None:
    from playwright.sync_api import expect

    page.evaluate(
        """() => {
            window.model.kernel = request => window.answer(request, null, 'sync failed: boom');
            window.render();
        }"""
    )
    page.wait_for_function("window.logged.some(t => t.includes('no curves from the kernel'))")
    assert "sync: sync failed: boom" in page.evaluate("window.logged.join()")
    page.evaluate("window.frames()")
    expect(page.locator(".workbench-livecurves-header")).to_be_visible()


def test_the_view_labels_its_axes_and_sends_its_settings_back(page: Any) -> None:
    """Ticks in human units to the end of the steps, the NaN marked where it came, and the
    smoothing and log scale the user set sent to the kernel (its final chart uses them)."""
    from playwright.sync_api import expect

    page.evaluate(
        """() => {
            window.model.kernel = request => request.method === 'sync' && window.answer(request,
                {'train/loss': [Array.from({length: 200}, (_, i) => (i + 1) * 1000),
                                Array.from({length: 200}, (_, i) => 1 / (i + 1))]});
            window.model.set('bad_values',
                [{key: 'train/loss', label: 'loss', step: 150000, value: 'NaN'}]);
            window.render();
        }"""
    )
    panel = points(page)
    expect(panel).to_have_attribute("data-x-ticks", "0|50k|100k|150k|200k")
    expect(panel).to_have_attribute("data-y-ticks", "0.2|0.4|0.6|0.8|1.0")
    expect(panel).to_have_attribute("data-marks", "150000")
    expect(page.locator(".workbench-livecurves-smoothing-value")).to_have_text("0.00")

    slider = page.locator(".workbench-livecurves-smoothing")
    slider.fill("0.85")  # input and change, as a drag that ends
    expect(page.locator(".workbench-livecurves-smoothing-value")).to_have_text("0.85")
    page.locator(".workbench-livecurves-log").check()
    saved = page.evaluate("window.model.saved.map(s => [s.smoothing, s.log_scale])")
    assert saved[-2:] == [[0.85, False], [0.85, True]]
    expect(panel).to_have_attribute("data-y-ticks", "0.01|0.1|1")  # the log axis
    page.evaluate("window.model.set('smoothing', 0.3)")  # from the kernel: the slider follows
    expect(page.locator(".workbench-livecurves-smoothing-value")).to_have_text("0.30")
    assert page.evaluate("window.logged") == []
