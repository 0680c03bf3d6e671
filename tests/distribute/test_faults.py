"""A job's faults, each reported naming its worker within a stated bound, and each leaving no
process and no port behind: a worker killed, a worker stopped, ``job.cancel()``, and the
launching cell interrupted."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.distribute import jobfns
from workbench.distribute.errors import JobCancelled, WorkerError, WorkerHung
from workbench.distribute.launcher import start_job

pytestmark = [pytest.mark.multiworker, pytest.mark.timeout(240)]

# Bounds: a killed worker's exit is seen by the job's monitor within its tick (0.1 s) and its
# peer's collective fails within ~1 s; a stopped one is silent for hang_timeout. Each bound
# adds seconds for a loaded 2-core machine: they are what a user waits, not a benchmark.
KILL_BOUND = 5.0
HANG_TIMEOUT = 5.0
HANG_BOUND = HANG_TIMEOUT + 5.0
STEPS = {"epochs": 1, "steps": 100000}  # trains until stopped


def test_a_killed_worker_is_blamed_and_its_peer_stopped(tmp_path: Path) -> None:
    job = start_job(jobfns.train, 2, kwargs=STEPS, logdir=tmp_path)
    jobfns.wait_for_steps(job, 5)
    killed = job.workers[1]
    assert killed.pid is not None
    os.kill(killed.pid, signal.SIGKILL)
    start = time.monotonic()
    with pytest.raises(WorkerError) as raised:
        job.wait(timeout=60)
    took = time.monotonic() - start
    assert took < KILL_BOUND, took
    assert raised.value.worker == "worker 1"
    assert "worker 1 was killed by SIGKILL at step" in str(raised.value)
    assert job.state == "failed"
    assert killed.state == "killed"
    assert job.workers[0].state in ("stopped", "failed")  # not left running
    jobfns.assert_nothing_left(job)


def test_a_stopped_worker_is_reported_as_hung(tmp_path: Path) -> None:
    job = start_job(jobfns.train, 2, kwargs=STEPS, logdir=tmp_path, hang_timeout=HANG_TIMEOUT)
    jobfns.wait_for_steps(job, 5)
    stopped = job.workers[0]
    assert stopped.pid is not None
    os.kill(stopped.pid, signal.SIGSTOP)
    start = time.monotonic()
    try:
        with pytest.raises(WorkerHung) as raised:
            job.wait(timeout=60)
    finally:
        if not job.done:
            os.kill(stopped.pid, signal.SIGCONT)
    took = time.monotonic() - start
    assert took < HANG_BOUND, took
    assert raised.value.worker == "worker 0"
    message = str(raised.value)
    assert message.startswith("worker 0 stopped responding: no heartbeat for "), message
    assert "its process is stopped" in message
    jobfns.assert_nothing_left(job)  # a stopped process is killed too


def test_cancel_stops_every_worker() -> None:
    job = start_job(jobfns.count, 2, logdir=None)
    jobfns.wait_for_steps(job, 3)
    job.cancel()
    assert job.done
    assert job.state == "cancelled"
    with pytest.raises(JobCancelled, match="was cancelled"):
        job.wait(timeout=5)
    assert [w.state for w in job.workers] == ["stopped", "stopped"]
    jobfns.assert_nothing_left(job)
    job.cancel()  # again: nothing happens


def test_interrupting_the_waiting_cell_stops_every_worker() -> None:
    job = start_job(jobfns.count, 2, logdir=None)
    jobfns.wait_for_steps(job, 3)
    # the kernel's interrupt: SIGINT to the kernel process alone (workers have sessions of their
    # own, so it reaches them only through the job)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        job.wait()
    timer.join()
    assert job.state == "cancelled"
    assert "the cell waiting for it was interrupted" in str(job.exception())
    jobfns.assert_nothing_left(job)


def test_a_worker_that_raises_fails_the_job_with_its_traceback() -> None:
    job = start_job(jobfns.count, 2, kwargs={"steps": "three"}, logdir=None)
    with pytest.raises(TypeError) as raised:
        job.wait(timeout=60)
    assert "(raised in worker 0 of the job)" in getattr(raised.value, "__notes__", [""])[0] or (
        "(raised in worker 1 of the job)" in raised.value.__notes__[0]
    )
    assert "in count" in str(raised.value.__cause__)  # the remote traceback
    jobfns.assert_nothing_left(job)


def test_workers_die_with_a_killed_kernel() -> None:
    """A kernel killed outright (no atexit, no cancel) takes its workers with it."""
    import subprocess
    import sys

    import psutil

    code = """
import os, signal, sys, time
import cloudpickle
from tests.distribute import jobfns
cloudpickle.register_pickle_by_value(jobfns)
from workbench.distribute.launcher import start_job
job = start_job(jobfns.count, 2, logdir=None)
jobfns.wait_for_steps(job, 2)
print(" ".join(str(w.pid) for w in job.workers), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    kernel = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert kernel.returncode == -signal.SIGKILL, kernel.stderr
    pids = [int(p) for p in kernel.stdout.split()]
    assert len(pids) == 2, kernel.stdout
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in pids):
        time.sleep(0.1)
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert not alive, f"workers outlived their kernel: {alive}"
