"""The streamed-view base and the live curves widget on it: the exact messages they send through
a real ipywidgets comm path (a recording comm at the boundary), requests and their responses,
batched trait updates, and the static fallback."""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np
import pytest

from tests.widgets.conftest import Sent
from workbench.curves.store import BadValue, Run
from workbench.widgets.base import StreamedView, float64_buffer, handles
from workbench.widgets.live_curves import CurvesWidget


class Ping(TypedDict):
    type: str
    n: int


class Echo(StreamedView[Ping]):
    _esm = "export default { render() {} }"

    @handles("echo")
    def _echo(self, params: dict[str, Any]) -> Any:
        self.send_message({"type": "ping", "n": 2}, [float64_buffer([1.5, -2.0])])
        return {"said": params.get("say")}

    @handles("fail")
    def _fail_on_purpose(self, _params: dict[str, Any]) -> None:
        raise RuntimeError("the disk is full")

    @handles("nan")
    def _not_json(self, _params: dict[str, Any]) -> float:
        return float("nan")


class LouderEcho(Echo):
    @handles("echo")
    def _louder(self, params: dict[str, Any]) -> Any:
        return {"said": str(params.get("say")).upper()}


def request(method: Any, params: Any = None, id: Any = 1) -> dict[str, Any]:
    message = {"type": "request", "id": id, "method": method}
    return message if params is None else {**message, "params": params}


def test_a_request_is_answered_after_what_its_handler_sent(sent: Sent) -> None:
    view = Echo()
    view.comm.receive(request("echo", {"say": "hi"}, id=7))
    assert [content for content, _ in sent] == [
        {"type": "ping", "n": 2},
        {"type": "response", "id": 7, "result": {"said": "hi"}},
    ]
    np.testing.assert_array_equal(sent[0][1][0], [1.5, -2.0])
    assert sent[1][1] == []


def test_requests_that_cannot_be_served_get_error_responses(sent: Sent) -> None:
    view = Echo()
    view.comm.receive(request("nope", {}, id=1))
    view.comm.receive(request("fail", {}, id=2))  # raises nothing into the kernel
    view.comm.receive(request("echo", ["not", "an", "object"], id=3))
    view.comm.receive(request(42, {}, id=4))
    view.comm.receive(request("nan", {}, id=5))  # a result JSON cannot carry
    errors = {content["id"]: content["error"]["message"] for content, _ in sent}
    assert set(errors) == {1, 2, 3, 4, 5}
    assert errors[1] == "Expected a method in ['echo', 'fail', 'nan']. Received: 'nope'"
    assert errors[2] == "fail failed: RuntimeError: the disk is full"
    assert errors[3].startswith("echo: expected params as an object.")
    assert "Received: 42" in errors[4]
    assert errors[5].startswith("nan returned what JSON cannot carry")
    assert all("result" not in content for content, _ in sent)


def test_a_request_without_params_gets_empty_params(sent: Sent) -> None:
    Echo().comm.receive(request("echo"))
    assert sent[-1][0] == {"type": "response", "id": 1, "result": {"said": None}}


def test_messages_that_are_not_requests_are_dropped_quietly(sent: Sent) -> None:
    view = Echo()
    for content in [
        "sync",
        ["a"],
        {"type": "sync"},
        request("echo", {}, id="7"),
        request("echo", {}, id=True),
    ]:
        view.comm.receive(content)
    assert sent == []


def test_a_subclass_inherits_and_overrides_handlers(sent: Sent) -> None:
    view = LouderEcho()
    view.comm.receive(request("echo", {"say": "hi"}))
    view.comm.receive(request("fail", {}, id=2))
    assert [content for content, _ in sent] == [
        {"type": "response", "id": 1, "result": {"said": "HI"}},
        {
            "type": "response",
            "id": 2,
            "error": {"message": "fail failed: RuntimeError: the disk is full"},
        },
    ]


def test_buffers_are_little_endian_float64() -> None:
    assert float64_buffer([1.0, 2]) == np.array([1.0, 2.0], dtype="<f8").tobytes()
    assert float64_buffer(np.arange(3, dtype=">i4")) == np.arange(3, dtype="<f8").tobytes()


# --- the live curves widget ------------------------------------------------------------------


def curves_run() -> Run:
    run = Run("r", None)
    for step in range(1, 6):
        run.log(step, {"loss": 1 / step, "accuracy": step / 10})
    run.log(5, {"loss": 0.3}, split="validation")
    return run


def test_a_sync_request_resets_every_series_then_answers(sent: Sent) -> None:
    widget = CurvesWidget(curves_run(), run_id="r-1")
    widget.push()
    sent.clear()
    widget.comm.receive(request("sync", {}, id=3))
    (reset, resets), (response, _) = sent
    assert reset == {
        "type": "reset",
        "series": [
            {"key": "train/loss", "group": "loss", "split": "train", "n": 5},
            {"key": "train/accuracy", "group": "accuracy", "split": "train", "n": 5},
            {"key": "validation/loss", "group": "loss", "split": "validation", "n": 1},
        ],
    }
    np.testing.assert_array_equal(resets[0], [1, 2, 3, 4, 5])  # train/loss steps
    np.testing.assert_allclose(resets[1], [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])  # and values
    np.testing.assert_array_equal(resets[5], [0.3])
    assert response == {"type": "response", "id": 3, "result": None}


def test_progress_state_and_bad_values_change_in_one_update(sent: Sent) -> None:
    widget = CurvesWidget(curves_run(), run_id="r-1")
    before = len(widget.comm.updates())
    bad = [BadValue("loss", "train", 6, float("nan")), BadValue("loss", "validation", 6, -np.inf)]
    widget.update(progress="step 6", state="failed", bad=bad)
    (update,) = widget.comm.updates()[before:]
    assert update == {
        "progress": {"text": "step 6"},
        "state": "failed",
        "bad_values": [
            {"key": "train/loss", "label": "loss", "step": 6, "value": "NaN"},
            {"key": "validation/loss", "label": "val_loss", "step": 6, "value": "-inf"},
        ],
    }
    widget.update(bad=[BadValue("accuracy", "train", 7, np.inf)])
    assert [b["value"] for b in widget.comm.updates()[-1]["bad_values"]] == ["NaN", "-inf", "inf"]


def test_bad_values_travel_as_wire_floats_whatever_the_caller_set(sent: Sent) -> None:
    widget = CurvesWidget(curves_run(), run_id="r-1")
    widget.bad_values = [{"key": "train/loss", "label": "loss", "step": 2, "value": "nan"}]
    assert widget.bad_values == [{"key": "train/loss", "label": "loss", "step": 2, "value": "NaN"}]
    widget.bad_values = [{"key": "train/loss", "step": 3, "value": 0.5}]
    assert widget.bad_values[0]["value"] == 0.5
    with pytest.raises(Exception, match="Expected bad_values items with key, step and value"):
        widget.bad_values = [{"key": "train/loss"}]


@pytest.fixture
def shell() -> Any:
    """A real IPython shell (no workbench extension, no TensorFlow), for what display() shows."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or InteractiveShell.instance()


def test_the_snapshot_is_displayed_marked_with_the_run_id(sent: Sent, shell: Any) -> None:
    from IPython.utils.capture import capture_output

    run = curves_run()
    run.log(6, {"loss": float("nan")})
    run.close("finished")
    widget = CurvesWidget(run, run_id="r-<1>")
    with capture_output() as captured:
        widget.show_snapshot(subtitle="step 6")
    (output,) = captured.outputs
    html = output.data["text/html"]
    assert html.startswith('<div data-workbench-snapshot="r-&lt;1&gt;">')
    assert "r · finished · step 6" in html
    assert html.count("<svg") == 2  # loss (train + validation) and accuracy
    assert "loss=NaN" in html  # the mark at the first bad value
    assert "<script" not in html
    assert output.data["text/plain"] == "<snapshot of CurvesWidget r-<1>>"
    assert widget.snapshot is True
    assert widget.comm.updates()[-1] == {"snapshot": True}
