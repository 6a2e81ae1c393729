"""Every request observed once: its id in the response header, the problem document and
the access log (a client's id only from a trusted proxy); no access log unless asked."""

from __future__ import annotations

import logging

import httpx
import pytest

from masterstream.api import create_app
from tests.api.conftest import make_options


async def _client(app, client_address: str):
    transport = httpx.ASGITransport(app=app, client=(client_address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.parametrize("trusted", [False, True])
async def test_request_ids_in_headers_problems_and_the_access_log(settings, caplog, trusted):
    proxy = "10.1.2.3"
    settings = settings.with_overrides(
        trusted_proxies=(proxy,) if trusted else (), admin_token="t0ken"
    )  # not loopback: it authenticates
    app = create_app(settings, make_options(access_log=True))
    async with app.router.lifespan_context(app), await _client(app, proxy) as client:
        with caplog.at_level(logging.INFO, logger="masterstream.access"):
            response = await client.get(
                "/api/tracks/999",
                headers={"X-Request-ID": "rq-42", "Authorization": "Bearer t0ken"},
            )
    request_id = response.headers["x-request-id"]
    assert (request_id == "rq-42") is trusted
    assert response.json()["request_id"] == request_id  # in the problem document
    lines = [r for r in caplog.records if r.name == "masterstream.access"]
    assert len(lines) == 1
    access = lines[0]
    assert (access.method, access.path, access.status) == ("GET", "/api/tracks/999", 404)
    assert access.bytes == len(response.content) and access.duration_ms > 0
    assert access.request_id == request_id


async def test_no_access_log_unless_asked(settings, caplog):
    app = create_app(settings, make_options())
    async with app.router.lifespan_context(app), await _client(app, "127.0.0.1") as client:
        with caplog.at_level(logging.INFO, logger="masterstream.access"):
            response = await client.get("/livez")
    assert response.headers["x-request-id"]
    assert not [r for r in caplog.records if r.name == "masterstream.access"]
