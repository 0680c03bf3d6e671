"""The streamed-view base and the live curves widget on it: the exact messages they send through
a real ipywidgets comm path (a recording comm at the boundary), requests and their responses,
batched trait updates, and the final output that replaces a view in the notebook."""

from __future__ import annotations

from typing import Any, TypedDict, get_type_hints

import anywidget
import numpy as np
import pytest
from IPython.utils.capture import capture_output

from tests.widgets.conftest import Sent
from workbench.curves.store import BadValue, Run
from workbench.widgets.base import StreamedView, float64_buffer, handles
from workbench.widgets.live_curves import CurvesWidget
from workbench.widgets.messages import CurvesTraits

PLOTLY = "application/vnd.plotly.v1+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


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


def test_a_sync_request_resets_every_series_at_the_views_width_then_answers(sent: Sent) -> None:
    widget = CurvesWidget(curves_run(), run_id="r-1")
    widget.push()
    sent.clear()
    widget.comm.receive(request("sync", {"width": 300}, id=3))
    (reset, rows), (response, _) = sent

    def header(key: str, origin: int, n: int) -> dict[str, Any]:
        split, group = key.split("/")
        first, last = (origin, origin + n - 1)
        return {
            "key": key,
            "group": group,
            "split": split,
            "reset": True,
            "width": 82,  # the 300 px grid holds two panels, each with a plot 82 px wide
            "size": 1,
            "origin": origin,
            "first": first,
            "last": last,
            "n": n,
        }

    # panels in log order, training before validation in each: the order the view draws them
    assert reset == {
        "type": "columns",
        "series": [
            header("train/loss", 1, 5),
            header("validation/loss", 5, 1),
            header("train/accuracy", 1, 5),
        ],
    }
    # a point per column: column, count, sum, first, a, b, last
    loss = [1 / step for step in range(1, 6)]
    np.testing.assert_array_equal(
        rows[0].reshape(5, 7), [[c, 1, v, v, v, v, v] for c, v in enumerate(loss)]
    )
    np.testing.assert_array_equal(rows[1], [0, 1, 0.3, 0.3, 0.3, 0.3, 0.3])
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


# --- the view's output ------------------------------------------------------------------------


def test_a_shown_view_is_replaced_by_its_final_output_then_closed(
    sent: Sent, shell: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = Echo()
    recording = view.comm
    on_the_wire_at_update: list[str] = []
    with capture_output() as captured:
        publish = shell.display_pub.publish  # the capturing publisher

        def watched(*args: Any, **kwargs: Any) -> None:
            if kwargs.get("update"):
                on_the_wire_at_update.extend(kind for kind, _, _ in recording.messages)
            publish(*args, **kwargs)

        monkeypatch.setattr(shell.display_pub, "publish", watched)
        view.show()
        assert view.shown
        view.finish({"text/html": "<b>done</b>", "text/plain": "done"})
    shown, replaced = captured.outputs
    assert shown.data[WIDGET_VIEW]["model_id"] == recording.comm_id
    assert not shown.update
    # the same output, updated in place: the saved notebook holds the bundle, not the widget
    assert replaced.update
    assert replaced.transient == shown.transient == {"display_id": shown.transient["display_id"]}
    assert replaced.data == {"text/html": "<b>done</b>", "text/plain": "done"}
    # then the comm is closed: after the update, so the output never shows a closed widget
    assert on_the_wire_at_update[0] == "comm_open"
    assert "comm_close" not in on_the_wire_at_update
    assert recording.messages[-1][0] == "comm_close"
    assert view.comm is None
    assert not view.shown
    with capture_output() as again:
        view.finish({"text/plain": "again"})  # nothing left to replace
    assert again.outputs == []


def test_a_view_never_shown_replaces_nothing_and_stays_open(sent: Sent, shell: Any) -> None:
    view = Echo()
    with capture_output() as captured:
        view.finish({"text/plain": "done"})
    assert captured.outputs == []
    assert view.comm is not None  # open, for whoever displays it


def test_the_curves_widget_syncs_exactly_its_declared_traits() -> None:
    """``CurvesTraits`` (mirrored in TypeScript) is every trait the front end is sent."""
    base = set(anywidget.AnyWidget.class_traits(sync=True))
    synced = set(CurvesWidget.class_traits(sync=True)) - base
    assert synced == set(get_type_hints(CurvesTraits))


def test_the_final_bundle_is_the_runs_chart_svg_and_text(sent: Sent) -> None:
    run = curves_run()
    run.log(6, {"loss": float("nan"), "accuracy": 0.6})
    run.log(6, {"loss": float("inf")}, split="validation")
    run.close("finished")
    bundle = CurvesWidget(run, run_id="r-1").final_bundle(subtitle="step 6")
    assert set(bundle) == {PLOTLY, "text/html", "text/plain"}

    figure = bundle[PLOTLY]
    traces = [(t["name"], t["line"].get("dash"), t["xaxis"]) for t in figure["data"]]
    # one panel per metric: loss (train, validation dashed), then accuracy; each series its
    # columns faint and its smoothed line
    assert traces == [
        ("train (columns)", None, "x"),
        ("train", "solid", "x"),
        ("validation (columns)", None, "x"),
        ("validation", "dash", "x"),
        ("train (columns)", None, "x2"),
        ("train", "solid", "x2"),
    ]
    annotations = figure["layout"]["annotations"]
    title, loss, accuracy = [a for a in annotations if "hovertext" not in a]
    marks = [a for a in annotations if "hovertext" in a]
    assert title["text"].startswith("<b>r</b> · finished · step 6")
    # the legend names splits beside the panel's name, never the metric again
    assert loss["text"] == (
        "loss   <span style='color:#1f77b4'>train</span>  "
        "<span style='color:#ff7f0e'>validation</span>"
    )
    assert accuracy["text"] == "accuracy   <span style='color:#1f77b4'>train</span>"
    hover = {m["hovertext"]: m for m in marks}
    assert set(hover) == {"loss=NaN at step 6", "val_loss=inf at step 6"}
    assert all(m["x"] == 6 and m["xref"] == "x" for m in hover.values())
    assert [s["x0"] for s in figure["layout"]["shapes"]] == [6, 6]  # a dotted line each

    html = bundle["text/html"]
    assert "<b>r</b> · finished · step 6" in html
    assert html.count("<svg") == 2  # loss (train + validation) and accuracy
    assert "<title>loss=NaN at step 6</title>" in html  # the mark at the first bad value
    assert "<script" not in html
    assert bundle["text/plain"] == (
        "<curves of r · finished · step 6: loss, accuracy>\n"
        "! loss=NaN at step 6\n! val_loss=inf at step 6"
    )


def test_the_chart_halves_its_bytes_only_where_nothing_is_lost(sent: Sent) -> None:
    small, huge = Run("small", None), Run("huge", None)
    for step in range(1, 4):
        small.log(step, {"loss": 0.5 / step})
        huge.log(step, {"loss": 1e39 * step})  # past float32's range
    for run, dtype in [(small, "f4"), (huge, "f8")]:
        for trace in CurvesWidget(run, run_id="r").final_bundle()[PLOTLY]["data"]:
            assert trace["x"]["dtype"] == "i4"
            assert trace["y"]["dtype"] == dtype
