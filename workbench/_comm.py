"""The kernel's end of the ``workbench`` comm target: requests from the JupyterLab extension.

The front end opens a comm and sends ``{"id", "method"}`` requests (``workbench._protocol``); each
gets one reply with the same ``id``. Methods are plain Python functions: the comm only routes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workbench._protocol import (
    COMM_TARGET,
    PROTOCOL_VERSION,
    Event,
    KernelStatus,
    Reply,
    RunInfo,
)

log = logging.getLogger(__name__)


def _status() -> KernelStatus:
    from workbench.compile.modes import default_mode, tf_debug
    from workbench.system import status

    return KernelStatus(**status(), compile_mode=default_mode(), tf_debug=tf_debug(), runs=_runs())


def _runs() -> list[RunInfo]:
    """This kernel's runs (from memory), then the other runs of the logdirs it wrote to (their
    state, steps and last values from their files: ``curves.runs``, which reuses what it read
    while a run's files stay unchanged).

    Only if a run was started: the curves modules are not imported for this.
    """
    registry = sys.modules.get("workbench.curves.registry")
    if registry is None:
        return []
    from workbench.curves.runs import run_folders, summarize, summary_of

    runs: list[RunInfo] = []
    seen: set[tuple[str | None, str]] = set()
    for run in reversed(registry.runs()):
        logdir = None if run.logdir is None else str(run.logdir)
        if (logdir, run.name) in seen:
            continue  # an older run of the same folder
        seen.add((logdir, run.name))
        summary = summary_of(run, run.path or Path(run.name))
        runs.append(_info(logdir, summary))
    for logdir in dict.fromkeys(r["logdir"] for r in runs if r["logdir"] is not None):
        assert logdir is not None
        try:
            folders = run_folders(Path(logdir))
        except OSError:
            continue
        for folder in folders:
            if (logdir, folder.name) in seen:
                continue
            try:
                other = summarize(folder)
            except (OSError, ValueError) as exc:  # a damaged file: list the run, say so
                log.warning("workbench: cannot read run %s: %s", folder, exc)
                runs.append(
                    RunInfo(name=folder.name, logdir=logdir, state="unreadable", steps=0, last={})
                )
                continue
            runs.append(_info(logdir, other))
    return runs


def _info(logdir: str | None, summary: Any) -> RunInfo:
    return RunInfo(
        name=summary.name,
        logdir=logdir,
        state=summary.state,
        steps=summary.steps,
        last=summary.last,
    )


METHODS: dict[str, Callable[[], Any]] = {"status": _status}

_open: dict[str, Any] = {}  # comm_id -> comm, for pushing events
_last_pushed: tuple[object, ...] | None = None


def register(comm_manager: Any) -> None:
    comm_manager.register_target(COMM_TARGET, _on_open)


def unregister(comm_manager: Any) -> None:
    comm_manager.unregister_target(COMM_TARGET, _on_open)
    for comm in list(_open.values()):
        comm.close()
    _open.clear()


def _on_open(comm: Any, open_msg: dict[str, Any]) -> None:
    version = open_msg["content"]["data"].get("protocol")
    if version != PROTOCOL_VERSION:
        log.warning(
            "workbench: the JupyterLab extension speaks protocol %r, this kernel %r; "
            "reinstall tf-workbench so both match",
            version,
            PROTOCOL_VERSION,
        )
        comm.close({"error": f"Expected protocol {PROTOCOL_VERSION}. Received: {version!r}"})
        return
    _open[comm.comm_id] = comm
    comm.on_msg(lambda msg: comm.send(handle(msg["content"]["data"])))
    comm.on_close(lambda _msg: _open.pop(comm.comm_id, None))


def handle(request: dict[str, Any]) -> Reply:
    """Answer one request; every failure becomes an ``error`` reply, never an exception."""
    request_id = request.get("id", -1)
    method = METHODS.get(request.get("method", ""))
    if method is None:
        return Reply(
            id=request_id,
            error={
                "message": f"Expected method to be one of {sorted(METHODS)}. "
                f"Received: {request.get('method')!r}"
            },
        )
    try:
        result = method()
    # The panel must hear about any failure (a broken TensorFlow install raises anything from
    # ImportError to RuntimeError); the kernel must not crash on it.
    except Exception as exc:
        log.exception("workbench: %s request failed", request.get("method"))
        return Reply(id=request_id, error={"message": f"{type(exc).__name__}: {exc}"})
    return Reply(id=request_id, result=result)


def push_status() -> None:
    """Tell open panels the kernel's status now (a run started, progressed or ended).

    A live run calls this at most every ``registry.PROGRESS_EVERY`` seconds.
    """
    if not _open or "tensorflow" not in sys.modules:
        return
    event = Event(event="status", data=_status())
    for comm in list(_open.values()):
        comm.send(event)


def push_status_if_changed() -> None:
    """After a cell: tell open panels when TensorFlow was imported, its runtime started, or
    the compile mode or tf_debug changed.

    Costs a few look-ups per cell unless something changed.
    """
    global _last_pushed
    if not _open:
        return
    from workbench.compile.modes import default_mode, tf_debug
    from workbench.distribute.devices import runtime_started

    state = ("tensorflow" in sys.modules, runtime_started(), default_mode(), tf_debug())
    if state == _last_pushed or not state[0]:
        _last_pushed = state
        return
    _last_pushed = state
    event = Event(event="status", data=_status())
    for comm in list(_open.values()):
        comm.send(event)
