"""The ``status`` method and topic: versions and devices of the kernel's process.

Never imports TensorFlow (``system.status``): the topic is published again after the cell that
imports it, and after the cell that starts its runtime (the logical devices are fixed then).
"""

from __future__ import annotations

import sys

from workbench import system
from workbench.distribute.devices import runtime_started
from workbench.service import service
from workbench.system import SystemStatus


def _status(params: object = None) -> SystemStatus:
    return system.status()


def _version() -> tuple[bool, bool, bool]:
    return ("tensorflow" in sys.modules, "keras" in sys.modules, runtime_started())


service.method("status", _status)
service.topic("status", _status, _version)
