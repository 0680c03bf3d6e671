"""Messages from a job's workers to the kernel that launched it, and their framing.

Workers speak, the kernel listens: each worker opens one TCP connection to the job's listener on
127.0.0.1 (local backend) or puts into a Ray queue (Ray backend), and sends a :class:`Hello`
with the job's token first. Over TCP a message is a 4-byte big-endian length and that many bytes
of JSON. Python's JSON carries NaN and infinities (both ends are Python), so metrics travel as
they are. Results and exceptions travel pickled (cloudpickle), base64 in the JSON.
"""

from __future__ import annotations

import json
import struct
from typing import Any, Literal, TypedDict

MAX_FRAME = 256 * 1024 * 1024  # a result bigger than this is an error, not a frame
_LENGTH = struct.Struct(">I")

# A point: [step, split, kind, epoch or None, {metric: value}]
Point = tuple[int, str, str, "int | None", dict[str, float]]


class Hello(TypedDict):
    type: Literal["hello"]
    token: str
    task: str  # the task's key: "worker 0", "chief", "ps 0"
    pid: int


class Beat(TypedDict):
    """Sent every ``BEAT`` seconds by a thread of the worker: it is alive and not stopped."""

    type: Literal["beat"]


class Points(TypedDict):
    """Metrics the worker logged since its last message (``workbench.fit`` or ``report``)."""

    type: Literal["points"]
    points: list[Any]  # of Point


class Phase(TypedDict):
    """What the worker is doing: ``"starting"``, ``"running"``, ``"serving"``."""

    type: Literal["phase"]
    phase: str


class Plan(TypedDict):
    """What the worker's training expects (``workbench.fit``): epochs and total steps."""

    type: Literal["plan"]
    epochs: int | None
    steps: int | None


class Log(TypedDict):
    """Lines the worker printed, for backends that do not hand the kernel its output (Ray)."""

    type: Literal["log"]
    text: str


class Result(TypedDict):
    type: Literal["result"]
    pickle: str  # base64 of the cloudpickled return value


class Failure(TypedDict):
    """The worker's function raised: its type, message and traceback, and the exception itself
    pickled when it could be (``None`` otherwise)."""

    type: Literal["error"]
    error_type: str  # "ValueError", "tensorflow.python.framework.errors_impl.UnavailableError"
    message: str
    traceback: str
    pickle: str | None


Message = Hello | Beat | Points | Phase | Plan | Log | Result | Failure

BEAT = 1.0  # seconds between a worker's heartbeats


def encode(message: Message | dict[str, Any]) -> bytes:
    """One frame: the length, then the JSON."""
    body = json.dumps(message, separators=(",", ":")).encode()
    if len(body) > MAX_FRAME:
        raise ValueError(f"Expected a message of at most {MAX_FRAME} bytes. Received: {len(body)}")
    return _LENGTH.pack(len(body)) + body


class FrameReader:
    """Frames from a byte stream fed in pieces (``feed`` returns the complete messages)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._buffer)
            if length > MAX_FRAME:
                raise ValueError(
                    f"Expected a frame of at most {MAX_FRAME} bytes. Received: {length}"
                )
            end = _LENGTH.size + length
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_LENGTH.size : end])
            del self._buffer[:end]
            try:  # a frame of our workers' JSON is UTF-8 (ASCII, even)
                message = json.loads(body.decode())
            except ValueError as error:  # bytes that are not JSON, or not UTF-8
                raise ValueError(
                    f"Expected a frame of JSON. Received {length} bytes: {body[:60]!r} ({error})"
                ) from None
            if not isinstance(message, dict):
                raise ValueError(f"Expected a JSON object. Received: {body[:60]!r}")
            messages.append(message)
        return messages
