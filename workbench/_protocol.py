"""Messages on the ``workbench`` comm target, as the kernel and the JupyterLab extension see them.

The front end opens a comm on the target ``workbench`` (data: :class:`OpenData`) and sends
:class:`Request`s; the kernel answers each with one :class:`Reply` echoing its ``id``. A front end
subscribes to topics (the ``subscribe`` method) and then receives an :class:`Event` with a topic's
current value at once and again whenever it changes. Methods and topics are registered by each
capability (``workbench.service``); their parameter and result types are declared here, and each
is mirrored in ``extensions/src/protocol.ts`` (``tests/unit/test_protocol_mirror.py``).

Wire types live here; domain types live in their domain (devices in ``workbench.distribute``) and
are imported from it, never the reverse. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from workbench.compile.modes import CompileState
from workbench.distribute.devices import DeviceInfo
from workbench.system import SystemStatus

PROTOCOL_VERSION = 2
COMM_TARGET = "workbench"
# A request larger than this is answered with an error without being read further: no method
# takes more, and a runaway payload must not cost the kernel.
MAX_REQUEST_BYTES = 64 * 1024

# JSON has no NaN or infinity: a float that is not finite travels as one of these strings, on
# every wire (comm, widget messages, REST), and the front end shows it as such.
NonFinite = Literal["NaN", "inf", "-inf"]
WireFloat = float | NonFinite

__all__ = [
    "COMM_TARGET",
    "MAX_REQUEST_BYTES",
    "PROTOCOL_VERSION",
    "CheckpointInfo",
    "CheckpointsUpdate",
    "CompileState",
    "DeviceInfo",
    "ErrorBody",
    "Event",
    "JobCancelParams",
    "JobInfo",
    "JobsUpdate",
    "NoParams",
    "OpenData",
    "PendingCapture",
    "ProfileInfo",
    "ProfileOpenParams",
    "ProfileOpenResult",
    "ProfilesParams",
    "ProfilesUpdate",
    "Reply",
    "Request",
    "RunInfo",
    "RunsParams",
    "RunsUpdate",
    "ServiceDescription",
    "SubscribeParams",
    "SubscribeResult",
    "SystemStatus",
    "WorkerInfo",
]


# --- the envelope ---------------------------------------------------------------------------


class OpenData(TypedDict):
    """The data of the front end's ``comm_open``: the protocol it speaks."""

    protocol: int


class _RequestBase(TypedDict):
    id: int
    method: str


class Request(_RequestBase, total=False):
    """Front end -> kernel. ``params`` defaults to ``{}``."""

    params: dict[str, Any]


ErrorCode = Literal["bad_request", "unknown_method", "bad_params", "failed", "too_large"]


class ErrorBody(TypedDict):
    """Why a request failed: ``code`` for programs, ``message`` for people (bounded in length),
    ``method`` the method asked for (``None`` when the request named none usable)."""

    code: ErrorCode
    message: str
    method: str | None


class _ReplyBase(TypedDict):
    id: int | None  # None when the request carried no usable id


class Reply(_ReplyBase, total=False):
    """Kernel -> front end, answering the request with the same ``id``: ``result`` or ``error``."""

    result: Any
    error: ErrorBody


class Event(TypedDict):
    """Kernel -> front end, unprompted: a topic's current value."""

    topic: str
    data: Any


# --- methods: params and results ------------------------------------------------------------


class NoParams(TypedDict):
    """A method that takes no parameters."""


class SubscribeParams(TypedDict):
    topics: list[str]


class SubscribeResult(TypedDict):
    """The topics this comm is now subscribed to (all of them, not only the new ones)."""

    topics: list[str]


class ServiceDescription(TypedDict):
    """What the kernel offers: ``describe``'s result."""

    protocol: int
    methods: list[str]
    topics: list[str]


class RunInfo(TypedDict):
    """A training run the kernel wrote, or found in a logdir it wrote to."""

    name: str
    logdir: str | None
    state: str  # running, finished, interrupted, failed; "unreadable" when its files cannot be read
    steps: int
    last: dict[str, WireFloat]  # latest value of each training metric
    # what could not be read (an unreadable run: why; a damaged one: each file, where, how much)
    warnings: list[str]


class _RunsParamsBase(TypedDict):
    pass


class RunsParams(_RunsParamsBase, total=False):
    """``logdir``: list that folder's runs too (default: this kernel's runs and their logdirs)."""

    logdir: str


class RunsUpdate(TypedDict):
    """The ``runs`` topic and the ``runs.list`` result."""

    runs: list[RunInfo]


class CheckpointInfo(TypedDict):
    """The newest checkpoint of a folder the kernel saved to or resumed from."""

    folder: str
    name: str  # ckpt-<step>
    step: int
    epoch: int
    time: float  # seconds since the epoch, when it was saved
    size: int  # bytes
    count: int  # checkpoints kept in the folder
    damaged: int  # checkpoints set aside as damaged
    run: str | None  # the live-curves run it fed


class CheckpointsUpdate(TypedDict):
    """The ``checkpoints`` topic and the ``checkpoints.list`` result."""

    checkpoints: list[CheckpointInfo]


class ProfileInfo(TypedDict):
    """A profiler capture found in one of the notebook's logdirs (``profiles.list``)."""

    name: str  # as TensorBoard's profile plugin names it: "<run>/<time>"
    folder: str  # the capture's folder (what ``profiles.open`` takes)
    run: str  # the TensorBoard run holding it, relative to its logdir
    when: str  # "2026-12-01 15:38:09"
    steps: str | None  # the steps captured ("11-15"), when known
    size: int  # bytes of its .xplane.pb files
    source: str  # what made it: "fit", "loop", "profile", "" (another tool)
    verdict: str | None  # the verdict's headline, for captures this kernel has read


class PendingCapture(TypedDict):
    """A capture under way: who made it and its state (capturing, converting)."""

    label: str
    state: str


class _ProfilesParamsBase(TypedDict):
    pass


class ProfilesParams(_ProfilesParamsBase, total=False):
    """``logdir``: list that folder's captures too."""

    logdir: str


class ProfilesUpdate(TypedDict):
    """The ``profiles`` topic and the ``profiles.list`` result: newest first."""

    captures: list[ProfileInfo]
    pending: list[PendingCapture]


class ProfileOpenParams(TypedDict):
    """Open the capture in ``folder`` in a timeline view."""

    folder: str


class ProfileOpenResult(TypedDict):
    """The view to show (a widget model of the notebook's kernel), its title and verdict."""

    model_id: str
    title: str
    verdict: str


class _WorkerInfoBase(TypedDict):
    key: str  # "worker 0", "chief", "ps 0"
    role: str  # "worker", "chief", "ps (serves)"
    pid: int | None
    state: str  # starting, running, serving, finished, failed, killed, hung, stopped
    step: int
    latest: dict[str, WireFloat]  # its last metrics
    last_line: str  # the last line it printed
    problem: str  # why it failed, one sentence ("" when it did not)


class WorkerInfo(_WorkerInfoBase, total=False):
    """One worker of a launched job; ``tail``: its last lines (the job's live view only)."""

    tail: list[str]


class JobInfo(TypedDict):
    """A job ``workbench.launch`` started in this kernel."""

    id: str
    name: str
    backend: str  # "local", "ray"
    state: str  # starting, running, finished, failed, cancelled
    elapsed: float  # seconds since it started (to its end, once ended)
    run: str | None  # the run its chief's metrics go to
    error: str  # why it failed or was cancelled, naming the worker
    workers: list[WorkerInfo]


class JobsUpdate(TypedDict):
    """The ``jobs`` topic and the ``jobs.list`` result: this kernel's devices and its jobs,
    oldest first."""

    devices: list[DeviceInfo]
    jobs: list[JobInfo]


class JobCancelParams(TypedDict):
    """Cancel the job ``id`` (``jobs.cancel``)."""

    id: str


# --- the wire's float form ------------------------------------------------------------------


def wire_float(value: float) -> WireFloat:
    """``value`` as it travels: itself if finite, else ``"NaN"``, ``"inf"`` or ``"-inf"``."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return value


def jsonable(value: Any) -> Any:
    """``value`` with every non-finite float in its wire form (dicts, lists and tuples walked)."""
    if isinstance(value, float):
        return wire_float(value)
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value
