"""The kernel's end of the ``workbench`` comm: a router of typed methods and published topics.

Capabilities register what they offer (``method(name, fn, params)``, ``topic(name, current)``);
the router holds no domain logic. Front ends open a comm, call methods by name and subscribe to
topics (``workbench._protocol``). Two promises shape the code:

- **Nothing reaches user code.** Every request gets exactly one reply, an error reply for
  anything malformed or failing, bounded in size; a handler's exception is logged and answered,
  never raised. ``publish`` never raises and never blocks.
- **Nothing slows training.** A run publishes from its training thread; ``publish`` only marks
  the topic as due and wakes one worker thread, which computes the topic's value (listing runs
  may read files) and sends it. Several publishes before the worker wakes send one event.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from workbench._protocol import (
    MAX_REQUEST_BYTES,
    PROTOCOL_VERSION,
    ErrorBody,
    ErrorCode,
    Event,
    NoParams,
    Reply,
    ServiceDescription,
    SubscribeParams,
    SubscribeResult,
    jsonable,
)
from workbench.service.params import ParamsError, check_params, shown

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Method:
    name: str
    fn: Callable[..., Any]  # fn(params), or fn(params, comm_id) for the router's own methods
    params: type
    needs_comm: bool = False


@dataclass
class Topic:
    name: str
    current: Callable[[], Any]  # the topic's value now; run on the worker thread
    # A cheap key that changes when the value does: after each cell, topics whose key changed
    # are published. None: the topic is published only by explicit ``publish`` calls.
    version: Callable[[], Hashable] | None = None
    published: Hashable = field(default=None)


@dataclass
class _Peer:
    comm: Any
    topics: set[str] = field(default_factory=set)
    # Subscribed by the request being answered: they join ``topics`` once its reply is sent, so
    # the reply comes first (the worker thread could otherwise send their values ahead of it).
    joining: set[str] = field(default_factory=set)


class RequestError(Exception):
    """A handler's way to answer with a specific error code and message."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class KernelService:
    """Methods and topics of one kernel, served to every front end that opens the comm."""

    def __init__(self) -> None:
        self.methods: dict[str, Method] = {}
        self.topics: dict[str, Topic] = {}
        self._peers: dict[str, _Peer] = {}
        self._due: dict[str, set[str] | None] = {}  # topic -> comm ids (None: every subscriber)
        self._wake = threading.Condition()
        self._sending: str | None = None
        self._worker: threading.Thread | None = None
        self.methods["describe"] = Method("describe", self._describe, NoParams)
        self.methods["subscribe"] = Method("subscribe", self._subscribe, SubscribeParams, True)
        self.methods["unsubscribe"] = Method(
            "unsubscribe", self._unsubscribe, SubscribeParams, True
        )

    # --- registration -----------------------------------------------------------------------

    def method(self, name: str, fn: Callable[[Any], Any], params: type = NoParams) -> None:
        """Serve ``fn(params) -> result`` as ``name``; ``params`` is checked against the
        ``TypedDict`` given, so ``fn`` sees only well-formed input."""
        self.methods[name] = Method(name, fn, params)

    def topic(
        self,
        name: str,
        current: Callable[[], Any],
        version: Callable[[], Hashable] | None = None,
    ) -> None:
        """Publish ``current()`` on ``name`` to subscribers, when asked and when ``version()``
        changes (checked after each cell by :meth:`check_topics`)."""
        self.topics[name] = Topic(name, current, version)

    # --- the comm -----------------------------------------------------------------------------

    def open(self, comm: Any, data: Any) -> None:
        """A front end opened a comm: accept it, or close it saying which protocol we speak."""
        version = data.get("protocol") if isinstance(data, dict) else None
        if version != PROTOCOL_VERSION:
            log.warning(
                "workbench: the JupyterLab extension speaks protocol %s, this kernel %s; "
                "reinstall tf-workbench so both match",
                shown(version),
                PROTOCOL_VERSION,
            )
            comm.close(
                {"error": f"Expected protocol {PROTOCOL_VERSION}. Received: {shown(version)}"}
            )
            return
        comm_id = comm.comm_id
        self._peers[comm_id] = _Peer(comm)
        comm.on_msg(lambda msg: self._on_msg(comm_id, msg))
        comm.on_close(lambda _msg: self._peers.pop(comm_id, None))

    def close_all(self) -> None:
        for peer in list(self._peers.values()):
            peer.comm.close()
        self._peers.clear()

    def _on_msg(self, comm_id: str, msg: Any) -> None:
        peer = self._peers.get(comm_id)
        if peer is None:
            return
        try:
            data = msg["content"]["data"]
        except (KeyError, TypeError):
            data = None
        self._send(peer, self.handle(data, comm_id))
        self._join(peer)

    def handle(self, request: Any, comm_id: str | None = None) -> Reply:
        """Answer one request; every failure becomes an error reply, never an exception."""
        request_id = request.get("id") if isinstance(request, dict) else None
        if not isinstance(request_id, int) or isinstance(request_id, bool):
            request_id = None
        if not isinstance(request, dict):
            return _error(
                request_id, "bad_request", f"Expected a request object. Received: {shown(request)}"
            )
        name = request.get("method")
        if not isinstance(name, str) or name not in self.methods:
            return _error(
                request_id,
                "unknown_method",
                f"Expected method to be one of {sorted(self.methods)}. Received: {shown(name)}",
                shown(name)[1:-1] if isinstance(name, str) else None,
            )
        if request_id is None:
            return _error(
                None, "bad_request", f"Expected an integer id. Received: {shown(request.get('id'))}"
            )
        try:
            size = len(json.dumps(request.get("params")))
        except (TypeError, ValueError):
            size = MAX_REQUEST_BYTES + 1
        if size > MAX_REQUEST_BYTES:
            return _error(
                request_id,
                "too_large",
                f"Expected params of at most {MAX_REQUEST_BYTES} bytes. Received: {size} bytes",
                name,
            )
        method = self.methods[name]
        try:
            params = check_params(request.get("params"), method.params)
            result = method.fn(params, comm_id) if method.needs_comm else method.fn(params)
        except ParamsError as exc:
            return _error(request_id, "bad_params", str(exc), name)
        except RequestError as exc:
            return _error(request_id, exc.code, str(exc), name)
        # A broken TensorFlow install raises anything from ImportError to RuntimeError: the front
        # end must hear about it, and the kernel must not fall over.
        except Exception as exc:
            log.exception("workbench: %s request failed", name)
            return _error(request_id, "failed", f"{type(exc).__name__}: {exc}"[:400], name)
        return Reply(id=request_id, result=jsonable(result))

    # --- the router's own methods -----------------------------------------------------------

    def _describe(self, params: NoParams) -> ServiceDescription:
        return ServiceDescription(
            protocol=PROTOCOL_VERSION, methods=sorted(self.methods), topics=sorted(self.topics)
        )

    def _subscribe(self, params: SubscribeParams, comm_id: str | None) -> SubscribeResult:
        """Subscribe the calling comm; each topic's current value follows the reply."""
        peer = self._peer(comm_id, params["topics"])
        peer.joining.update(params["topics"])
        return SubscribeResult(topics=sorted(peer.topics | peer.joining))

    def _join(self, peer: _Peer) -> None:
        """Start what ``subscribe`` asked for, once its reply is on its way."""
        joining, peer.joining = peer.joining, set()
        peer.topics.update(joining)
        for name in sorted(joining):
            self._mark_due(name, peer.comm.comm_id)

    def _unsubscribe(self, params: SubscribeParams, comm_id: str | None) -> SubscribeResult:
        peer = self._peer(comm_id, params["topics"])
        peer.topics.difference_update(params["topics"])
        peer.joining.difference_update(params["topics"])
        return SubscribeResult(topics=sorted(peer.topics))

    def _peer(self, comm_id: str | None, topics: list[str]) -> _Peer:
        unknown = [t for t in topics if t not in self.topics]
        if unknown:
            raise ParamsError(
                f"Expected topics among {sorted(self.topics)}. Received: {shown(unknown[0])}"
            )
        peer = None if comm_id is None else self._peers.get(comm_id)
        if peer is None:
            raise RequestError("bad_request", "Expected a request over an open workbench comm.")
        return peer

    # --- topics -------------------------------------------------------------------------------

    def publish(self, name: str) -> None:
        """Send topic ``name``'s current value to its subscribers, soon, from the worker thread.

        Safe from any thread; never raises; costs a dictionary update when nobody listens.
        """
        try:
            if any(name in peer.topics for peer in list(self._peers.values())):
                self._mark_due(name, None)
        except Exception:  # publishing must never reach the user's training
            log.exception("workbench: could not publish %s", name)

    def check_topics(self) -> None:
        """Publish every topic whose version changed. A few look-ups: called after each cell,
        and by the worker after each event it sends (a fit's first cell imports TensorFlow and
        trains at once: the panel hears of TensorFlow with the run's first progress, not after
        the cell)."""
        if not self._peers:
            return
        for topic in list(self.topics.values()):
            if topic.version is None:
                continue
            try:
                version = topic.version()
            except Exception:  # a status check must not fail the user's cell
                log.exception("workbench: %s topic's version failed", topic.name)
                continue
            if version != topic.published:
                topic.published = version
                self.publish(topic.name)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every due topic was sent (for tests and shutdown); False on timeout."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._due and self._sending is None, timeout)

    def _mark_due(self, name: str, comm_id: str | None) -> None:
        with self._wake:
            if name in self._due:
                targets = self._due[name]
                if targets is not None:
                    if comm_id is None:
                        self._due[name] = None
                    else:
                        targets.add(comm_id)
            else:
                self._due[name] = None if comm_id is None else {comm_id}
            self._start_worker()
            self._wake.notify_all()

    def _start_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(
                target=self._work, name="workbench-service", daemon=True
            )
            self._worker.start()

    def _work(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: bool(self._due))
                name = next(iter(self._due))
                targets = self._due.pop(name)  # marked again while sending: sent again after
                self._sending = name
            try:
                self._send_topic(name, targets)
                self.check_topics()
            finally:
                with self._wake:
                    self._sending = None
                    self._wake.notify_all()

    def _send_topic(self, name: str, targets: set[str] | None) -> None:
        topic = self.topics.get(name)
        if topic is None:
            return
        try:
            if topic.version is not None:
                topic.published = topic.version()
            data = jsonable(topic.current())
        except Exception:  # a failing topic is logged, the kernel goes on
            log.exception("workbench: could not compute the %s topic", name)
            return
        event = Event(topic=name, data=data)
        for comm_id, peer in list(self._peers.items()):
            if name in peer.topics and (targets is None or comm_id in targets):
                self._send(peer, event)

    def _send(self, peer: _Peer, message: Reply | Event) -> None:
        try:
            peer.comm.send(message)
        except Exception:  # a closed or broken comm must not break the kernel
            log.exception("workbench: could not send on the workbench comm")


def _error(
    request_id: int | None, code: ErrorCode, message: str, method: str | None = None
) -> Reply:
    return Reply(id=request_id, error=ErrorBody(code=code, message=message, method=method))
