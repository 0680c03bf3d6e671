"""Jupyter Server extension: the workbench REST API under ``/workbench/api/v1/``."""

from __future__ import annotations

from typing import Any

from workbench.server.handlers import setup_handlers
from workbench.server.presave import keep_static_forms


def _load_jupyter_server_extension(serverapp: Any) -> None:
    setup_handlers(serverapp.web_app)
    # a saved notebook keeps live views' static forms (the profiler's timeline picture)
    serverapp.contents_manager.register_pre_save_hook(keep_static_forms)
    serverapp.log.info("workbench: REST API at %sworkbench/api/v1/", serverapp.base_url)
