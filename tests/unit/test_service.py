"""The kernel service's router, in-process: typed methods, topics, and what it does with anything
a front end or a capability gets wrong. A fresh ``KernelService`` per test; the comm is the
boundary (``RecordingComm``)."""

from __future__ import annotations

import json
import threading
from typing import Any, Literal, TypedDict

import pytest

from tests.conftest import RecordingComm
from workbench.service import KernelService, RequestError
from workbench.service.params import ParamsError, check_params


class _ScaleBase(TypedDict):
    values: list[float]


class ScaleParams(_ScaleBase, total=False):
    by: float
    mode: Literal["mul", "add"]
    tags: dict[str, int | None]


class Scaled(TypedDict):
    values: list[float]


def _scale(params: ScaleParams) -> Scaled:
    by = params.get("by", 2.0)
    if params.get("mode") == "add":
        return Scaled(values=[v + by for v in params["values"]])
    return Scaled(values=[v * by for v in params["values"]])


@pytest.fixture
def service() -> KernelService:
    service = KernelService()
    service.method("scale", _scale, ScaleParams)
    return service


def _open(service: KernelService, comm_id: str = "c1") -> RecordingComm:
    comm = RecordingComm(comm_id)
    service.open(comm, {"protocol": 2})
    return comm


def test_a_method_gets_checked_params_and_its_result_is_sent(service: KernelService) -> None:
    comm = _open(service)
    assert comm.request(1, "scale", values=[1, 2.5]) == {"id": 1, "result": {"values": [2, 5.0]}}
    reply = comm.request(2, "scale", values=[1], by=1, mode="add")
    assert reply["result"] == {"values": [2]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Expected params to have the field 'values'. Received: {}"),
        ({"values": "12"}, "Expected params.values to be a list of number. Received: '12'"),
        ({"values": [1, True]}, "Expected params.values[1] to be a number. Received: True"),
        ({"values": [], "mode": "div"}, "Expected params.mode to be one of ['mul', 'add']. "),
        ({"values": [], "tags": {"a": "b"}}, "Expected params.tags.a to be an integer or null"),
        ({"values": [], "extra": 1}, "Expected params to have only the fields ["),
    ],
)
def test_params_that_do_not_fit_get_a_bad_params_error(
    service: KernelService, params: dict[str, Any], message: str
) -> None:
    reply = _open(service).request(3, "scale", **params)
    assert reply["id"] == 3
    assert reply["error"]["code"] == "bad_params"
    assert reply["error"]["method"] == "scale"
    assert reply["error"]["message"].startswith(message)


def test_a_failing_handler_is_answered_not_raised(service: KernelService) -> None:
    def broken(params: Any) -> None:
        raise RuntimeError("TensorFlow is broken")

    def refuses(params: Any) -> None:
        raise RequestError("bad_params", "Expected a run of this kernel. Received: 'x'")

    service.method("broken", broken)
    service.method("refuses", refuses)
    comm = _open(service)
    assert comm.request(1, "broken")["error"] == {
        "code": "failed",
        "message": "RuntimeError: TensorFlow is broken",
        "method": "broken",
    }
    assert comm.request(2, "refuses")["error"]["code"] == "bad_params"


def test_results_and_events_carry_non_finite_floats_in_their_wire_form() -> None:
    service = KernelService()
    service.method("losses", lambda params: {"loss": float("nan"), "grad": [float("inf"), -1e309]})
    service.topic("last", lambda: {"loss": float("-inf")})
    comm = _open(service)
    reply = comm.request(1, "losses")
    assert reply["result"] == {"loss": "NaN", "grad": ["inf", "-inf"]}
    comm.request(2, "subscribe", topics=["last"])
    assert service.flush()
    assert comm.events("last")[-1][1] == {"loss": "-inf"}
    for _, data in comm.sent:
        json.dumps(data, allow_nan=False)  # what the kernel's JSON would refuse


def test_subscribe_sends_the_current_value_then_changes_by_version() -> None:
    service = KernelService()
    state = {"mode": "eager", "calls": 0}

    def current() -> dict[str, str]:
        state["calls"] += 1
        return {"mode": state["mode"]}

    service.topic("compile", current, version=lambda: state["mode"])
    comm, other = _open(service), _open(service, "c2")
    assert comm.request(1, "subscribe", topics=["compile"])["result"] == {"topics": ["compile"]}
    assert service.flush()
    assert [d for _, d in comm.events("compile")] == [{"mode": "eager"}]
    assert other.events("compile") == []  # not subscribed: told nothing

    service.check_topics()  # a cell that changed nothing: no event, no computation
    assert service.flush()
    assert (len(comm.events("compile")), state["calls"]) == (1, 1)
    state["mode"] = "xla"
    service.check_topics()
    assert service.flush()
    assert [d for _, d in comm.events("compile")] == [{"mode": "eager"}, {"mode": "xla"}]

    # any event the worker sends also checks versions: a change made during a cell (a fit that
    # imported TensorFlow) reaches the panel without waiting for the cell to end
    service.topic("runs", lambda: [])
    comm.request(4, "subscribe", topics=["runs"])
    state["mode"] = "function"
    service.publish("runs")
    assert service.flush()
    assert comm.events("compile")[-1][1] == {"mode": "function"}

    reply = comm.request(2, "unsubscribe", topics=["compile"])
    assert reply["result"] == {"topics": ["runs"]}
    unknown = comm.request(3, "subscribe", topics=["jobs"])["error"]
    assert (unknown["code"], unknown["message"]) == (
        "bad_params",
        "Expected topics among ['compile', 'runs']. Received: 'jobs'",
    )


def test_a_subscription_is_answered_before_its_first_value_is_sent() -> None:
    """The front end reads the reply, then the topic's value: a value sent ahead of the reply
    (from the worker thread, while the reply was on its way) was skipped as an unrelated event."""
    service = KernelService()
    computed = threading.Event()
    service.topic("status", lambda: computed.set() or "ready")
    comm = _open(service)
    send = comm.send

    def slow_reply(data: dict[str, Any]) -> None:
        if "id" in data:  # the worker gets every chance to overtake the reply
            computed.wait(0.5)
        send(data)

    comm.send = slow_reply  # type: ignore[method-assign]
    comm.request(1, "subscribe", topics=["status"])
    assert service.flush()
    assert [data for _, data in comm.sent] == [
        {"id": 1, "result": {"topics": ["status"]}},
        {"topic": "status", "data": "ready"},
    ]


def test_publishing_from_a_training_thread_is_coalesced_and_never_raises() -> None:
    service = KernelService()
    computing, release = threading.Event(), threading.Event()
    values = iter(range(1000))

    def slow() -> int:
        computing.set()
        release.wait(10)
        return next(values)

    service.topic("runs", slow)
    comm = _open(service)
    comm.request(1, "subscribe", topics=["runs"])
    assert computing.wait(10)  # the worker is busy with the subscription's value
    publisher = threading.Thread(target=lambda: [service.publish("runs") for _ in range(500)])
    publisher.start()
    publisher.join(10)  # publish never waits for the worker
    assert not publisher.is_alive()
    release.set()
    assert service.flush()
    assert [d for _, d in comm.events("runs")] == [0, 1]  # 500 publishes while busy: one event


def test_a_failing_topic_or_comm_is_logged_and_the_rest_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = KernelService()
    service.topic("bad", lambda: 1 / 0)
    service.topic("good", lambda: "ok")
    comm = _open(service)
    comm.request(1, "subscribe", topics=["bad", "good"])
    broken = _open(service, "broken")
    broken.request(1, "subscribe", topics=["good"])

    def refuse(data: Any) -> None:
        raise OSError("the iopub socket is gone")

    broken.send = refuse  # type: ignore[method-assign]
    service.publish("bad")
    service.publish("good")
    assert service.flush()
    assert [d for _, d in comm.events("good")][-1] == "ok"
    assert comm.events("bad") == []
    assert "could not compute the bad topic" in caplog.text
    assert "could not send on the workbench comm" in caplog.text


def test_a_comm_speaking_another_protocol_is_closed_and_forgotten() -> None:
    service = KernelService()
    comm = RecordingComm()
    service.open(comm, {"protocol": "9" * 10_000})
    assert comm.closed["error"].startswith("Expected protocol 2. Received: '999")
    assert len(comm.closed["error"]) < 100
    service.publish("status")  # nobody to send to: nothing happens
    assert service.flush()


class Inner(TypedDict):
    name: str


class Outer(TypedDict):
    items: list[Inner]
    limit: int | None


def test_check_params_reads_nested_types() -> None:
    assert check_params({"items": [{"name": "a"}], "limit": None}, Outer)["limit"] is None
    with pytest.raises(ParamsError, match=r"params.items\[0\].name to be a string"):
        check_params({"items": [{"name": 1}], "limit": 3}, Outer)
    with pytest.raises(ParamsError, match=r"Expected params to be an object\. Received: 'x'"):
        check_params("x", Outer)
