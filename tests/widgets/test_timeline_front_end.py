"""The timeline's front end (the built ``timeline.js``) in a real Chromium, talking to the real
kernel half (``TimelineView``) through a bridge in place of the comm: every request the page
sends is handled by the Python view and whatever it sends back (headers and binary buffers,
delivered as ipywidgets does: DataViews at odd offsets into one buffer) reaches the page. What is
checked is what users do: see the lanes, zoom with the wheel, drag to pan, hover for a tooltip
with the event's details, click to pin, search and jump to a match, use the minimap; and a page
whose kernel is gone shows the saved picture.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import comm
import pytest

from tests.browser import chromium
from tests.profiler.xspace import write_capture
from tests.widgets.test_timeline_view import Recording
from workbench.profiler.capture import CaptureData
from workbench.widgets.timeline import TimelineView

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATIC = Path(__file__).resolve().parents[2] / "workbench" / "widgets" / "_static"
ORIGIN = "http://workbench.test"

PAGE = """<!doctype html><html><body style="margin:0">
<div id="host" style="width:1000px; position:relative"></div>
<script type="module">
import widget from "./timeline.js";
window.logged = [];
for (const kind of ["warn", "error"]) {
  const original = console[kind];
  console[kind] = (...args) => {
    window.logged.push(args.map(String).join(" "));
    original(...args);
  };
}
class Model {
  constructor(state) { this.state = state; this.handlers = {}; this.sent = []; }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.emit(`change:${name}`); }
  send(content) {
    this.sent.push(content);
    if (!window.kernelAlive) return;
    window.toKernel(JSON.stringify(content)).then(replies => {
      for (const [reply, buffers] of JSON.parse(replies)) {
        this.emit("msg:custom", reply, dataViews(buffers));
      }
    });
  }
  on(event, callback) { (this.handlers[event] ??= []).push(callback); }
  off(event, callback) {
    this.handlers[event] = (this.handlers[event] ?? []).filter(c => c !== callback);
  }
  emit(event, ...args) { for (const c of this.handlers[event] ?? []) c(...args); }
}
// base64 buffers as ipywidgets delivers them: DataViews into one message buffer, odd offsets
function dataViews(encoded) {
  const raw = encoded.map(b => Uint8Array.from(atob(b), c => c.charCodeAt(0)));
  const buffer = new ArrayBuffer(3 + raw.reduce((n, r) => n + r.length + 1, 0));
  let offset = 3;
  return raw.map(bytes => {
    new Uint8Array(buffer, offset, bytes.length).set(bytes);
    const view = new DataView(buffer, offset, bytes.length);
    offset += bytes.length + 1;
    return view;
  });
}
// bytes in a widget's state reach the view as DataViews
const decode = value => Array.isArray(value) ? value.map(decode)
  : value && typeof value === "object" && "b64" in value ? dataViews([value.b64])[0] : value;
window.render = (state, alive) => {
  window.kernelAlive = alive;
  if (state.first) state.first = Object.fromEntries(
    Object.entries(state.first).map(([k, v]) => [k, decode(v)]));
  window.model = new Model(state);
  const el = document.createElement("div");
  window.dispose = widget.render({model: window.model, el});
  document.getElementById("host").appendChild(el);
};
window.ready = true;
</script></body></html>"""


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> CaptureData:
    ops = [(f"op{i % 7}", 2_000 + i * 300, 200) for i in range(200)]
    threads = {
        "python": [("step", 0, 80_000), *ops, ("MatMul", 70_000, 5_000)],
        "tf_Compute/123": [("Relu", 1_000 + i * 2_000, 900) for i in range(30)],
    }
    folder = write_capture(tmp_path_factory.mktemp("capture"), threads)
    return CaptureData.open(folder).load()


@pytest.fixture
def page(capture: CaptureData, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not (STATIC / "timeline.js").exists():
        pytest.fail("workbench/widgets/_static/timeline.js is missing: run `jlpm build`")
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: Recording(**kwargs))
    view = TimelineView(capture, title="a capture")

    def to_kernel(text: str) -> str:
        message = json.loads(text)
        view.comm.handle_msg(
            {
                "content": {
                    "comm_id": view.comm.comm_id,
                    "data": {"method": "custom", "content": message},
                },
                "buffers": [],
            }
        )
        replies = [
            (content, [base64.b64encode(b).decode() for b in buffers])
            for content, buffers in view.comm.take()
        ]
        return json.dumps(replies)

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.set_default_timeout(20_000)

        def serve(route: Any) -> None:
            if route.request.url.endswith("/timeline.js"):
                route.fulfill(
                    body=(STATIC / "timeline.js").read_text(), content_type="text/javascript"
                )
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        page.route(f"{ORIGIN}/**", serve)
        page.expose_function("toKernel", to_kernel)
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function("window.ready === true")
        page.view = view
        yield page


def _state(view: TimelineView) -> dict[str, Any]:
    return {k: getattr(view, k) for k in ("title", "subtitle", "state", "error", "overview")}


def _window(page: Any) -> tuple[float, float]:
    t0, t1 = page.locator(".workbench-timeline").get_attribute("data-window").split(",")
    return float(t0), float(t1)


def _ready(page: Any) -> Any:
    page.evaluate(f"window.render({json.dumps(_state(page.view))}, true)")
    timeline = page.locator(".workbench-timeline[data-state='ready'][data-seq]")
    timeline.wait_for()
    return timeline


def test_the_lanes_are_drawn_from_the_kernels_frames(page: Any) -> None:
    from playwright.sync_api import expect

    timeline = _ready(page)
    assert int(timeline.get_attribute("data-items")) > 0
    assert float(timeline.get_attribute("data-first-frame-ms")) < 5_000
    labels = page.locator(".workbench-timeline-label")
    expect(labels).to_have_text(["python", "tf_Compute"])  # the pool's numeric id left out
    expect(page.locator(".workbench-timeline-title")).to_have_text("a capture")
    t0, t1 = _window(page)
    assert t0 == 0
    assert t1 == pytest.approx(80.0, rel=0.01)
    assert page.evaluate("window.logged") == []


def test_wheel_zooms_at_the_cursor_and_a_drag_pans(page: Any) -> None:
    timeline = _ready(page)
    canvas = page.locator(".workbench-timeline-main")
    box = canvas.bounding_box()
    x = box["x"] + box["width"] * 0.75
    page.mouse.move(x, box["y"] + 40)
    seq = int(timeline.get_attribute("data-seq"))
    page.mouse.wheel(0, -400)
    page.wait_for_function(
        f"Number(document.querySelector('.workbench-timeline').dataset.seq) > {seq}"
    )
    t0, t1 = _window(page)
    assert t1 - t0 < 80 * 0.6  # zoomed in
    assert t0 + 0.75 * (t1 - t0) == pytest.approx(0.75 * 80, rel=0.02)  # around the cursor
    page.mouse.move(x, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(x - box["width"] / 4, box["y"] + 40, steps=5)
    page.mouse.up()
    p0, p1 = _window(page)
    assert p1 - p0 == pytest.approx(t1 - t0)
    assert p0 - t0 == pytest.approx((t1 - t0) / 4, rel=0.05)  # dragged left: later times


def test_hover_shows_the_event_and_its_details_and_a_click_pins_it(page: Any) -> None:
    from playwright.sync_api import expect

    _ready(page)
    canvas = page.locator(".workbench-timeline-main")
    box = canvas.bounding_box()
    # MatMul: 70-75 µs of 80, python's second row (below the ruler and the step strip)
    x = box["x"] + box["width"] * 72.5 / 80
    y = box["y"] + 18 + 14 + 16 + 8
    page.mouse.move(x, y)
    tooltip = page.locator(".workbench-timeline-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("MatMul")
    expect(tooltip).to_contain_text("5 µs")
    expect(tooltip).to_contain_text("python")  # the thread, from the kernel's details
    page.mouse.click(x, y)
    expect(tooltip).to_have_class("workbench-timeline-tooltip pinned")
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)
    expect(tooltip).to_contain_text("MatMul")  # pinned: hovering elsewhere keeps it
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()


def test_the_tooltip_follows_a_zoom_under_a_resting_mouse(page: Any) -> None:
    """The item under the mouse after a zoom and the kernel's new frame, not the old frame's."""
    from playwright.sync_api import expect

    timeline = _ready(page)
    box = page.locator(".workbench-timeline-main").bounding_box()
    x = box["x"] + box["width"] * 72.5 / 80  # MatMul, python's second row
    y = box["y"] + 18 + 14 + 16 + 8
    page.mouse.move(x, y)
    tooltip = page.locator(".workbench-timeline-tooltip")
    expect(tooltip).to_contain_text("MatMul")
    seq = int(timeline.get_attribute("data-seq"))
    page.mouse.wheel(0, -300)  # zoom in around the mouse, which stays on MatMul
    page.wait_for_function(
        f"Number(document.querySelector('.workbench-timeline').dataset.seq) > {seq}"
    )
    expect(tooltip).to_contain_text("MatMul")
    expect(tooltip).to_contain_text("5 µs")
    assert timeline.get_attribute("data-hover") == "MatMul"


def test_search_highlights_and_enter_goes_to_the_next_match(page: Any) -> None:
    timeline = _ready(page)
    search = page.locator(".workbench-timeline-search")
    search.fill("relu")
    page.wait_for_function("document.querySelector('.workbench-timeline').dataset.matches === '30'")
    assert page.locator(".workbench-timeline-matches").inner_text() == "30 events match (1 names)"
    search.press("Enter")
    page.wait_for_function(
        "document.querySelector('.workbench-timeline').dataset.pinned !== undefined"
    )
    t0, t1 = _window(page)
    assert t1 - t0 <= 20.01  # zoomed onto one Relu (0.9 µs) with 20 µs around it
    assert t0 <= 1.0 + 0.45 <= t1  # the first Relu's middle
    assert timeline.get_attribute("data-pinned") != ""


def test_the_minimap_moves_the_window(page: Any) -> None:
    _ready(page)
    page.locator(".workbench-timeline").focus()  # a click on the view focuses it too
    for _ in range(4):
        page.keyboard.press("w")  # zoom in, as in TensorBoard's trace viewer
    t0, t1 = _window(page)
    width = t1 - t0
    assert width < 80 / 4
    minimap = page.locator(".workbench-timeline-minimap").bounding_box()
    page.mouse.click(minimap["x"] + minimap["width"] * 0.25, minimap["y"] + 10)
    c0, c1 = _window(page)
    assert (c0 + c1) / 2 == pytest.approx(20.0, abs=0.5)
    assert c1 - c0 == pytest.approx(width)


def test_a_first_frame_in_the_state_is_drawn_while_the_kernel_is_busy(page: Any) -> None:
    """A fit goes on after its capture: the kernel answers nothing, the view draws its state."""
    view = page.view
    view.preload()
    state = _state(view) | {"first": _encoded(view.first)}
    page.evaluate(f"window.render({json.dumps(state)}, false)")
    timeline = page.locator(".workbench-timeline[data-state='ready'][data-seq='0']")
    timeline.wait_for()
    assert int(timeline.get_attribute("data-items")) > 0
    assert page.locator(".workbench-timeline-offline").is_hidden()
    assert page.evaluate("window.model.sent.map(m => m.method)") == ["sync", "frame"]  # queued


def _encoded(first: dict[str, Any]) -> dict[str, Any]:
    """The state as ipywidgets hands it to a view: buffers as DataViews (made in the page)."""
    return {
        **first,
        "overview": {"b64": base64.b64encode(first["overview"]).decode()},
        "buffers": [{"b64": base64.b64encode(b).decode()} for b in first["buffers"]],
    }


def test_without_a_kernel_the_saved_picture_is_shown(page: Any) -> None:
    from playwright.sync_api import expect

    state = _state(page.view)
    page.evaluate(f"window.render({json.dumps(state)}, false)")
    offline = page.locator(".workbench-timeline-offline")
    expect(offline).to_be_visible(timeout=10_000)
    expect(offline).to_contain_text("does not answer")
    assert offline.locator("img").get_attribute("src") == state["overview"]
    assert page.locator(".workbench-timeline").get_attribute("data-state") == "offline"
