"""The worker's side of a launched job: which task this process is, and the channel its metrics,
heartbeats and result reach the kernel by.

``workbench.fit`` reports each step's metrics here by itself; a custom loop calls
:func:`report`. Outside a launched job both do nothing, so the same function runs in a notebook
and in a job. Nothing here blocks the training thread on the network: points wait in a list
that a daemon thread sends every ``FLUSH`` seconds, beside the heartbeat.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from workbench.distribute import wire

FLUSH = 0.1  # seconds between sends of logged points

ENV_ADDRESS = "WORKBENCH_JOB_ADDRESS"  # 127.0.0.1:<port> of the kernel's listener
ENV_TOKEN = "WORKBENCH_JOB_TOKEN"  # the job's secret, sent in the hello
ENV_TASK = "WORKBENCH_JOB_TASK"  # "worker 0", "chief", "ps 0"
ENV_CHIEF = "WORKBENCH_JOB_CHIEF"  # "1" in the task that writes the job's files


class Transport(Protocol):
    """Carries one message to the kernel; raises ``OSError`` when the kernel is gone."""

    def send(self, message: Mapping[str, Any]) -> None: ...
    def close(self) -> None: ...


class Channel:
    """Messages to the kernel: points batched, heartbeats every ``wire.BEAT`` seconds.

    Args:
        transport: how messages travel (a TCP connection, a Ray queue).
        on_lost: called (on the channel's thread) when a send fails: the kernel is gone.
    """

    def __init__(self, transport: Transport, on_lost: Callable[[], None]) -> None:
        self._transport = transport
        self._on_lost = on_lost
        self._pending: list[Any] = []
        self._output: list[str] = []
        self._lock = threading.Lock()  # the pending points and output
        self._send_lock = threading.Lock()  # one message at a time on the transport
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="workbench-job-channel", daemon=True)
        self._thread.start()

    def point(
        self,
        step: int,
        metrics: Mapping[str, float],
        split: str = "train",
        kind: str = "batch",
        epoch: int | None = None,
    ) -> None:
        """Queue one point for the next send (microseconds, never the network)."""
        values = {name: float(value) for name, value in metrics.items()}
        with self._lock:
            self._pending.append([int(step), split, kind, epoch, values])

    def output(self, text: str) -> None:
        """Queue printed text for the next send (for backends that do not pipe the output)."""
        with self._lock:
            self._output.append(text)

    def send(self, message: Mapping[str, Any]) -> bool:
        """Send ``message`` now, after the points queued before it; False if the kernel is gone."""
        self._flush()
        return self._send(message)

    def close(self) -> None:
        """Send what is queued and stop the heartbeat."""
        self._closed.set()
        self._flush()
        self._thread.join(timeout=2)
        self._transport.close()

    def _run(self) -> None:
        next_beat = 0.0
        while not self._closed.wait(FLUSH):
            if not self._flush():
                return
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + wire.BEAT
                if not self._send(wire.Beat(type="beat")):
                    return

    def _flush(self) -> bool:
        with self._lock:
            points, self._pending = self._pending, []
            output, self._output = self._output, []
        if output and not self._send(wire.Log(type="log", text="".join(output))):
            return False
        if not points:
            return True
        return self._send(wire.Points(type="points", points=points))

    def _send(self, message: Mapping[str, Any]) -> bool:
        try:
            with self._send_lock:
                self._transport.send(message)
        except OSError:
            if not self._closed.is_set():
                self._on_lost()
            return False
        return True


@dataclass
class JobContext:
    """This process's task in a launched job."""

    task: str  # "worker 0", "chief", "ps 0"
    chief: bool  # writes the job's files (checkpoints, the run)
    channel: Channel | None


_current: JobContext | None = None


def current() -> JobContext | None:
    """The launched job this process is a task of, or None (a notebook, a script)."""
    return _current


def set_current(context: JobContext | None) -> None:
    global _current
    _current = context


def is_chief() -> bool:
    """Whether this process writes files: True outside a job, or in the job's chief task."""
    if _current is not None:
        return _current.chief
    return os.environ.get(ENV_CHIEF, "1") == "1"


def report(step: int, *, split: str = "train", **metrics: float) -> bool:
    """Send metrics of a custom training loop to the job's live view and run.

    ``workbench.fit`` reports by itself; call this from a loop of your own, in the function a
    job runs. The chief's points become the job's run (curves, the panel's Runs); every worker's
    latest values show in its row of the job's view.

    Args:
        step: the global step (1 after the first).
        split: ``"train"`` or ``"validation"``.
        **metrics: metric name -> value.

    Returns:
        Whether the point went to a job (False outside one: nothing happens).

    Example:
        >>> def train():
        ...     for step in range(1, 101):
        ...         loss = train_step()
        ...         workbench.distribute.report(step, loss=float(loss))
        >>> job = workbench.launch(train, workers=2)
    """
    context = _current
    if context is None or context.channel is None:
        return False
    context.channel.point(step, metrics, split=split)
    return True


def plan(epochs: int | None, steps: int | None) -> None:
    """Tell the job what the training expects (epochs, total steps), for the progress line."""
    context = _current
    if context is not None and context.channel is not None:
        context.channel.send(wire.Plan(type="plan", epochs=epochs, steps=steps))


def log_point(
    step: int,
    metrics: Mapping[str, float],
    *,
    split: str = "train",
    kind: str = "batch",
    epoch: int | None = None,
) -> None:
    """``report`` for the loops of this package: per-epoch points too."""
    context = _current
    if context is not None and context.channel is not None:
        context.channel.point(step, metrics, split=split, kind=kind, epoch=epoch)
