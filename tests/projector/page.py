"""The projection view's real front end (the built loader and bundle) in headless Chromium,
talking to the real kernel half (``ProjectorView``) through a bridge in place of the comm: what
the page sends (JSON and binary buffers) is handled by the Python view, and what the view sends
back reaches the page as ipywidgets delivers it (DataViews at odd offsets into one buffer).
Used by the browser tests and the benchmark."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import comm
import pytest

from tests.browser import chromium
from tests.widgets.test_timeline_view import Recording
from workbench.widgets.projector import Projection

STATIC = Path(__file__).resolve().parents[2] / "workbench" / "widgets" / "_static"
ORIGIN = "http://workbench.test"

PAGE = """<!doctype html><html><body style="margin:0; background:#fff">
<div id="host" style="width:980px; position:relative; padding:8px"></div>
<script type="module">
import widget from "./projectorloader.js";
window.logged = [];
for (const kind of ["warn", "error"]) {
  const original = console[kind];
  console[kind] = (...args) => {
    window.logged.push(args.map(String).join(" "));
    original(...args);
  };
}
const b64 = buffer => {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
class Model {
  constructor(state) { this.state = state; this.handlers = {}; }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.emit(`change:${name}`); }
  save_changes() {}
  send(content, callbacks, buffers) {
    window.toKernel(JSON.stringify(content), (buffers ?? []).map(b64)).then(replies => {
      window.kernelBytes = (window.kernelBytes ?? 0) + replies.length;
      for (const [reply, encoded] of JSON.parse(replies)) {
        if (reply.state) {
          for (const [k, v] of Object.entries(reply.state)) this.set(k, v);
          continue;
        }
        this.emit("msg:custom", reply, dataViews(encoded));
      }
    });
  }
  on(event, callback) { (this.handlers[event] ??= []).push(callback); }
  off(event, callback) {
    this.handlers[event] = (this.handlers[event] ?? []).filter(c => c !== callback);
  }
  emit(event, ...args) { for (const c of this.handlers[event] ?? []) c(...args); }
}
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
window.render = async state => {
  window.model = new Model(state);
  const el = document.createElement("div");
  document.getElementById("host").appendChild(el);
  window.renderStart = performance.now();
  window.dispose = await widget.render({model: window.model, el});
  window.el = el;
};
window.ready = true;
</script></body></html>"""

STATE = ("title", "dims", "n", "columns", "color_by", "legend", "selected_count", "bundle_hash")


class ProjectorPage:
    """A page showing one projection's view; ``sent`` counts the kernel's bytes to the page."""

    def __init__(self, page: Any, projection: Projection) -> None:
        self.page = page
        self.projection = projection
        self.view = projection.view
        self.sent_bytes = 0
        self.buffer_bytes = 0

    def to_kernel(self, text: str, buffers: list[str]) -> str:
        view = self.view
        message = json.loads(text)
        raw = [base64.b64decode(b) for b in buffers]
        view.comm.handle_msg(
            {
                "content": {
                    "comm_id": view.comm.comm_id,
                    "data": {"method": "custom", "content": message},
                },
                "buffers": raw,
            }
        )
        replies: list[Any] = []
        for content, out in view.comm.take():
            self.buffer_bytes += sum(len(b) for b in out)
            replies.append((content, [base64.b64encode(b).decode() for b in out]))
        for state in view.comm.states:
            replies.append(({"state": state}, []))
        view.comm.states = []
        text = json.dumps(replies)
        self.sent_bytes += len(text)
        return text

    def render(self) -> Any:
        state = {k: getattr(self.view, k) for k in STATE}
        self.page.evaluate("state => window.render(state)", state)
        self.page.wait_for_function(
            "window.el?.workbenchProjector?.firstFrameAt > 0",
            timeout=120_000,
        )
        return self.page.locator(".workbench-projector canvas")

    def first_frame_ms(self) -> float:
        return float(
            self.page.evaluate("window.el.workbenchProjector.firstFrameAt - window.renderStart")
        )


class StateRecording(Recording):
    """A recording comm that also keeps trait updates (the page applies them)."""

    def __init__(self, **kwargs: Any) -> None:
        self.states: list[dict[str, Any]] = []
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        if msg_type == "comm_msg" and (data or {}).get("method") == "update":
            self.states.append(json.loads(json.dumps(data.get("state", {}))))
        super().publish_msg(msg_type, data, metadata, buffers, **keys)


@contextmanager
def projector_page(
    projection: Projection, monkeypatch: pytest.MonkeyPatch, viewport: tuple[int, int] = (1000, 640)
) -> Iterator[ProjectorPage]:
    """A Chromium page with ``projection``'s view ready to render (``.render()``)."""
    for name in ("projector.js", "projectorloader.js"):
        if not (STATIC / name).exists():
            pytest.fail(f"workbench/widgets/_static/{name} is missing: run `jlpm build:widgets`")
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: StateRecording(**kwargs))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.set_default_timeout(30_000)

        def serve(route: Any) -> None:
            if route.request.url.endswith("/projectorloader.js"):
                route.fulfill(
                    body=(STATIC / "projectorloader.js").read_text(),
                    content_type="text/javascript",
                )
            else:
                route.fulfill(body=PAGE, content_type="text/html")

        holder = ProjectorPage(page, projection)
        page.route(f"{ORIGIN}/**", serve)
        page.expose_function("toKernel", holder.to_kernel)
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function("window.ready === true")
        yield holder
