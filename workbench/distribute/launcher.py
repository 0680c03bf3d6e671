"""Starting a job: its tasks, what each one runs, its run and its backend; no views.

``workbench.launch`` (``widgets/launch.py``) is this plus the live view; tests and scripts call
:func:`start_job` directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from workbench.curves.feed import Feed, Observer
from workbench.curves.start import start_run
from workbench.distribute.cluster import Task, plan_tasks
from workbench.distribute.job import Job, JobObserver
from workbench.distribute.worker import Payload

BACKENDS = ("local", "ray")


def start_job(
    fn: Callable[..., Any] | str | os.PathLike[str],
    workers: int = 2,
    *,
    ps: int = 0,
    backend: Literal["local", "ray"] = "local",
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    logdir: str | os.PathLike[str] | None = "runs",
    name: str | None = None,
    hang_timeout: float = 10.0,
    start_timeout: float = 120.0,
    address: str | None = None,
    observers: Iterable[JobObserver] = (),
    run_observers: Iterable[Observer] = (),
    before_start: Callable[[Job], None] | None = None,
) -> Job:
    """Start ``fn`` (or a script) on ``workers`` workers; see ``workbench.launch``.

    ``before_start`` is called with the job before any worker starts (a view attaches there).
    """
    if backend not in BACKENDS:
        raise ValueError(f"Expected backend to be one of {list(BACKENDS)}. Received: {backend!r}")
    if hang_timeout <= 0 or start_timeout <= 0:
        raise ValueError(
            "Expected hang_timeout and start_timeout > 0 seconds. "
            f"Received: hang_timeout={hang_timeout!r}, start_timeout={start_timeout!r}"
        )
    if backend == "ray" and ps:
        raise ValueError(
            f"Expected ps=0 with backend='ray' (Ray Train runs workers only). Received: ps={ps}"
        )
    payload = _payload(fn, args, kwargs)
    # Ray Train picks its workers' ports itself
    tasks = plan_tasks(workers, ps, ports=[0] * workers if backend == "ray" else None)
    path = Path(logdir) if logdir is not None else None
    base = name or datetime.now().strftime("job-%Y%m%d-%H%M%S")
    run = start_run(base, path)
    job = Job(
        run.name,
        tasks,
        backend=backend,
        run_name=run.name if path is not None else None,
        observers=observers,
        hang_timeout=hang_timeout,
        start_timeout=start_timeout,
        log_dir=None if run.path is None else run.path / "logs",
    )
    if before_start is not None:  # the job's view first, then the run's curves below it
        before_start(job)
    job.sink = Feed(
        run,
        source=f"job {run.name}",
        observers=run_observers,
        report=lambda line: job.note(line),
    )
    empty = _pickle(Payload())
    payloads = {t.key: payload if t.runs_fn else empty for t in tasks}
    if backend == "ray":
        from workbench.distribute.ray_backend import RayBackend

        ray_backend = RayBackend(job, tasks, payload, env=env, address=address)
        job.attach(ray_backend)
        ray_backend.start()
        return job
    from workbench.distribute.local import LocalBackend

    local = LocalBackend(job, tasks, payloads, env=env)
    job.attach(local)
    try:
        local.start()
    except OSError as error:
        job.cancel(f"not started: {error}")
        raise
    return job


def _payload(
    fn: Callable[..., Any] | str | os.PathLike[str],
    args: Sequence[Any],
    kwargs: Mapping[str, Any] | None,
) -> bytes:
    if isinstance(fn, str | os.PathLike):
        script = Path(fn)
        if not script.is_file():
            raise FileNotFoundError(f"Expected a Python script to launch. Received: {str(fn)!r}")
        return _pickle(Payload(script=str(script.resolve()), argv=[str(a) for a in args]))
    if not callable(fn):
        raise TypeError(f"Expected a function or a script path. Received: {fn!r}")
    return _pickle(Payload(fn=fn, args=tuple(args), kwargs=dict(kwargs or {})))


def _pickle(payload: Payload) -> bytes:
    import cloudpickle

    try:
        return bytes(cloudpickle.dumps(payload))
    except Exception as error:  # whatever the function holds that cannot travel: say what
        raise TypeError(
            "Expected a function (and arguments) that can be sent to worker processes. Received: "
            f"{payload.fn!r}, which cloudpickle cannot pickle: {type(error).__name__}: {error}. "
            "Build models and datasets inside the function, not in the notebook."
        ) from error


__all__ = ["BACKENDS", "Task", "start_job"]
