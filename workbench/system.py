"""Versions and devices of this Python process, as the side panel and ``/status`` report them.

``python -m workbench.system`` prints the same as JSON: the server runs it in a subprocess so that
TensorFlow never loads into the Jupyter server itself.
"""

from __future__ import annotations

import importlib
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
    # None until TensorFlow (Keras) is imported: a kernel's panel never loads TensorFlow itself
    tensorflow: str | None
    keras: str | None
    physical_devices: list[DeviceInfo]  # empty until TensorFlow is imported
    # Logical devices exist only once TensorFlow's runtime has started; listing them starts it,
    # which would forbid a later virtual-device split, so they are reported only when already
    # started (None otherwise).
    logical_devices: list[DeviceInfo] | None


def status(start_runtime: bool = False, load: bool = False) -> SystemStatus:
    """Versions of Python, TensorFlow, Keras and the workbench, and the devices TensorFlow sees.

    Args:
        start_runtime: list logical devices even if TensorFlow's runtime has not started yet
            (which starts it). Default ``False``: a kernel's panel must not freeze its devices
            before the user had a chance to split them.
        load: import TensorFlow and Keras if they are not imported yet. Default ``False``: the
            kernel's panel asks from a background thread, and must neither make the user wait
            ~5 s for an import they did not ask for nor race their own ``import tensorflow``.

    Returns:
        A :class:`SystemStatus`; ``tensorflow`` and ``keras`` are ``None`` (and the device lists
        empty) while they are not imported and ``load`` is false; ``logical_devices`` is ``None``
        when the runtime has not started and ``start_runtime`` is false.
    """
    if load or start_runtime:
        importlib.import_module("tensorflow")
        importlib.import_module("keras")
    tf, keras = sys.modules.get("tensorflow"), sys.modules.get("keras")
    started = tf is not None and (start_runtime or _devices.runtime_started())
    return SystemStatus(
        workbench=__version__,
        python=platform.python_version(),
        tensorflow=None if tf is None else tf.__version__,
        keras=None if keras is None else keras.__version__,
        physical_devices=[] if tf is None else _devices.physical_devices(),
        logical_devices=_devices.devices() if started else None,
    )


if __name__ == "__main__":
    json.dump(status(start_runtime=True), sys.stdout)
