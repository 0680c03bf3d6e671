"""REST handlers. Every verb is ``@tornado.web.authenticated``; ``ROUTES`` lists them all so a
test can prove that none answers without the token."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from workbench.server.probe import ProbeError, StatusProbe

API_PREFIX = ("workbench", "api", "v1")


class StatusHandler(APIHandler):
    """``GET /workbench/api/v1/status[?refresh=1]``: versions, and the devices TensorFlow sees
    from the server's Python environment."""

    def initialize(self, probe: StatusProbe) -> None:
        self.probe = probe

    @tornado.web.authenticated
    async def get(self) -> None:
        refresh = self.get_argument("refresh", "0") not in ("0", "", "false")
        try:
            kernel_env = await self.probe.get(refresh=refresh)
        except ProbeError as exc:
            self.set_status(500)
            self.finish({"message": f"Could not query TensorFlow: {exc}"})
            return
        self.finish({**kernel_env, "server": _server_versions()})


def _server_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in ("jupyter_server", "jupyterlab", "ipykernel"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = None
    return found


def routes(base_url: str) -> list[tuple[str, type[APIHandler], dict[str, Any]]]:
    probe = StatusProbe()
    return [(url_path_join(base_url, *API_PREFIX, "status"), StatusHandler, {"probe": probe})]


def setup_handlers(web_app: Any) -> None:
    web_app.add_handlers(".*$", routes(web_app.settings["base_url"]))
