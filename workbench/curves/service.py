"""The ``runs`` topic and the ``runs.list`` method: the runs of this kernel and their logdirs.

The run feed tells the registry when a run starts, progresses (at most every
``registry.PROGRESS_EVERY`` seconds) and ends; the registry's listener publishes the topic, which
the service computes on its own thread, never the training thread. Until a run is started the
curves' run store is not even imported for this.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench._protocol import RunInfo, RunsParams, RunsUpdate, wire_float
from workbench.curves import registry
from workbench.service import service


def _list(params: RunsParams | None = None) -> RunsUpdate:
    logdir = (params or {}).get("logdir")
    if logdir is None and "workbench.curves.runs" not in sys.modules and not registry.runs():
        return RunsUpdate(runs=[])
    from workbench.curves.runs import kernel_runs

    summaries = kernel_runs([Path(logdir)] if logdir is not None else None)
    return RunsUpdate(
        runs=[
            RunInfo(
                name=s.name,
                logdir=None if s.logdir is None else str(s.logdir),
                state=s.state,
                steps=s.steps,
                last={k: wire_float(v) for k, v in s.last.items()},
                warnings=([s.problem] if s.problem else []) + list(s.warnings),
            )
            for s in summaries
        ]
    )


def _publish() -> None:
    service.publish("runs")


service.method("runs.list", _list, RunsParams)
service.topic("runs", _list)
registry.on_change(_publish)
