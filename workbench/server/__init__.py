"""Jupyter Server extension: the workbench REST API under ``/workbench/api/v1/``."""

from __future__ import annotations

from typing import Any

from workbench.server.handlers import setup_handlers


def _load_jupyter_server_extension(serverapp: Any) -> None:
    setup_handlers(serverapp.web_app)
    serverapp.log.info("workbench: REST API at %sworkbench/api/v1/", serverapp.base_url)
