"""The Ray backend: a job's workers as Ray Train's ``TensorflowTrainer`` workers (Train V2), on a
running cluster (``address=``) or a local Ray started for the job (on 127.0.0.1, shut down after).

Ray carries everything: each worker puts its messages (hello, beats, points, output, result or
error) into a mailbox actor that a thread of the kernel drains into the job, and metrics the
workers give ``ray.train.report`` reach the mailbox through a callback on Ray Train's controller.
Stopping the job raises the mailbox's stop flag, which each worker checks with its heartbeat and
exits on (Ray Train then ends the run). Ray Train's TensorFlow backend sets
``TF_USE_LEGACY_KERAS=1`` in its workers, which would make ``tf.keras`` the absent ``tf_keras``:
the workers undo it before TensorFlow is imported, so ``tf.keras`` stays Keras 3.

Needs ``pip install tf-workbench[ray]``; on a remote cluster every node needs tf-workbench too.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from typing import Any

from workbench.distribute import context, wire
from workbench.distribute.cluster import Task
from workbench.distribute.job import Job
from workbench.distribute.local import process_stopped

TICK = 0.1


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ImportError(
            "Expected Ray for backend='ray'. Received: no module named 'ray'. Install it with "
            "pip install 'tf-workbench[ray]' (Ray Train 2.60 or newer)."
        ) from None
    return ray


class Mailbox:
    """The job's mailbox (a Ray actor): workers put, the kernel takes; and the stop flag."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []
        self.stop = False

    def put(self, key: str, message: dict[str, Any]) -> bool:
        self.items.append((key, message))
        return self.stop

    def take(self) -> list[tuple[str, dict[str, Any]]]:
        items, self.items = self.items, []
        return items

    def set_stop(self) -> None:
        self.stop = True


class MailboxTransport:
    """A worker's messages into the mailbox; a raised stop flag ends the worker."""

    def __init__(self, mailbox: Any, key: str) -> None:
        self.mailbox = mailbox
        self.key = key

    def send(self, message: Mapping[str, Any]) -> None:
        ray = _ray()
        try:
            stop = ray.get(self.mailbox.put.remote(self.key, dict(message)), timeout=30)
        except Exception as error:  # the actor is gone: so is the job
            raise OSError(f"the job's mailbox is gone: {error}") from error
        if stop:
            raise OSError("the job was stopped")

    def close(self) -> None:
        pass


class _Output:
    """A worker's stdout or stderr: written through, and sent to the kernel line by line."""

    def __init__(self, stream: Any, channel: context.Channel) -> None:
        self.stream = stream
        self.channel = channel

    def write(self, text: str) -> int:
        self.stream.write(text)
        if text:
            self.channel.output(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


def worker_loop(config: dict[str, Any]) -> None:
    """Ray Train's ``train_loop_per_worker``: run the job's function in this worker."""
    os.environ["TF_USE_LEGACY_KERAS"] = "0"  # Ray Train sets 1: keep tf.keras on Keras 3
    import base64

    import cloudpickle
    import ray.train

    from workbench.distribute.worker import failure

    if config.get("loopback"):  # a Ray of this machine alone: TensorFlow's traffic on 127.0.0.1
        os.environ["TF_CONFIG"] = _loopback(os.environ.get("TF_CONFIG", ""))
    rank = ray.train.get_context().get_world_rank()
    key = f"worker {rank}"
    channel = context.Channel(MailboxTransport(config["mailbox"], key), lambda: os._exit(75))
    channel.send(wire.Hello(type="hello", token=config["token"], task=key, pid=os.getpid()))
    context.set_current(context.JobContext(task=key, chief=rank == 0, channel=channel))
    os.environ[context.ENV_CHIEF] = "1" if rank == 0 else "0"
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Output(out, channel), _Output(err, channel)
    raised: BaseException | None = None
    try:
        payload = cloudpickle.loads(config["payload"])
        channel.send(wire.Phase(type="phase", phase="running"))
        result = payload.fn(*payload.args, **payload.kwargs)
        message: Any = wire.Result(
            type="result", pickle=base64.b64encode(cloudpickle.dumps(result)).decode()
        )
    except BaseException as error:  # noqa: BLE001 - sent to the kernel, then raised for Ray Train too
        message, raised = failure(error), error
    finally:
        sys.stdout, sys.stderr = out, err
    channel.send(message)
    channel.close()
    if raised is not None:
        raise raised


def _loopback(tf_config: str) -> str:
    """``TF_CONFIG`` with every worker's host replaced by 127.0.0.1 (Ray gives the node's IP)."""
    import json

    if not tf_config:
        return tf_config
    config = json.loads(tf_config)
    for kind, addresses in config.get("cluster", {}).items():
        config["cluster"][kind] = ["127.0.0.1:" + a.rsplit(":", 1)[1] for a in addresses]
    return json.dumps(config)


def _forwarder(mailbox: Any) -> Any:
    """A Ray Train callback (on its controller) that sends what workers ``ray.train.report``."""
    from ray.train import UserCallback

    class Forward(UserCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            self.steps: dict[int, int] = {}

        def after_report(self, run_context: Any, metrics: Any, checkpoint: Any) -> None:
            for rank, values in enumerate(metrics):
                numbers = {k: float(v) for k, v in values.items() if _is_number(v)}
                step = int(values.get("step", self.steps.get(rank, 0) + 1))
                self.steps[rank] = step
                numbers.pop("step", None)
                point = [step, "train", "batch", None, numbers]
                mailbox.put.remote(f"worker {rank}", {"type": "points", "points": [point]})

    return Forward()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class RayBackend:
    """Runs a job's workers with Ray Train; see the module docstring."""

    name = "ray"

    def __init__(
        self,
        job: Job,
        tasks: list[Task],
        payload: bytes,
        *,
        env: Mapping[str, str] | None = None,
        address: str | None = None,
    ) -> None:
        self.job = job
        self.tasks = tasks
        self.payload = payload
        self.env = dict(env or {})
        self.address = address
        self.mailbox: Any = None
        self._started_ray = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"workbench-{job.id}-ray", daemon=True
        )
        self._fit_done = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.mailbox is not None:
            # Ray already shut down: the workers are gone with it
            with contextlib.suppress(Exception):
                self.mailbox.set_stop.remote()
        if threading.current_thread() is not self._thread:
            self._fit_done.wait(60)

    def stopped(self, pid: int) -> bool:
        return process_stopped(pid)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        ray = _ray()
        try:
            self._init(ray)
            self.mailbox = ray.remote(num_cpus=0)(Mailbox).remote()
            trainer = self._trainer(ray)
        except BaseException as error:  # noqa: BLE001 - Ray did not come up: the job fails saying why
            self._fit_done.set()
            self.job.fail(f"Ray did not start the job: {type(error).__name__}: {error}")
            return
        fit = threading.Thread(target=self._fit, args=(trainer,), daemon=True)
        fit.start()
        while fit.is_alive() or not self._fit_done.is_set():
            self._drain()
            self.job.tick()
            time.sleep(TICK)
        self._drain()
        outcome = self._outcome
        for worker in self.job.workers:
            code = 0 if worker.result is not None else 1
            if worker.failure is None and worker.result is None and outcome is not None:
                self.job.on_output(worker.key, f"Ray Train: {outcome}\n")
            self.job.on_exit(worker.key, code)
        if self._started_ray:
            ray.shutdown()

    _outcome: str | None = None

    def _fit(self, trainer: Any) -> None:
        try:
            trainer.fit()
        except BaseException as error:  # noqa: BLE001 - the workers said why (their errors came first)
            self._outcome = f"{type(error).__name__}: {error}"[:2000]
        finally:
            self._fit_done.set()

    def _drain(self) -> None:
        ray = _ray()
        try:
            items = ray.get(self.mailbox.take.remote(), timeout=10)
        except Exception:  # noqa: BLE001 - Ray is shutting down: nothing more will come
            return
        for key, message in items:
            if message.get("type") == "hello" and message.get("token") != self.job.id:
                continue
            self.job.on_message(key, message)

    def _init(self, ray: Any) -> None:
        if ray.is_initialized():
            return
        if self.address is None:
            ray.init(
                num_cpus=max(2, len(self.tasks) + 1),
                include_dashboard=False,
                log_to_driver=False,
                _node_ip_address="127.0.0.1",
                configure_logging=False,
            )
            self._started_ray = True
        else:
            ray.init(address=self.address, log_to_driver=False)

    def _trainer(self, ray: Any) -> Any:
        from ray.train import FailureConfig, RunConfig, ScalingConfig
        from ray.train.tensorflow import TensorflowTrainer  # Train V2, Ray's default

        env = {**self.env, "TF_CPP_MIN_LOG_LEVEL": self.env.get("TF_CPP_MIN_LOG_LEVEL", "2")}
        return TensorflowTrainer(
            worker_loop,
            train_loop_config={
                "payload": self.payload,
                "mailbox": self.mailbox,
                "token": self.job.id,
                "loopback": self._started_ray,
            },
            scaling_config=ScalingConfig(num_workers=len(self.tasks), use_gpu=False),
            run_config=RunConfig(
                name=self.job.name,
                storage_path=tempfile.mkdtemp(prefix="workbench-ray-"),
                failure_config=FailureConfig(max_failures=0),
                callbacks=[_forwarder(self.mailbox)],
                worker_runtime_env={"env_vars": env},
            ),
        )
