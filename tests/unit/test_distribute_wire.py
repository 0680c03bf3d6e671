"""The messages a job's workers send the kernel, byte for byte: each kind framed (4-byte length,
JSON) and read back from pieces of any size, over a real connection on 127.0.0.1; and damaged
streams (a truncated frame, a length past the limit, bytes that are not JSON, a stranger's
hello, an exception that does not pickle) each ending in a clear error or a dropped
connection, never a wait."""

from __future__ import annotations

import math
import re
import selectors
import socket
import struct
import threading
from typing import Any

import pytest

from workbench.distribute import wire
from workbench.distribute.errors import WorkerError, remote_error
from workbench.distribute.local import LocalBackend
from workbench.distribute.worker import TcpTransport, failure

MIB = 1024 * 1024
HELLO = wire.Hello(type="hello", token="5eb1", task="worker 1", pid=4242)
MESSAGES: list[dict[str, Any]] = [
    dict(HELLO),
    dict(wire.Phase(type="phase", phase="running")),
    dict(wire.Plan(type="plan", epochs=2, steps=None)),
    dict(wire.Beat(type="beat")),
    dict(wire.Points(type="points", points=[[1, "train", "batch", 0, {"loss": 0.5}]])),
    dict(wire.Log(type="log", text="epoch 1/2\n\u00e9t\u00e9 \u2713\n")),
    dict(wire.Result(type="result", pickle="gASVBQAAAAAAAABLKi4=")),
]


def _frames() -> bytes:
    return b"".join(wire.encode(m) for m in MESSAGES)


def test_a_frame_is_its_length_then_compact_json() -> None:
    assert wire.encode(wire.Beat(type="beat")) == b"\x00\x00\x00\x0f" + b'{"type":"beat"}'
    body = b'{"type":"hello","token":"5eb1","task":"worker 1","pid":4242}'
    assert wire.encode(HELLO) == struct.pack(">I", len(body)) + body
    assert wire.encode({"text": "\u00e9"}) == b'\x00\x00\x00\x11{"text":"\\u00e9"}'


def test_every_kind_of_message_reads_back_from_pieces_of_any_size() -> None:
    stream = _frames()
    assert wire.FrameReader().feed(stream) == MESSAGES
    for size in (1, 2, 3, 4, 5, 7, 64):
        reader = wire.FrameReader()
        read = []
        for start in range(0, len(stream), size):
            read += reader.feed(stream[start : start + size])
        assert read == MESSAGES, size


def test_a_message_is_returned_once_its_last_byte_came() -> None:
    frame = wire.encode(wire.Phase(type="phase", phase="serving"))
    reader = wire.FrameReader()
    assert reader.feed(b"") == []
    assert reader.feed(frame[:3]) == []  # part of the length
    assert reader.feed(frame[3:4]) == []  # the length alone
    assert reader.feed(frame[4:-1]) == []
    assert reader.feed(frame[-1:] + frame[:2]) == [{"type": "phase", "phase": "serving"}]
    assert reader.feed(frame[2:]) == [{"type": "phase", "phase": "serving"}]
    assert reader.feed(b"") == []


def test_metrics_that_are_nan_or_infinite_travel_as_they_are() -> None:
    points = [[3, "train", "batch", None, {"loss": math.nan, "up": math.inf, "down": -math.inf}]]
    (read,) = wire.FrameReader().feed(wire.encode(wire.Points(type="points", points=points)))
    values = read["points"][0][4]
    assert math.isnan(values["loss"])
    assert values["up"] == math.inf
    assert values["down"] == -math.inf
    assert read["points"][0][:4] == [3, "train", "batch", None]


def _serve(count: int) -> tuple[socket.socket, str]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(count)
    return listener, f"127.0.0.1:{listener.getsockname()[1]}"


def _read_to_the_end(sock: socket.socket) -> tuple[list[dict[str, Any]], wire.FrameReader]:
    sock.settimeout(10)  # a stream that stops short ends the test, not waits forever
    reader = wire.FrameReader()
    read: list[dict[str, Any]] = []
    while data := sock.recv(1 << 16):
        read += reader.feed(data)
    return read, reader


def test_a_workers_messages_arrive_whole_over_its_connection() -> None:
    listener, address = _serve(1)
    # a result of 3 MiB arrives in many reads
    big = dict(wire.Result(type="result", pickle="A" * (3 * MIB)))
    with listener:
        transport = TcpTransport(address)
        sender = threading.Thread(
            target=lambda: ([transport.send(m) for m in [*MESSAGES, big]], transport.close())
        )
        sender.start()
        conn, _ = listener.accept()
        with conn:
            read, _ = _read_to_the_end(conn)
        sender.join(10)
    assert read == [*MESSAGES, big]


def test_a_frame_cut_short_by_a_dying_worker_is_no_message_and_no_wait() -> None:
    listener, address = _serve(1)
    frame = wire.encode(wire.Log(type="log", text="last words"))
    host, port = address.split(":")
    with listener, socket.create_connection((host, int(port))) as worker:
        conn, _ = listener.accept()
        worker.sendall(wire.encode(HELLO) + frame[:-3])  # killed mid-send
        worker.close()
        with conn:
            read, _ = _read_to_the_end(conn)
    assert read == [dict(HELLO)]


def test_a_length_past_the_limit_is_an_error_at_once() -> None:
    assert wire.MAX_FRAME == 256 * MIB
    reader = wire.FrameReader()
    assert reader.feed(struct.pack(">I", 256 * MIB)) == []  # the largest frame: wait for it
    message = f"Expected a frame of at most {256 * MIB} bytes. Received: {256 * MIB + 1}"
    with pytest.raises(ValueError, match=f"^{message}$"):
        wire.FrameReader().feed(struct.pack(">I", 256 * MIB + 1))
    # a stranger that speaks HTTP: "GET " read as a length
    with pytest.raises(
        ValueError, match=r"^Expected a frame of at most \d+ bytes\. Received: 1195725856$"
    ):
        wire.FrameReader().feed(b"GET / HTTP/1.1\r\n\r\n")


def test_a_message_past_the_limit_is_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    beat = b'{"type":"beat"}'
    monkeypatch.setattr(wire, "MAX_FRAME", len(beat))
    assert wire.encode(wire.Beat(type="beat")) == b"\x00\x00\x00\x0f" + beat  # at the limit
    monkeypatch.setattr(wire, "MAX_FRAME", len(beat) - 1)
    with pytest.raises(
        ValueError, match=r"^Expected a message of at most 14 bytes\. Received: 15$"
    ):
        wire.encode(wire.Beat(type="beat"))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (  # a long stranger's frame: its first 60 bytes
            b"x" * 100,
            f"Expected a frame of JSON. Received 100 bytes: {b'x' * 60!r} "
            "(Expecting value: line 1 column 1 (char 0))",
        ),
        (
            b"not json",
            "Expected a frame of JSON. Received 8 bytes: b'not json' (Expecting value: "
            "line 1 column 1 (char 0))",
        ),
        (
            b'{"type":"beat"',
            'Expected a frame of JSON. Received 14 bytes: b\'{"type":"beat"\' '
            "(Expecting ',' delimiter: line 1 column 15 (char 14))",
        ),
        (
            b"",
            "Expected a frame of JSON. Received 0 bytes: b'' (Expecting value: line 1 column "
            "1 (char 0))",
        ),
        (
            b"\xff\xfe{}",
            "Expected a frame of JSON. Received 4 bytes: b'\\xff\\xfe{}' ('utf-8' "
            "codec can't decode byte 0xff in position 0: invalid start byte)",
        ),
    ],
)
def test_bytes_that_are_not_json_are_an_error_naming_them(body: bytes, error: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        wire.FrameReader().feed(struct.pack(">I", len(body)) + body)


def test_json_that_is_not_an_object_is_an_error_showing_its_start() -> None:
    body = b"[" + b"1," * 40 + b"1]"
    error = "Expected a JSON object. Received: " + repr(body[:60])
    with pytest.raises(ValueError, match=f"^{re.escape(error)}$"):
        wire.FrameReader().feed(struct.pack(">I", len(body)) + body)
    with pytest.raises(ValueError, match=r"^Expected a JSON object\. Received: b'null'$"):
        wire.FrameReader().feed(b"\x00\x00\x00\x04null")


def test_the_message_before_a_damaged_one_is_read_first() -> None:
    reader = wire.FrameReader()
    assert reader.feed(wire.encode(HELLO)) == [dict(HELLO)]
    with pytest.raises(ValueError, match=r"^Expected a frame of JSON\. Received 2 bytes: b'\{x' "):
        reader.feed(b"\x00\x00\x00\x02{x" + wire.encode(wire.Beat(type="beat")))


class _Job:
    """What the local backend's monitor tells a job: the messages of each task."""

    id = "j1"

    def __init__(self) -> None:
        self.heard: list[tuple[str, dict[str, Any]]] = []

    def on_message(self, key: str, message: dict[str, Any]) -> None:
        self.heard.append((key, message))


def _listen(backend: LocalBackend, sent: bytes) -> bool:
    """Whether the backend still holds the connection of a client that sent ``sent``."""
    selector = selectors.DefaultSelector()
    connections: dict[Any, list[Any]] = {}
    with socket.create_connection(("127.0.0.1", int(backend.address.split(":")[1]))) as client:
        client.sendall(sent)
        for _ in range(100):
            backend._accept(selector, connections)
            if connections:
                break
            threading.Event().wait(0.05)
        (sock,) = connections
        sock.settimeout(10)
        backend._read_messages(selector, connections, sock)
        while sock in connections and connections[sock][0]._buffer:  # the rest of a frame
            backend._read_messages(selector, connections, sock)
        kept = sock in connections
    for held in connections:
        held.close()
    selector.close()
    return kept


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (wire.encode(HELLO) + wire.encode(wire.Beat(type="beat")), True),
        (wire.encode({**HELLO, "token": "guessed"}), False),
        (wire.encode({**HELLO, "task": "worker 9"}), False),  # no such task
        (wire.encode(wire.Beat(type="beat")), False),  # no hello first
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", False),
        (b"\x00\x00\x00\x03abc", False),
    ],
)
def test_only_a_task_of_the_job_with_its_token_is_heard(sent: bytes, kept: bool) -> None:
    job = _Job()
    backend = LocalBackend(job, [], {})  # type: ignore[arg-type]
    backend.token = "5eb1"
    backend.procs = {"worker 1": None}  # type: ignore[dict-item]
    try:
        assert _listen(backend, sent) is kept
    finally:
        backend._close()
    if kept:
        assert job.heard == [("worker 1", dict(HELLO)), ("worker 1", {"type": "beat"})]
    else:
        assert job.heard == []


class _Locked(Exception):
    """An error holding what cannot be pickled (a lock), as a user's error can."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()


class _NeedsTwo(Exception):
    """Pickles, but does not unpickle (its class wants two arguments, ``args`` holds one)."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a} and {b}")


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 - the test's own
        return caught


def test_an_exception_that_does_not_pickle_travels_as_its_text() -> None:
    sent = failure(_raised(_Locked("the queue is closed")))
    (read,) = wire.FrameReader().feed(wire.encode(sent))
    assert read["pickle"] is None
    assert read["error_type"] == f"{__name__}._Locked"
    assert read["message"] == "the queue is closed"
    assert read["traceback"].endswith(f"{__name__}._Locked: the queue is closed\n")
    error = remote_error("worker 1 raised _Locked: the queue is closed", "worker 1", read)
    assert type(error) is WorkerError
    assert str(error) == "worker 1 raised _Locked: the queue is closed"
    assert error.worker == "worker 1"
    assert "the queue is closed" in str(error.__cause__)


def test_an_exception_that_does_not_unpickle_is_raised_as_a_worker_error() -> None:
    sent = failure(_raised(_NeedsTwo("x", "y")))
    assert sent["pickle"] is not None
    (read,) = wire.FrameReader().feed(wire.encode(sent))
    error = remote_error("worker 0 raised _NeedsTwo: x and y", "worker 0", read)
    assert type(error) is WorkerError
    assert str(error) == "worker 0 raised _NeedsTwo: x and y"


def test_an_ordinary_exception_is_raised_again_as_itself() -> None:
    (read,) = wire.FrameReader().feed(wire.encode(failure(_raised(KeyError("lr")))))
    assert read["error_type"] == "KeyError"
    error = remote_error("worker 0 raised KeyError: 'lr'", "worker 0", read)
    assert type(error) is KeyError
    assert error.args == ("lr",)
    assert error.__notes__ == ["(raised in worker 0 of the job)"]
