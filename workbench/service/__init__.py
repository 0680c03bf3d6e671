"""The kernel service: one comm target (``workbench``) serving typed methods and topics.

Each capability registers its own methods and topics in a ``service`` module of its package
(``workbench.curves.service``: the ``runs`` topic and ``runs.list``); ``CAPABILITIES`` names those
modules, and ``%load_ext workbench`` imports them. A new view (jobs, profiles) adds its module
and one line here. Capability modules must stay light to import: no TensorFlow.
"""

from __future__ import annotations

import importlib

from workbench.service.router import KernelService, RequestError

__all__ = ["CAPABILITIES", "KernelService", "RequestError", "load_capabilities", "service"]

service = KernelService()  # the kernel's one service; tests make their own

CAPABILITIES = (
    "workbench.service.status",
    "workbench.compile.service",
    "workbench.curves.service",
    "workbench.profiler.service",
    "workbench.distribute.service",
    "workbench.checkpoints.service",
)


def load_capabilities() -> KernelService:
    """Import every capability's service module (each registers itself on ``service``)."""
    for name in CAPABILITIES:
        importlib.import_module(name)
    return service
