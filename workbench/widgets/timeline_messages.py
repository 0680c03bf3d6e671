"""Messages and synced traits of the timeline view, as the kernel and its front end see them.

Mirrored in ``extensions/widgets/timeline/messages.ts`` (``tests/unit/test_timeline_messages_
mirror.py`` keeps the two in step). The view speaks the request/response pair of every streamed
view (``widgets.messages``); besides, the kernel sends:

- ``meta`` (:class:`TimelineMeta`), with one buffer: how busy each lane is over the capture,
  uint8, lanes x ``bins`` (the minimap);
- ``frame`` (:class:`FrameHeader`), with five or six buffers of ``n`` items each, in the order
  ``start`` (float32, µs after ``t0``), ``dur`` (float32, µs), ``row`` (uint32), ``name``
  (int32, an id of ``names``, which carries each id the first time it is sent), ``ref`` (int32:
  >= 0 an event's index for ``details``; < 0 a block of ``-ref`` merged events), and with a
  search ``match`` (uint8, 1 where the item holds a match). Little-endian.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "EventDetails",
    "FirstFrame",
    "FrameHeader",
    "FrameParams",
    "FrameResult",
    "MatchResult",
    "SearchResult",
    "TimelineLane",
    "TimelineMeta",
    "TimelineStep",
    "TimelineTraits",
]


class TimelineLane(TypedDict):
    """A thread of a process: ``rows`` rows from global row ``first_row``."""

    label: str
    process: str
    thread: str
    rows: int
    first_row: int
    events: int


class TimelineStep(TypedDict):
    """A training step: µs from the capture's start."""

    start: float
    end: float
    label: str


class TimelineMeta(TypedDict):
    """Kernel -> front end: the capture's shape (sent on ``sync`` and when a capture is ready)."""

    type: Literal["meta"]
    ready: bool
    span: float  # µs from the first event's start to the last event's end
    rows: int
    bins: int  # columns of the minimap buffer
    lanes: list[TimelineLane]
    steps: list[TimelineStep]


class FrameHeader(TypedDict):
    """Kernel -> front end: the items of the window [t0, t1) drawn ``width`` pixels wide."""

    type: Literal["frame"]
    seq: int  # the request's seq (0: sent unasked, when a capture became ready)
    t0: float
    t1: float
    width: int
    n: int
    level: int  # -1: events themselves; k >= 0: the k-th merged level of the index
    events: int  # events the items stand for
    names: dict[str, str]  # name id -> name, for ids not sent before
    match: bool  # whether a match buffer follows


class FrameParams(TypedDict):
    """Front end -> kernel: the ``frame`` request."""

    t0: float
    t1: float
    width: int
    seq: int


class FrameResult(TypedDict):
    n: int
    bytes: int


class SearchResult(TypedDict):
    """The ``search`` request's result (params ``{query}``): matching events and names."""

    query: str
    events: int
    names: int


class MatchResult(TypedDict):
    """The ``next`` request's result (params ``{after}``): the next matching event."""

    start: float
    dur: float
    row: int
    ref: int


class EventDetails(TypedDict):
    """The ``details`` request's result (params ``{ref}``): one event in full."""

    name: str
    start: float
    dur: float
    thread: str
    process: str
    depth: int
    args: dict[str, str]


class FirstFrame(TypedDict):
    """The ``first`` trait: a ``meta`` and a ``frame`` of the whole capture, with their buffers,
    for a view shown while its kernel runs a cell (a fit goes on after its capture: the kernel
    answers no request until the cell ends). ``{}`` otherwise."""

    meta: TimelineMeta
    overview: bytes  # the meta's buffer
    frame: FrameHeader
    buffers: list[bytes]  # the frame's buffers


class TimelineTraits(TypedDict):
    """The synced traits of the timeline view (``TimelineView``)."""

    title: str
    subtitle: str  # the verdict's headline
    state: str  # converting, ready, failed
    error: str  # why it failed
    overview: str  # a PNG data URL of the whole capture, for a view restored without a kernel
    first: FirstFrame  # or {}: see FirstFrame


def as_text(args: dict[str, Any] | None) -> dict[str, str]:
    """An event's args as strings, each cut to 500 characters."""
    return {str(k): str(v)[:500] for k, v in (args or {}).items()}
