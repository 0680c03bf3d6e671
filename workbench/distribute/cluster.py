"""The tasks of a launched job and the ``TF_CONFIG`` each one gets.

A job with ``ps == 0`` is a multi-worker mirrored job: ``workers`` processes all run the user's
function, worker 0 is the chief. A job with ``ps > 0`` is a parameter-server job: one ``chief``
process runs the function (the coordinator), and ``workers`` + ``ps`` processes serve
(``tf.distribute.Server``) until the chief is done. Every address is on 127.0.0.1, on a port the
operating system just handed out as free.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Literal

HOST = "127.0.0.1"

Role = Literal["chief", "worker", "ps"]


@dataclass(frozen=True)
class Task:
    """One process of a job: its ``TF_CONFIG`` task and what it runs."""

    type: Role
    index: int
    address: str  # "127.0.0.1:<port>"
    runs_fn: bool  # runs the user's function (else it serves: parameter-server workers and ps)

    @property
    def key(self) -> str:
        """How the job names it: ``"worker 0"``, ``"ps 0"``, ``"chief"``."""
        return "chief" if self.type == "chief" else f"{self.type} {self.index}"

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports on 127.0.0.1 that were free a moment ago.

    All sockets are held open until every port is known, so the ``n`` are distinct; another
    process may still take one before the worker binds it (the worker then fails with "address
    already in use", which the job reports).
    """
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            sockets.append(s)
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def plan_tasks(workers: int, ps: int = 0, ports: list[int] | None = None) -> list[Task]:
    """The tasks of a job of ``workers`` workers and ``ps`` parameter servers.

    Raises:
        ValueError: ``workers`` < 1 or ``ps`` < 0, or ``ports`` of the wrong length.
    """
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"Expected workers to be a positive integer. Received: {workers!r}")
    if not isinstance(ps, int) or isinstance(ps, bool) or ps < 0:
        raise ValueError(f"Expected ps to be an integer >= 0. Received: {ps!r}")
    count = workers + ps + (1 if ps else 0)
    ports = free_ports(count) if ports is None else ports
    if len(ports) != count:
        raise ValueError(f"Expected {count} ports. Received: {len(ports)}")
    addresses = iter(f"{HOST}:{port}" for port in ports)
    tasks: list[Task] = []
    if ps:
        tasks.append(Task("chief", 0, next(addresses), runs_fn=True))
    tasks += [Task("worker", i, next(addresses), runs_fn=not ps) for i in range(workers)]
    tasks += [Task("ps", i, next(addresses), runs_fn=False) for i in range(ps)]
    return tasks


def cluster_spec(tasks: list[Task]) -> dict[str, list[str]]:
    """``{"worker": [...], "ps": [...], "chief": [...]}`` of the tasks, by index."""
    spec: dict[str, list[str]] = {}
    for task in sorted(tasks, key=lambda t: (t.type, t.index)):
        spec.setdefault(task.type, []).append(task.address)
    return spec


def tf_config(tasks: list[Task], task: Task) -> str:
    """The ``TF_CONFIG`` value of ``task`` in the cluster of ``tasks`` (JSON)."""
    return json.dumps(
        {"cluster": cluster_spec(tasks), "task": {"type": task.type, "index": task.index}}
    )


def is_chief(task_type: str | None, index: int | None, has_chief: bool) -> bool:
    """Whether a task writes the job's files: the ``chief``, or worker 0 of a cluster without one
    (TensorFlow's rule)."""
    if task_type == "chief":
        return True
    return task_type == "worker" and index == 0 and not has_chief
