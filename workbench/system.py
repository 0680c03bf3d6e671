"""Versions and devices of this Python process, as the side panel and ``/status`` report them.

``python -m workbench.system`` prints the same as JSON: the server runs it in a subprocess so that
TensorFlow never loads into the Jupyter server itself.
"""

from __future__ import annotations

import json
import platform
import sys

from typing import TypedDict

from workbench._version import __version__
from workbench.distribute import devices as _devices
from workbench.distribute.devices import DeviceInfo


class SystemStatus(TypedDict):
    """What the side panel shows for a kernel, and ``/status`` for the server's environment."""

    workbench: str
    python: str
    tensorflow: str
    keras: str
    physical_devices: list[DeviceInfo]
    # Logical devices exist only once TensorFlow's runtime has started; listing them starts it,
    # which would forbid a later virtual-device split, so they are reported only when already
    # started (None otherwise).
    logical_devices: list[DeviceInfo] | None


def status(start_runtime: bool = False) -> SystemStatus:
    """Versions of Python, TensorFlow, Keras and the workbench, and the devices TensorFlow sees.

    Args:
        start_runtime: list logical devices even if TensorFlow's runtime has not started yet
            (which starts it). Default ``False``: a kernel's panel must not freeze its devices
            before the user had a chance to split them.

    Returns:
        A :class:`SystemStatus`; ``logical_devices`` is ``None`` when the
        runtime has not started and ``start_runtime`` is false.
    """
    import keras
    import tensorflow as tf

    started = start_runtime or _devices.runtime_started()
    return SystemStatus(
        workbench=__version__,
        python=platform.python_version(),
        tensorflow=tf.__version__,
        keras=keras.__version__,
        physical_devices=_devices.physical_devices(),
        logical_devices=_devices.devices() if started else None,
    )


if __name__ == "__main__":
    json.dump(status(start_runtime=True), sys.stdout)
