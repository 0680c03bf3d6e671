"""One process of a launched job: ``python -m workbench.distribute.worker``.

It reads its job from stdin (a cloudpickled :class:`Payload`), connects to the kernel's listener
(``context.ENV_ADDRESS``), says hello and beats, then runs the user's function (or script) and
sends its result or its error with the traceback; or, for the serving tasks of a
parameter-server job, serves until it is killed. It dies with the kernel: it asks Linux to kill
it when its parent goes (``PR_SET_PDEATHSIG``), and exits when the connection to the kernel breaks.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import ctypes.util
import os
import runpy
import signal
import socket
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.distribute import context, wire
from workbench.distribute.devices import VIRTUAL_DEVICES_ENV

ENV_PARENT = "WORKBENCH_JOB_PARENT"  # the kernel's pid: a worker whose parent changed exits
ENV_DEATHSIG = "WORKBENCH_JOB_DEATHSIG"  # "1": die with the parent (spawned by its main thread)
LOST = 75  # exit code when the kernel is gone


@dataclass
class Payload:
    """What a task runs: ``fn(*args, **kwargs)``, a script with its arguments, or (neither) a
    ``tf.distribute.Server``."""

    fn: Any = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    script: str | None = None
    argv: list[str] = field(default_factory=list)


class TcpTransport:
    """Frames on a TCP connection to the kernel's listener."""

    def __init__(self, address: str) -> None:
        host, port = address.rsplit(":", 1)
        self._socket = socket.create_connection((host, int(port)), timeout=30)

    def send(self, message: Mapping[str, Any]) -> None:
        self._socket.sendall(wire.encode(dict(message)))

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the kernel closed it first
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the thread that spawned it exits (the kernel's main
    thread), then check the parent did not go before the request took effect."""
    parent = int(os.environ.get(ENV_PARENT, "0") or 0)
    if os.environ.get(ENV_DEATHSIG) == "1" and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if parent and os.getppid() != parent:
        os._exit(LOST)


def _lost() -> None:
    # the kernel is gone: nothing would read our result, and nobody would stop us
    os._exit(LOST)


def _pickled(value: Any) -> str:
    import cloudpickle

    return base64.b64encode(cloudpickle.dumps(value)).decode()


def failure(error: BaseException) -> wire.Failure:
    """An exception as the kernel receives it: type, message, traceback, pickled if possible."""
    kind = type(error)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    try:
        pickled: str | None = _pickled(error)
    except Exception:  # noqa: BLE001 - an exception that does not pickle still travels as text
        pickled = None
    return wire.Failure(
        type="error",
        error_type=name,
        message=str(error),
        traceback="".join(traceback.format_exception(error)),
        pickle=pickled,
    )


def _serve() -> None:
    """A parameter-server job's worker or ps: serve the chief until killed."""
    import tensorflow as tf

    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    server = tf.distribute.Server(
        resolver.cluster_spec(),
        job_name=resolver.task_type,
        task_index=resolver.task_id,
        protocol=resolver.rpc_layer or "grpc",
        start=True,
    )
    server.join()


def _run(payload: Payload) -> Any:
    if payload.script is not None:
        sys.argv = [payload.script, *payload.argv]
        runpy.run_path(payload.script, run_name="__main__")
        return None
    return payload.fn(*payload.args, **payload.kwargs)


def main() -> None:
    _die_with_parent()
    raw = sys.stdin.buffer.read()
    task = os.environ[context.ENV_TASK]
    channel = context.Channel(TcpTransport(os.environ[context.ENV_ADDRESS]), _lost)
    channel.send(
        wire.Hello(type="hello", token=os.environ[context.ENV_TOKEN], task=task, pid=os.getpid())
    )
    chief = os.environ.get(context.ENV_CHIEF) == "1"
    context.set_current(context.JobContext(task=task, chief=chief, channel=channel))
    code = 0
    try:
        import cloudpickle

        payload: Payload = cloudpickle.loads(raw)  # may import the function's modules
        split = os.environ.get(VIRTUAL_DEVICES_ENV)
        if split:
            from workbench.distribute.devices import virtual_devices

            virtual_devices(int(split))
        if payload.fn is None and payload.script is None:
            channel.send(wire.Phase(type="phase", phase="serving"))
            _serve()
            result = None
        else:
            channel.send(wire.Phase(type="phase", phase="running"))
            result = _run(payload)
        message: wire.Result | wire.Failure = wire.Result(type="result", pickle=_pickled(result))
    except SystemExit as stop:  # a script's sys.exit(0) is a success
        if stop.code in (None, 0):
            message = wire.Result(type="result", pickle=_pickled(None))
        else:
            message, code = failure(stop), 1
    except BaseException as error:  # noqa: BLE001 - everything the function raised goes to the kernel
        message, code = failure(error), 1
    try:
        channel.send(message)
    except ValueError as error:  # a result too big for a frame is the worker's error
        channel.send(failure(error))
        code = 1
    channel.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # not a normal exit: TensorFlow's collective threads can hold a finished process for seconds
    os._exit(code)


if __name__ == "__main__":
    main()
