"""What a launched job raises: a worker's own error with its remote traceback, or why a worker
stopped without one (killed, hung, never started), naming the worker."""

from __future__ import annotations

import base64
from typing import Any


class RemoteTraceback(Exception):
    """The traceback of an error raised in a worker process, as its ``__cause__``.

    IPython and Python print it above the error, as ``concurrent.futures`` does for errors of
    its worker processes.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text.rstrip()}\n"""'


class WorkerError(RuntimeError):
    """A worker of a job failed, or the job could not run.

    Raised by ``Job.wait()`` when a worker's own error cannot be raised as itself (it could not
    be unpickled), when a worker died without an error of its own (killed by a signal, exited),
    or never started. ``worker`` names it (``"worker 1"``), ``None`` when the job as a whole failed.
    """

    def __init__(self, message: str, worker: str | None = None) -> None:
        super().__init__(message)
        self.worker = worker

    def _render_traceback_(self) -> list[str]:
        lines = [f"{type(self).__name__}: {self}"]
        cause = self.__cause__
        if isinstance(cause, RemoteTraceback):
            lines[:0] = [cause.text.rstrip(), "", "The above error happened in the worker."]
        return lines


class WorkerHung(WorkerError):
    """A worker stopped responding: no heartbeat for the job's ``hang_timeout``, or its peers'
    collective operations timed out waiting for it."""


class JobCancelled(WorkerError):
    """The job was cancelled (``job.cancel()``, the panel's Cancel, or an interrupted cell)."""


def remote_error(message: str, worker: str, failure: dict[str, Any]) -> BaseException:
    """A worker's exception, as raised there, its remote traceback as the cause; a
    :class:`WorkerError` saying ``message`` when it cannot be rebuilt here."""
    traceback_text = str(failure.get("traceback", ""))
    error: BaseException | None = None
    pickled = failure.get("pickle")
    if pickled:
        try:
            import cloudpickle

            error = cloudpickle.loads(base64.b64decode(pickled))
        except Exception:  # noqa: BLE001 - a class this kernel cannot import: say it in words instead
            error = None
    if not isinstance(error, BaseException):
        error = WorkerError(message, worker)
    elif hasattr(error, "add_note"):
        error.add_note(f"(raised in {worker} of the job)")
    error.__cause__ = RemoteTraceback(traceback_text)
    return error
