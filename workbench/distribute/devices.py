"""What TensorFlow can run on, and splitting one device into several virtual ones.

TensorFlow fixes its logical devices when its runtime starts (at the first op, or the first
``tf.config.list_logical_devices()``), so this module is careful to tell listing the physical
devices (free, no side effect) from listing the logical ones (starts the runtime).
"""

from __future__ import annotations

from typing import Any, TypedDict

_KINDS = ("CPU", "GPU")
# A kernel started with this set splits its CPU into that many logical devices before the first
# cell (``workbench kernel install --virtual-devices N`` writes it into the kernelspec).
VIRTUAL_DEVICES_ENV = "WORKBENCH_VIRTUAL_DEVICES"


class DeviceInfo(TypedDict):
    """One device as TensorFlow names it, e.g. ``/physical_device:CPU:0``."""

    name: str
    device_type: str


_DEFAULT_GPU_MEMORY_MB = 1024


def _tf() -> Any:
    import tensorflow

    return tensorflow


def runtime_started() -> bool:
    """Whether TensorFlow's runtime has started in this process (its devices are then fixed).

    Never imports TensorFlow: if it was not imported, the runtime cannot have started.
    """
    import sys

    if "tensorflow" not in sys.modules:
        return False
    from tensorflow.python.eager import context

    # TensorFlow has no public "is initialized" query; the eager context's handle is created
    # exactly when the runtime starts (context.ensure_initialized).
    return context.context()._context_handle is not None


def physical_devices() -> list[DeviceInfo]:
    """The physical devices TensorFlow sees. Does not start the runtime."""
    return [
        DeviceInfo(name=d.name, device_type=d.device_type)
        for d in _tf().config.list_physical_devices()
    ]


def devices() -> list[DeviceInfo]:
    """The logical devices ops can be placed on, e.g. ``/device:CPU:0``.

    This starts TensorFlow's runtime if it has not started, after which
    :func:`virtual_devices` can no longer change the split.

    Returns:
        One entry per logical device, with ``name`` and ``device_type``.

    Example:
        >>> import workbench
        >>> [d["device_type"] for d in workbench.devices()]  # doctest: +SKIP
        ['CPU']
    """
    return [
        DeviceInfo(name=d.name, device_type=d.device_type)
        for d in _tf().config.list_logical_devices()
    ]


def virtual_devices(
    n: int, kind: str = "CPU", memory_limit_mb: int | None = None
) -> list[DeviceInfo]:
    """Split the first physical device of ``kind`` into ``n`` logical devices.

    Use it to prototype distribution strategies on one machine: ``MirroredStrategy`` over 4
    virtual CPUs behaves like one over 4 GPUs. It must run before TensorFlow's runtime starts (the
    first op): in a notebook, as the first cell after a kernel restart, or at kernel start with
    ``workbench kernel install --virtual-devices N``. Asking again for the split already in force
    is harmless.

    Args:
        n: number of logical devices, at least 1.
        kind: ``"CPU"`` or ``"GPU"``. Default ``"CPU"``.
        memory_limit_mb: for GPUs, the memory of each virtual GPU in MB (GPUs need one).
            Default ``None``, which means 1024 MB for GPUs and is ignored for CPUs.

    Returns:
        The logical devices of ``kind`` after the split.

    Raises:
        ValueError: ``n`` or ``kind`` is out of range, or there is no physical device of ``kind``.
        RuntimeError: the runtime has already started with another split; restart the kernel.
    """
    if kind not in _KINDS:
        raise ValueError(f"Expected kind to be one of {list(_KINDS)}. Received: kind={kind!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"Expected n to be a positive integer. Received: n={n!r}")
    tf = _tf()
    physical = tf.config.list_physical_devices(kind)
    if not physical:
        seen = sorted({d.device_type for d in tf.config.list_physical_devices()})
        raise ValueError(f"No {kind} is visible to TensorFlow (it sees: {', '.join(seen)}).")
    if runtime_started():
        current = [d for d in devices() if d["device_type"] == kind]
        if len(current) == n:
            return current
        raise RuntimeError(
            f"TensorFlow's runtime has already started in this process with {len(current)} "
            f"logical {kind} device(s), and its devices cannot change after that. Restart the "
            f"kernel and call workbench.virtual_devices({n}) before running any TensorFlow op, "
            f"or start kernels split from the outset: workbench kernel install "
            f"--virtual-devices {n}."
        )
    if kind == "GPU":
        limit = memory_limit_mb or _DEFAULT_GPU_MEMORY_MB
        config = [tf.config.LogicalDeviceConfiguration(memory_limit=limit) for _ in range(n)]
    else:
        config = [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
    tf.config.set_logical_device_configuration(physical[0], config)
    return [d for d in devices() if d["device_type"] == kind]
