"""The timeline view's kernel half through a real ipywidgets comm path (a recording comm at the
boundary): the exact messages it sends for each request of its front end, its buffers decoded
with their dtypes, a capture attached from a worker thread pushing its first frame unasked, and
the output it leaves (the widget with its static picture, marked for the pre-save hook).

Captures are hand-written XSpace files converted by xprof, as TensorFlow's would be.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import comm
import numpy as np
import pytest
from comm.base_comm import BaseComm

from tests.profiler.xspace import write_capture
from workbench.profiler.capture import CaptureData
from workbench.widgets.timeline import LIVE_MARK, TimelineView

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
DTYPES = ["<f4", "<f4", "<u4", "<i4", "<i4", "u1"]  # start, dur, row, name, ref, match


class Recording(BaseComm):  # type: ignore[misc]
    """Keeps every custom message a widget sends, with its raw buffers."""

    sent: list[tuple[dict[str, Any], list[bytes]]]

    def __init__(self, **kwargs: Any) -> None:
        self.sent = []
        super().__init__(**kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        data = json.loads(json.dumps(data or {}, allow_nan=False))  # what the session sends
        if msg_type == "comm_msg" and data.get("method") == "custom":
            self.sent.append((data["content"], [bytes(b) for b in buffers or []]))

    def ask(self, method: str, params: dict[str, Any], id: int = 1) -> None:
        content = {"type": "request", "id": id, "method": method, "params": params}
        data = {"method": "custom", "content": content}
        self.handle_msg({"content": {"comm_id": self.comm_id, "data": data}, "buffers": []})

    def take(self) -> list[tuple[dict[str, Any], list[bytes]]]:
        sent, self.sent = self.sent, []
        return sent


@pytest.fixture(autouse=True)
def _recording(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: Recording(**kwargs))


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> CaptureData:
    ops = [(f"op{i % 7}", 2_000 + i * 300, 200) for i in range(200)]  # tiny ops in a step
    threads = {
        "python": [("step", 0, 80_000), *ops, ("MatMul", 70_000, 5_000)],
        "tf_Compute/123": [("Relu", 1_000 + i * 2_000, 900) for i in range(30)],
    }
    folder = write_capture(tmp_path_factory.mktemp("capture"), threads)
    return CaptureData.open(folder).load()


def _frame(message: tuple[dict[str, Any], list[bytes]]) -> dict[str, np.ndarray]:
    _header, buffers = message
    names = ["start", "dur", "row", "name", "ref", "match"][: len(buffers)]
    return {
        name: np.frombuffer(raw, dtype=dtype)
        for name, raw, dtype in zip(names, buffers, DTYPES, strict=False)
    }


def test_sync_sends_the_captures_shape_then_answers(capture: CaptureData) -> None:
    view = TimelineView(capture, title="t")
    view.comm.ask("sync", {"width": 600}, id=3)
    (meta, buffers), (response, _) = view.comm.take()
    assert response == {"type": "response", "id": 3, "result": {"ready": True}}
    assert meta["type"] == "meta"
    assert meta["ready"] is True
    assert [lane["thread"] for lane in meta["lanes"]] == ["python", "tf_Compute/123"]
    assert meta["lanes"][0]["rows"] == 2  # the step and the ops inside it
    assert meta["rows"] == 3
    assert meta["span"] == pytest.approx(80.0, rel=0.01)  # µs
    (busy,) = buffers
    assert len(busy) == len(meta["lanes"]) * meta["bins"]
    assert np.frombuffer(busy, np.uint8).reshape(2, -1)[0].min() > 200  # the step fills python


def test_a_frame_holds_every_visible_event_once_and_names_once(capture: CaptureData) -> None:
    view = TimelineView(capture, title="t")
    trace = capture.trace
    view.comm.ask("frame", {"t0": 0.0, "t1": trace.span_us, "width": 40, "seq": 5}, id=1)
    (header, buffers), (response, _) = view.comm.take()
    assert header["type"] == "frame"
    assert header["seq"] == 5
    assert header["match"] is False
    assert len(buffers) == 5
    frame = _frame((header, buffers))
    n = header["n"]
    assert all(len(column) == n for column in frame.values())
    counts = np.where(frame["ref"] >= 0, 1, -frame["ref"])
    assert counts.sum() == header["events"] == len(trace)  # 40 pixels: tiny ops merged
    assert n < len(trace)
    assert set(header["names"].values()) == set(trace.names[i] for i in frame["name"])
    assert response["result"] == {"n": n, "bytes": sum(len(b) for b in buffers)}

    view.comm.ask("frame", {"t0": 0.0, "t1": trace.span_us, "width": 40, "seq": 6}, id=2)
    (again, _), _ = view.comm.take()
    assert again["names"] == {}  # sent once per front end (a sync starts over)


def test_a_zoomed_frame_has_single_events_at_their_times(capture: CaptureData) -> None:
    view = TimelineView(capture, title="t")
    view.comm.ask("frame", {"t0": 69.0, "t1": 76.0, "width": 700, "seq": 1})
    message, _ = view.comm.take()
    frame = _frame(message)
    header = message[0]
    refs = frame["ref"]
    assert (refs >= 0).all()
    trace = capture.trace
    matmul = [i for i, r in enumerate(refs) if trace.names[trace.name[r]] == "MatMul"]
    assert len(matmul) == 1
    i = matmul[0]
    assert header["t0"] + frame["start"][i] == pytest.approx(70.0, abs=0.01)
    assert frame["dur"][i] == pytest.approx(5.0, abs=0.01)


def test_search_next_and_details(capture: CaptureData) -> None:
    view = TimelineView(capture, title="t")
    view.comm.ask("search", {"query": "relu"}, id=1)
    ((result, _),) = view.comm.take()
    assert result["result"] == {"query": "relu", "events": 30, "names": 1}
    view.comm.ask("frame", {"t0": 0.0, "t1": 80.0, "width": 400, "seq": 2}, id=2)
    message, _ = view.comm.take()
    assert message[0]["match"] is True
    frame = _frame(message)
    trace = capture.trace
    assert frame["match"].sum() == 30  # each Relu is an item of its own at 400 pixels
    view.comm.ask("next", {"after": 10.0}, id=3)
    ((found, _),) = view.comm.take()
    ref = found["result"]["ref"]
    assert trace.names[trace.name[ref]] == "Relu"
    assert found["result"]["start"] == pytest.approx(11.0, abs=0.01)
    view.comm.ask("details", {"ref": ref}, id=4)
    ((details, _),) = view.comm.take()
    assert details["result"]["name"] == "Relu"
    assert details["result"]["thread"] == "tf_Compute/123"
    assert details["result"]["depth"] == 0
    assert isinstance(details["result"]["args"], dict)
    view.comm.ask("search", {"query": ""}, id=5)
    view.comm.ask("frame", {"t0": 0.0, "t1": 80.0, "width": 400, "seq": 6}, id=6)
    assert view.comm.take()[1][0]["match"] is False


def test_bad_requests_are_answered_with_what_was_expected(capture: CaptureData) -> None:
    view = TimelineView(capture, title="t")
    view.comm.ask("frame", {"t0": 5.0, "t1": 5.0, "width": 10}, id=1)
    view.comm.ask("frame", {"t1": 5.0}, id=2)
    view.comm.ask("frame", {"t0": 0, "t1": 1, "width": "wide"}, id=3)
    view.comm.ask("details", {"ref": 10**9}, id=4)
    errors = {c["id"]: c["error"]["message"] for c, _ in view.comm.take()}
    assert (
        errors[1]
        == "frame failed: ValueError: Expected a window with t1 > t0. Received: [5.0, 5.0)"
    )
    assert errors[2] == "frame failed: KeyError: 't0'"
    assert errors[3] == "frame failed: ValueError: Expected a width in pixels. Received: 'wide'"
    assert errors[4].startswith("details failed: ValueError: Expected an event index in [0, ")


def test_a_capture_attached_from_a_worker_pushes_its_first_frame(capture: CaptureData) -> None:
    view = TimelineView(title="converting")
    assert view.state == "converting"
    view.comm.ask("sync", {"width": 300}, id=1)
    (meta, _), (response, _) = view.comm.take()
    assert meta["ready"] is False
    assert response["result"] == {"ready": False}
    worker = threading.Thread(target=view.attach, args=(capture,))
    worker.start()
    worker.join()
    (meta, _), (frame, _buffers) = view.comm.take()
    assert meta["ready"] is True
    assert frame["seq"] == 0  # unasked: the kernel answers requests only between cells
    assert frame["width"] == 300  # the width the front end said
    assert frame["events"] == len(capture.trace)
    assert view.state == "ready"
    assert view.subtitle == capture.verdict.headline
    assert view.overview.startswith("data:image/png;base64,")


def test_its_output_carries_the_static_picture_marked_for_saving(capture: CaptureData) -> None:
    view = TimelineView(capture, title="my capture")
    data, metadata = view._repr_mimebundle_()
    assert data[WIDGET_VIEW]["model_id"] == view.model_id
    assert "<img alt='timeline overview' src='data:image/png;base64," in data["text/html"]
    assert "my capture" in data["text/html"]
    assert "python" in data["text/html"]
    assert data["text/plain"] == "<timeline: my capture>"
    assert metadata[LIVE_MARK] == {"live": True, "static": "text/html"}


def test_a_failed_capture_says_why(tmp_path: Path) -> None:
    view = TimelineView(title="broken")
    view.fail(RuntimeError("the file is truncated"))
    assert view.state == "failed"
    assert view.error == "the file is truncated"
    assert "the file is truncated" in view.static_html()


def test_a_view_shown_while_its_cell_runs_carries_its_first_frame(
    capture: CaptureData,
) -> None:
    view = TimelineView(capture, title="t")
    view.preload()
    first = view.first
    assert first["meta"]["ready"] is True
    assert first["frame"]["seq"] == 0
    assert first["frame"]["events"] == len(capture.trace)
    assert len(first["buffers"]) == 5
    assert len(first["overview"]) == len(first["meta"]["lanes"]) * first["meta"]["bins"]
    used = set(np.frombuffer(first["buffers"][3], "<i4").tolist())
    assert {int(k) for k in first["frame"]["names"]} == used  # every name it uses
    view.comm.ask("frame", {"t0": 0.0, "t1": 80.0, "width": 40, "seq": 1})
    (header, _), _ = view.comm.take()
    assert header["names"]  # the state's names do not count as sent: a sync starts over
    view.release()
    assert view.first == {}
