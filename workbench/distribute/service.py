"""The ``jobs`` topic, ``jobs.list`` and ``jobs.cancel``: this kernel's devices and the jobs it
launched (each worker's state and step), for the side panel's Jobs section.

``distribute.jobs`` tells when a job starts or ends at once and of its progress at most every
``jobs.PROGRESS_EVERY`` seconds; the topic is computed on the service's thread. Devices are the
logical ones once TensorFlow's runtime started (listing them earlier would start it and forbid a
virtual-device split), else the physical ones TensorFlow sees, else none (not imported).
"""

from __future__ import annotations

import sys

from workbench._protocol import (
    JobCancelParams,
    JobInfo,
    JobsUpdate,
    NoParams,
    WorkerInfo,
    wire_float,
)
from workbench.distribute import devices, jobs
from workbench.distribute.job_state import JobSnapshot
from workbench.service import RequestError, service

LINE_CHARS = 300  # of a worker's last line, on the wire


def job_info(snap: JobSnapshot, tails: list[list[str]] | None = None) -> JobInfo:
    """A job's snapshot as the wire carries it; ``tails``: each worker's last lines (the view)."""
    workers = []
    for index, w in enumerate(snap.workers):
        info = WorkerInfo(
            key=w.key,
            role=w.role,
            pid=w.pid,
            state=w.state,
            step=w.step,
            latest={k: wire_float(v) for k, v in w.latest.items()},
            last_line=w.last_line[:LINE_CHARS],
            problem=w.problem,
        )
        if tails is not None:
            info["tail"] = [line[:LINE_CHARS] for line in tails[index]]
        workers.append(info)
    return JobInfo(
        id=snap.id,
        name=snap.name,
        backend=snap.backend,
        state=snap.state,
        elapsed=round(snap.elapsed, 1),
        run=snap.run,
        error=snap.error,
        workers=workers,
    )


def _devices() -> list[devices.DeviceInfo]:
    if "tensorflow" not in sys.modules:
        return []
    if devices.runtime_started():
        return devices.devices()
    return devices.physical_devices()


def _list(params: NoParams | None = None) -> JobsUpdate:
    return JobsUpdate(
        devices=_devices(), jobs=[job_info(job.snapshot()) for job in jobs.all_jobs()]
    )


def _cancel(params: JobCancelParams) -> JobInfo:
    job = jobs.find(params["id"])
    if job is None:
        known = [j.id for j in jobs.all_jobs()]
        raise RequestError(
            "bad_params", f"Expected a job among {known}. Received: {params['id']!r}"
        )
    job.cancel("cancelled from the side panel")
    return job_info(job.snapshot())


def _publish() -> None:
    service.publish("jobs")


service.method("jobs.list", _list)
service.method("jobs.cancel", _cancel, JobCancelParams)
service.topic("jobs", _list, jobs.version)
jobs.on_change(_publish)
