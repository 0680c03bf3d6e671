"""The kernel service's router, word for word: the exact reply to each malformed request, the
built-in methods, who receives a topic's value, and what is logged when something fails. The
comm is the boundary (``RecordingComm``); the service is the real one."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any, TypedDict

import pytest

from tests.conftest import RecordingComm
from workbench._protocol import MAX_REQUEST_BYTES, PROTOCOL_VERSION
from workbench.service import KernelService, RequestError


def _open(service: KernelService, comm_id: str = "c1") -> RecordingComm:
    comm = RecordingComm(comm_id)
    service.open(comm, {"protocol": PROTOCOL_VERSION})
    return comm


def _service() -> KernelService:
    service = KernelService()
    service.method("echo", lambda params: params)
    service.topic("status", lambda: "ok")
    return service


def _error(request_id: int | None, code: str, message: str, method: str | None) -> dict[str, Any]:
    return {"id": request_id, "error": {"code": code, "message": message, "method": method}}


METHODS = "['describe', 'echo', 'subscribe', 'unsubscribe']"


@pytest.mark.parametrize(
    ("request_", "reply"),
    [
        (None, _error(None, "bad_request", "Expected a request object. Received: None", None)),
        ([1], _error(None, "bad_request", "Expected a request object. Received: [1]", None)),
        (
            {"id": 4, "method": "nope"},
            _error(
                4,
                "unknown_method",
                f"Expected method to be one of {METHODS}. Received: 'nope'",
                "nope",
            ),
        ),
        (
            {"id": 5, "method": 7},
            _error(
                5, "unknown_method", f"Expected method to be one of {METHODS}. Received: 7", None
            ),
        ),
        (
            {"id": True, "method": "echo"},
            _error(None, "bad_request", "Expected an integer id. Received: True", None),
        ),
        (
            {"id": "6", "method": "echo"},
            _error(None, "bad_request", "Expected an integer id. Received: '6'", None),
        ),
        (
            {"id": 7, "method": "echo", "params": {"x": "y" * MAX_REQUEST_BYTES}},
            _error(
                7,
                "too_large",
                f"Expected params of at most {MAX_REQUEST_BYTES} bytes. "
                f"Received: {MAX_REQUEST_BYTES + 9} bytes",
                "echo",
            ),
        ),
        (
            {"id": 8, "method": "echo", "params": {"x": {1, 2}}},  # not JSON at all
            _error(
                8,
                "too_large",
                f"Expected params of at most {MAX_REQUEST_BYTES} bytes. "
                f"Received: {MAX_REQUEST_BYTES + 1} bytes",
                "echo",
            ),
        ),
        (
            {"id": 9, "method": "echo", "params": {"x": 1}},
            _error(9, "bad_params", "Expected params to be empty. Received: {'x': 1}", "echo"),
        ),
    ],
)
def test_each_malformed_request_gets_its_exact_error(request_: Any, reply: dict[str, Any]) -> None:
    assert _service().handle(request_, "c1") == reply


def test_a_message_without_content_from_an_open_comm_is_answered() -> None:
    service = _service()
    comm = _open(service)
    comm._on_msg({"content": None})  # what a broken front end might send
    comm._on_msg({})
    assert [data for _, data in comm.sent] == [
        _error(None, "bad_request", "Expected a request object. Received: None", None)
    ] * 2


def test_a_closed_comm_is_forgotten_and_its_late_messages_ignored() -> None:
    service = _service()
    comm = _open(service)
    handler = comm._on_msg
    comm.close()
    handler({"content": {"data": {"id": 1, "method": "describe"}}})
    assert comm.sent == []
    service.publish("status")
    assert service.flush()
    assert comm.sent == []


def test_describe_lists_the_protocol_methods_and_topics() -> None:
    comm = _open(_service())
    assert comm.request(1, "describe") == {
        "id": 1,
        "result": {
            "protocol": PROTOCOL_VERSION,
            "methods": ["describe", "echo", "subscribe", "unsubscribe"],
            "topics": ["status"],
        },
    }


def test_subscribing_needs_an_open_comm() -> None:
    service = _service()
    message = "Expected a request over an open workbench comm."
    for comm_id in (None, "never-opened"):
        reply = service.handle(
            {"id": 1, "method": "subscribe", "params": {"topics": ["status"]}}, comm_id
        )
        assert reply == _error(1, "bad_request", message, "subscribe")


def test_a_handlers_failure_is_cut_logged_and_a_request_error_keeps_its_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = _service()

    def broken(params: Any) -> None:
        raise ValueError("x" * 1000)

    def refuses(params: Any) -> None:
        raise RequestError("not_found", "Expected a known run. Received: 'r'")

    service.method("broken", broken)
    service.method("refuses", refuses)
    with caplog.at_level(logging.ERROR, logger="workbench.service.router"):
        reply = service.handle({"id": 1, "method": "broken"}, None)
    assert reply["error"]["message"] == ("ValueError: " + "x" * 1000)[:400]
    assert caplog.messages == ["workbench: broken request failed"]
    assert service.handle({"id": 2, "method": "refuses"}, None) == _error(
        2, "not_found", "Expected a known run. Received: 'r'", "refuses"
    )


def test_a_new_subscriber_gets_the_current_value_and_the_others_are_not_told_again() -> None:
    service = _service()
    first, second = _open(service, "a"), _open(service, "b")
    first.request(1, "subscribe", topics=["status"])
    assert service.flush()
    second.request(1, "subscribe", topics=["status"])
    assert service.flush()
    assert (len(first.events("status")), len(second.events("status"))) == (1, 1)
    service.publish("status")  # a change: every subscriber
    assert service.flush()
    assert (len(first.events("status")), len(second.events("status"))) == (2, 2)


def test_subscriptions_due_together_reach_each_subscriber_once() -> None:
    service = _service()
    computing, release = threading.Event(), threading.Event()
    service.topic("slow", lambda: computing.set() or release.wait(10) or "slow")
    a, b, c, d = (_open(service, name) for name in "abcd")
    d.request(1, "subscribe", topics=["status"])
    assert service.flush()
    a.request(1, "subscribe", topics=["slow"])
    assert computing.wait(10)  # the worker is busy with a's value
    b.request(1, "subscribe", topics=["status"])
    c.request(1, "subscribe", topics=["status"])  # due for b, then for b and c
    a.request(2, "subscribe", topics=["status"])
    release.set()
    assert service.flush()
    # each new subscriber got the value once; d, subscribed before, was not told again
    assert [len(comm.events("status")) for comm in (a, b, c, d)] == [1, 1, 1, 1]
    # due for one comm, then published for everyone: everyone hears it once
    computing.clear()
    release.clear()
    service.publish("slow")
    assert computing.wait(10)
    b.request(3, "subscribe", topics=["status"])
    service.publish("status")
    release.set()
    assert service.flush()
    assert [len(comm.events("status")) for comm in (a, b, c, d)] == [2, 2, 2, 2]


def test_the_worker_is_one_daemon_thread_that_a_kernel_can_exit_without() -> None:
    service = _service()
    comm = _open(service)
    comm.request(1, "subscribe", topics=["status"])
    assert service.flush()
    workers = [t for t in threading.enumerate() if t is service._worker]
    assert [(t.name, t.daemon) for t in workers] == [("workbench-service", True)]


def test_a_failing_version_is_logged_and_the_other_topics_still_checked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = KernelService()
    state = {"v": 1}
    service.topic("a", lambda: "a", version=lambda: 1 / 0)
    service.topic("b", lambda: "no version")  # published on request only
    service.topic("c", lambda: state["v"], version=lambda: state["v"])
    comm = _open(service)
    comm.request(1, "subscribe", topics=["c"])
    assert service.flush()
    with caplog.at_level(logging.ERROR, logger="workbench.service.router"):
        state["v"] = 2
        service.check_topics()
        assert service.flush()
    assert [value for _, value in comm.events("c")] == [1, 2]
    assert "workbench: a topic's version failed" in caplog.messages
    service.check_topics()  # unchanged since it was sent: nothing new
    assert service.flush()
    assert [value for _, value in comm.events("c")] == [1, 2]


def test_sending_and_computing_failures_are_logged_in_words(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = KernelService()
    service.topic("bad", lambda: 1 / 0)
    comm = _open(service)
    with caplog.at_level(logging.ERROR, logger="workbench.service.router"):
        comm.request(1, "subscribe", topics=["bad"])
        assert service.flush()

        def refuse(data: Any) -> None:
            raise OSError("gone")

        comm.send = refuse  # type: ignore[method-assign]
        comm._on_msg({"content": {"data": {"id": 2, "method": "describe"}}})
    assert caplog.messages == [
        "workbench: could not compute the bad topic",
        "workbench: could not send on the workbench comm",
    ]


def test_a_protocol_mismatch_is_logged_with_advice(caplog: pytest.LogCaptureFixture) -> None:
    service = KernelService()
    comm = RecordingComm()
    with caplog.at_level(logging.WARNING, logger="workbench.service.router"):
        service.open(comm, "not a dict")
    assert comm.closed == {"error": f"Expected protocol {PROTOCOL_VERSION}. Received: None"}
    assert caplog.messages == [
        f"workbench: the JupyterLab extension speaks protocol None, this kernel "
        f"{PROTOCOL_VERSION}; reinstall tf-workbench so both match"
    ]
    json.dumps(comm.closed)


def test_flush_waits_for_the_event_being_sent() -> None:
    service = KernelService()
    computing, release = threading.Event(), threading.Event()
    service.topic("slow", lambda: computing.set() or release.wait(10) or "slow")
    comm = _open(service)
    comm.request(1, "subscribe", topics=["slow"])
    assert computing.wait(10)
    assert service.flush(timeout=0.2) is False  # still sending: not flushed
    release.set()
    assert service.flush(timeout=10) is True
    assert len(comm.events("slow")) == 1


def test_params_of_exactly_the_limit_are_read() -> None:
    padding = "y" * (MAX_REQUEST_BYTES - len(json.dumps({"x": ""})))
    service = KernelService()
    service.method("take", lambda params: len(params["x"]), _Padded)
    assert service.handle({"id": 2, "method": "take", "params": {"x": padding}}, None) == {
        "id": 2,
        "result": len(padding),
    }


class _Padded(TypedDict):
    x: str


def test_closing_every_comm_then_a_late_close_is_harmless() -> None:
    service = _service()
    first, second = _open(service, "a"), _open(service, "b")
    service.close_all()
    assert (first.closed, second.closed) == ({}, {})
    first.close()  # the front end's own close arriving after
    service.publish("status")
    assert service.flush()
    assert first.sent == second.sent == []


def test_a_protocol_mismatch_names_the_version_received(caplog: pytest.LogCaptureFixture) -> None:
    comm = RecordingComm()
    with caplog.at_level(logging.WARNING, logger="workbench.service.router"):
        KernelService().open(comm, {"protocol": 1})
    assert comm.closed == {"error": f"Expected protocol {PROTOCOL_VERSION}. Received: 1"}
    assert caplog.messages[0].startswith("workbench: the JupyterLab extension speaks protocol 1,")


def test_publishing_something_that_is_no_topic_name_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = _service()
    comm = _open(service)
    comm.request(1, "subscribe", topics=["status"])
    assert service.flush()
    with caplog.at_level(logging.ERROR, logger="workbench.service.router"):
        service.publish(["status"])  # type: ignore[arg-type]  # a capability's mistake
    assert caplog.messages == ["workbench: could not publish ['status']"]
