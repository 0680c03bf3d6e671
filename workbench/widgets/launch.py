"""``workbench.launch``: a function of the notebook (or a script) on several worker processes, with
its live view in the cell: the job's workers, and the chief's curves."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from workbench.distribute.job import Job
from workbench.distribute.launcher import start_job


def launch(
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
    display: bool = True,
) -> Job:
    """Run ``fn(*args, **kwargs)`` (or a script) on ``workers`` worker processes; return at once.

    Each worker gets a ``TF_CONFIG`` on free 127.0.0.1 ports, so ``workbench.strategy()`` in the
    function is the multi-worker strategy (or, with ``ps``, the parameter-server one) and
    ``workbench.fit`` trains under it. The function travels pickled by value (cloudpickle): build
    models and datasets inside it. The cell shows each worker's state, step, last metrics and
    output, and the chief's curves (``workbench.fit`` reports them; a custom loop calls
    ``workbench.report``); the chief's metrics are also a run in ``logdir``.

    The first fault ends the job and stops every worker: a worker's error (raised by
    ``job.wait()`` with its remote traceback), a worker killed or exited, one silent for
    ``hang_timeout`` seconds (stopped, deadlocked), one never started. No worker outlives the
    job or the kernel.

    Args:
        fn: a function, or the path of a Python script (run as ``__main__``; ``args`` are its
            command-line arguments).
        workers: the processes that train (the multi-worker strategy's workers; with ``ps``, the
            parameter-server strategy's, and one more ``chief`` process runs ``fn``).
        ps: parameter servers (0: a multi-worker mirrored job).
        backend: ``"local"`` (processes of this machine) or ``"ray"`` (Ray Train's
            ``TensorflowTrainer``: ``pip install 'tf-workbench[ray]'``).
        args, kwargs: what ``fn`` is called with.
        env: extra environment variables of the workers.
        logdir: where the chief's run goes (None: in memory only).
        name: the job's (and its run's) name; default ``job-<date>-<time>``.
        hang_timeout: seconds without a heartbeat after which a worker is called hung.
        start_timeout: seconds a worker has to start.
        address: the Ray cluster (``backend="ray"``); default a local Ray for the job.
        display: show the live view in the cell.

    Returns:
        The :class:`~workbench.distribute.job.Job`: ``job.wait()`` returns each worker's result;
        ``job.cancel()`` stops it; interrupting a cell that waits for it stops it too.

    Example:
        >>> def train():
        ...     strategy = workbench.strategy()
        ...     with strategy.scope():
        ...         model = make_model()
        ...     return workbench.fit(model, dataset(), epochs=3).history
        >>> job = workbench.launch(train, workers=2)
        >>> histories = job.wait()
    """
    views: list[Any] = []
    run_observers: list[Any] = []
    if display:
        from workbench.widgets.live import LiveView

        run_observers.append(LiveView(show=True))

    def attach(job: Job) -> None:
        if display:
            from workbench.widgets.job_view import JobView

            view = JobView(job)
            job.observers.append(view)
            views.append(view)
            view.show()

    return start_job(
        fn,
        workers,
        ps=ps,
        backend=backend,
        args=args,
        kwargs=kwargs,
        env=env,
        logdir=logdir,
        name=name,
        hang_timeout=hang_timeout,
        start_timeout=start_timeout,
        address=address,
        run_observers=run_observers,
        before_start=attach,
    )
