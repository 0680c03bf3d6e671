"""Messages on the ``workbench`` comm target, as the kernel and the JupyterLab extension see them.

The front end opens a comm on the target ``workbench`` and sends requests; the kernel answers each
request on the same comm, echoing its ``id``. The kernel may also push events at any time. Nothing
here imports TensorFlow: these are plain shapes, mirrored in ``extensions/src/protocol.ts``.
"""

from __future__ import annotations

from typing import Literal, TypedDict

PROTOCOL_VERSION = 1
COMM_TARGET = "workbench"


class DeviceInfo(TypedDict):
    """One device as TensorFlow names it, e.g. ``/physical_device:CPU:0``."""

    name: str
    device_type: str


class StatusResult(TypedDict):
    """What the side panel shows for a kernel: versions and devices."""

    workbench: str
    python: str
    tensorflow: str
    keras: str
    physical_devices: list[DeviceInfo]
    # Logical devices exist only once TensorFlow's runtime has started; listing them starts it,
    # which would forbid a later virtual-device split, so they are reported only when already
    # started (None otherwise).
    logical_devices: list[DeviceInfo] | None


class RunInfo(TypedDict):
    """A training run the kernel wrote, or found in a logdir it wrote to."""

    name: str
    logdir: str | None
    state: str  # running, finished, interrupted, failed; "unreadable" when its files cannot be read
    steps: int
    last: dict[str, float]  # latest value of each training metric


class KernelStatus(StatusResult):
    """A kernel's status over the comm: the above plus how its cells compile and its runs."""

    compile_mode: Literal["eager", "function", "xla"]  # for cells without %%compile
    tf_debug: bool  # every tf.function runs eagerly
    runs: list[RunInfo]


class Request(TypedDict):
    """Front end -> kernel."""

    id: int
    method: Literal["status"]


class ErrorBody(TypedDict):
    message: str


class _ReplyId(TypedDict):
    id: int


class Reply(_ReplyId, total=False):
    """Kernel -> front end, answering the request with the same ``id``: ``result`` or ``error``."""

    result: KernelStatus
    error: ErrorBody


class Event(TypedDict):
    """Kernel -> front end, unprompted (e.g. the devices changed)."""

    event: Literal["status"]
    data: KernelStatus
