"""``workbench.strategy()``: the ``tf.distribute`` strategy for where the code runs, and a line
saying what it is.

The multi-worker strategies read the cluster from ``TF_CONFIG`` (``workbench.launch`` sets it in
each worker) and can be made once per process (they configure TensorFlow's collective runtime):
asking again returns the same object.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from workbench.distribute.devices import devices as logical_devices

Kind = Literal["auto", "default", "one_device", "mirrored", "multi_worker", "parameter_server"]
KINDS: tuple[str, ...] = (
    "auto",
    "default",
    "one_device",
    "mirrored",
    "multi_worker",
    "parameter_server",
)
DEFAULT_COLLECTIVE_TIMEOUT = 60.0  # seconds a collective waits for a peer before it fails

_once: dict[str, Any] = {}  # the multi-worker strategies of this process


def strategy(
    kind: Kind = "auto",
    *,
    devices: Sequence[str] | str | None = None,
    collective_timeout: float | None = DEFAULT_COLLECTIVE_TIMEOUT,
    show: bool = True,
) -> Any:
    """A ``tf.distribute`` strategy, with a one-line summary printed (replicas, devices,
    cross-device ops).

    Args:
        kind: ``"auto"`` (default): the parameter-server or multi-worker strategy in a launched
            job (from ``TF_CONFIG``), mirrored when this process has several logical devices of
            one kind (GPUs first, else CPUs: ``workbench.virtual_devices(4)``), else the default
            strategy. ``"default"``, ``"one_device"``, ``"mirrored"``, ``"multi_worker"``,
            ``"parameter_server"`` ask for that one.
        devices: the devices of ``"mirrored"`` (default: every GPU, else every logical CPU) or
            the one of ``"one_device"`` (default: the first GPU, else the CPU).
        collective_timeout: seconds a multi-worker collective waits for a peer before it fails
            (a stopped worker is then reported instead of hanging the job); None waits forever.
            Default 60.
        show: print the summary line. Default True.

    Returns:
        The ``tf.distribute.Strategy`` itself: use its ``scope()``, or pass it to
        ``workbench.fit``.

    Raises:
        ValueError: an unknown kind, or a cluster strategy without the ``TF_CONFIG`` it needs.

    Example:
        >>> workbench.virtual_devices(4)
        >>> s = workbench.strategy()
        MirroredStrategy · 4 replicas on CPU:0, CPU:1, CPU:2, CPU:3 · all-reduce: ...
    """
    if kind not in KINDS:
        raise ValueError(f"Expected kind to be one of {list(KINDS)}. Received: {kind!r}")
    chosen = _auto() if kind == "auto" else kind
    with quiet_info():
        made = _make(chosen, devices, collective_timeout)
    if show:
        print(describe(made))
    return made


@contextlib.contextmanager
def quiet_info() -> Iterator[None]:
    """TensorFlow's INFO log lines kept out of the cell while this runs (``tf.distribute`` logs
    each reduction it plans: dozens of lines a fit); its warnings and errors still show."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    if level > logging.INFO:
        yield
        return
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def cluster() -> dict[str, list[str]]:
    """The cluster of this process's ``TF_CONFIG`` (``{}`` without one)."""
    raw = os.environ.get("TF_CONFIG", "")
    try:
        config = json.loads(raw) if raw else {}
    except ValueError:
        raise ValueError(f"Expected TF_CONFIG to be JSON. Received: {raw[:80]!r}") from None
    spec = config.get("cluster", {}) if isinstance(config, dict) else {}
    return {str(k): list(v) for k, v in spec.items()} if isinstance(spec, dict) else {}


def _auto() -> str:
    spec = cluster()
    if spec.get("ps"):
        return "parameter_server"
    if len(spec.get("worker", [])) + len(spec.get("chief", [])) > 1:
        return "multi_worker"
    found = logical_devices()
    gpus = [d for d in found if d["device_type"] == "GPU"]
    cpus = [d for d in found if d["device_type"] == "CPU"]
    if len(gpus) > 1 or (not gpus and len(cpus) > 1):
        return "mirrored"
    return "default"


def _make(kind: str, devices: Sequence[str] | str | None, timeout: float | None) -> Any:
    import tensorflow as tf

    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "one_device":
        device = devices if isinstance(devices, str) else _first(devices)
        return tf.distribute.OneDeviceStrategy(device)
    if kind == "mirrored":
        chosen = [devices] if isinstance(devices, str) else list(devices or _local_devices())
        return tf.distribute.MirroredStrategy(chosen)
    if kind in _once:
        return _once[kind]
    if kind == "multi_worker":
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)
        try:
            made = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        except RuntimeError as error:
            if "at program startup" not in str(error):
                raise
            raise RuntimeError(
                "Expected workbench.strategy() before any TensorFlow op of this process (the "
                "multi-worker strategy configures TensorFlow's runtime as it starts). Received: "
                "the runtime had started (a tensor or dataset was made first). Call "
                "workbench.strategy() at the top of the launched function."
            ) from error
    else:
        if not cluster().get("ps"):
            raise ValueError(
                "Expected a TF_CONFIG with ps tasks for the parameter-server strategy (run it in "
                "workbench.launch(fn, workers=2, ps=1)). Received: "
                f"{os.environ.get('TF_CONFIG', 'no TF_CONFIG')!r}"
            )
        resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
        made = tf.distribute.experimental.ParameterServerStrategy(resolver)
    _once[kind] = made
    return made


def _local_devices() -> list[str]:
    found = logical_devices()
    gpus = [d["name"] for d in found if d["device_type"] == "GPU"]
    return gpus or [d["name"] for d in found if d["device_type"] == "CPU"]


def _first(devices: Sequence[str] | None) -> str:
    if devices:
        return devices[0]
    return _local_devices()[0]


def describe(made: Any) -> str:
    """One line: the strategy's class, replicas, devices and how it reduces across them."""
    name = type(made).__name__
    name = {
        "_DefaultDistributionStrategy": "Default strategy",
        "CollectiveAllReduceStrategy": "MultiWorkerMirroredStrategy",
        "ParameterServerStrategyV2": "ParameterServerStrategy",
    }.get(name, name)
    extended = made.extended
    try:
        worker_devices = [_short(d) for d in extended.worker_devices]
    except RuntimeError:  # the default strategy has none: it places ops as TensorFlow does
        worker_devices = []
    parts = [name]
    if name == "Default strategy":
        return f"{name} · 1 replica, ops placed as TensorFlow places them (no distribution)"
    spec = cluster()
    if name.startswith("ParameterServerStrategy"):
        parts.append(f"{len(spec.get('worker', []))} workers, {len(spec.get('ps', []))} ps")
        parts.append("this process coordinates")
        return " · ".join(parts)
    replicas = made.num_replicas_in_sync
    where = ", ".join(worker_devices) or "CPU:0"
    if name.startswith("MultiWorker"):
        workers = max(1, len(spec.get("worker", [])) + len(spec.get("chief", [])))
        parts.append(f"{replicas} replica{'s' * (replicas != 1)} ({workers} workers x {where})")
        task = _task()
        if task:
            parts.append(f"this is {task}")
    else:
        parts.append(f"{replicas} replica{'s' * (replicas != 1)} on {where}")
    ops = _cross_device_ops(extended)
    if ops:
        parts.append(f"all-reduce: {ops}")
    return " · ".join(parts)


def _short(device: str) -> str:
    """``/job:localhost/replica:0/task:0/device:CPU:1`` -> ``CPU:1``."""
    return device.rsplit("device:", 1)[-1]


def _task() -> str:
    try:
        task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    except ValueError:
        return ""
    if not task:
        return ""
    return f"{task.get('type')} {task.get('index')}"


def _cross_device_ops(extended: Any) -> str:
    # TensorFlow keeps its choice in private fields; a summary without it is still a summary
    ops = getattr(extended, "_cross_device_ops", None) or getattr(
        extended, "_inferred_cross_device_ops", None
    )
    if ops is None:
        return ""
    name = type(ops).__name__
    if name == "CollectiveAllReduce":
        options = getattr(extended, "_communication_options", None)
        implementation = getattr(getattr(options, "implementation", None), "name", "")
        timeout = getattr(options, "timeout_seconds", None)
        detail = [implementation] if implementation else []
        if timeout:
            detail.append(f"timeout {timeout:g} s")
        return f"{name} ({', '.join(detail)})" if detail else name
    return name
