"""``/workbench/api/v1/...`` on a real Jupyter server (pytest-jupyter)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from workbench.server import handlers

pytestmark = pytest.mark.slow


async def test_status_reports_versions_and_devices(jp_fetch: Any) -> None:
    response = await jp_fetch("workbench", "api", "v1", "status", request_timeout=120)
    assert response.code == 200
    body = json.loads(response.body)
    assert body["tensorflow"].startswith("2.")
    assert body["keras"].startswith("3.")
    assert {"name": "/device:CPU:0", "device_type": "CPU"} in body["logical_devices"]
    assert body["server"]["jupyterlab"].startswith("4.")


async def test_status_is_probed_once_then_cached(jp_fetch: Any, jp_serverapp: Any) -> None:
    first = await jp_fetch("workbench", "api", "v1", "status", request_timeout=120)
    probe = _status_probe(jp_serverapp)
    probe.python = "/nonexistent/python"  # a second probe would now fail
    again = await jp_fetch("workbench", "api", "v1", "status")
    assert json.loads(again.body) == json.loads(first.body)
    with pytest.raises(HTTPClientError) as failed:
        await jp_fetch("workbench", "api", "v1", "status", params={"refresh": "1"})
    assert failed.value.code == 500
    message = json.loads(failed.value.response.body)["message"]
    assert message.startswith("Could not query TensorFlow: ")
    assert "/nonexistent/python" in message


async def test_concurrent_refreshes_share_one_probe_and_cached_requests_never_wait(
    jp_fetch: Any, jp_serverapp: Any, tmp_path: Any
) -> None:
    import asyncio

    await jp_fetch("workbench", "api", "v1", "status", request_timeout=120)
    probe = _status_probe(jp_serverapp)
    # a slow probe process: the boundary (a subprocess), replaced by one that takes 5 s
    slow = tmp_path / "slow-python"
    slow.write_text('#!/bin/sh\nsleep 5\necho \'{"tensorflow": "slow", "keras": "x"}\'\n')
    slow.chmod(0o755)
    probe.python = str(slow)
    before = probe.probes
    refreshes = [
        asyncio.ensure_future(jp_fetch("workbench", "api", "v1", "status", params={"refresh": "1"}))
        for _ in range(8)  # under the test client's 10 connections: the next one is free
    ]
    while probe.probes == before:  # the refresh is running now
        await asyncio.sleep(0.05)
    cached = await jp_fetch("workbench", "api", "v1", "status")
    # answered from the cache while the refresh still runs (it once queued behind every probe)
    assert not any(r.done() for r in refreshes)
    assert json.loads(cached.body)["tensorflow"].startswith("2.")
    bodies = [json.loads(r.body) for r in await asyncio.gather(*refreshes)]
    assert {b["tensorflow"] for b in bodies} == {"slow"}
    assert probe.probes - before == 1


async def test_every_route_refuses_requests_without_the_token(
    http_server_client: Any, jp_base_url: str, jp_serverapp: Any
) -> None:
    routes = handlers.routes(jp_base_url)
    assert routes, "no routes to check"
    for pattern, handler, _kwargs in routes:
        verbs = [v for v in ("get", "post", "put", "patch", "delete") if _defines(handler, v)]
        assert verbs, f"{handler.__name__} defines no verb"
        for verb in verbs:
            body = b"{}" if verb in ("post", "put", "patch") else None
            response = await http_server_client.fetch(
                pattern, method=verb.upper(), body=body, raise_error=False
            )
            assert response.code == 403, f"{verb.upper()} {pattern} answered {response.code}"


def _defines(handler: type, verb: str) -> bool:
    method = handler.__dict__.get(verb)
    return method is not None and inspect.isfunction(method)


def _status_probe(serverapp: Any) -> Any:
    app = serverapp.web_app
    for rule in _rules(app.default_router) + _rules(app.wildcard_router):
        if getattr(rule.target, "__name__", "") == "StatusHandler":
            return rule.target_kwargs["probe"]
    raise AssertionError("StatusHandler is not registered")


def _rules(router: Any) -> list[Any]:
    found = []
    for rule in getattr(router, "rules", []):
        found.append(rule)
        found.extend(_rules(rule.target))
    return found


def test_routes_live_under_the_versioned_prefix() -> None:
    for pattern, _handler, _kwargs in handlers.routes("/base/"):
        assert pattern.startswith("/base/workbench/api/v1/")
