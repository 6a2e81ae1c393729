"""Served under a sub-path (``root_path``) by a proxy that strips it: the page names its
assets and the app's root under the prefix, ``/docs`` points at the prefixed OpenAPI
document, and the access rules see the paths without it. Requests reach the app as uvicorn
passes them on with ``root_path`` set: the root path in ``scope["root_path"]`` and in front
of ``scope["path"]``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from masterstream.api import create_app
from masterstream.config import Settings
from masterstream.errors import ConfigError
from tests.api.conftest import make_options
from tests.users.servers import LAN, PASSWORD, add_users

PREFIX = "/music"


async def under_prefix(app, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``app`` run as uvicorn runs it with ``root_path=/music``."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, root_path=PREFIX, client=(address, 4321))
        base_url = f"http://testserver{PREFIX}"
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
            yield c


@pytest.fixture
async def proxied(app) -> AsyncIterator[httpx.AsyncClient]:
    async for c in under_prefix(app):
        yield c


async def test_the_page_names_the_root_path_and_prefixed_assets(proxied, client) -> None:
    page = (await proxied.get("/")).text
    assert 'data-root-path="/music"' in page
    assets = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert assets and all(url.startswith(f"{PREFIX}/app/") for url in assets), assets
    module = await proxied.get(assets[-1].removeprefix(PREFIX))
    assert module.status_code == 200 and module.headers["content-type"].startswith(
        "text/javascript"
    )
    at_root = (await client.get("/")).text
    assert 'data-root-path=""' in at_root and f'"{PREFIX}/app/' not in at_root
    assert re.findall(r'(?:src|href)="(/app/[^"]+)"', at_root) == [
        url.removeprefix(PREFIX) for url in assets
    ]


async def test_docs_link_the_prefixed_openapi_document(proxied) -> None:
    docs = await proxied.get("/docs")
    assert docs.status_code == 200
    assert f"'{PREFIX}/openapi.json'" in docs.text
    document = await proxied.get("/openapi.json")
    assert document.status_code == 200 and document.json()["servers"] == [{"url": PREFIX}]


async def test_the_api_answers_under_the_root_path(proxied) -> None:
    tracks = await proxied.get("/api/tracks")
    assert tracks.status_code == 200 and tracks.json()["total"] == 2


async def test_with_users_the_page_stays_public_and_the_api_asks_for_sign_in(settings) -> None:
    add_users(settings)
    async for http in under_prefix(create_app(settings, make_options()), LAN):
        page = await http.get("/")
        assert page.status_code == 200 and 'data-root-path="/music"' in page.text
        assert (await http.get("/api/session")).json()["users_exist"] is True
        assert (await http.get("/api/tracks")).status_code == 401


async def test_the_session_cookie_is_for_the_root_path_only(settings) -> None:
    add_users(settings)
    async for http in under_prefix(create_app(settings, make_options()), LAN):
        signed_in = await http.post("/api/session", json={"name": "bob", "password": PASSWORD})
        assert signed_in.status_code == 200
        assert "Path=/music;" in signed_in.headers["set-cookie"]
        assert (await http.get("/api/tracks")).status_code == 200  # the cookie is sent back
        origin = {"Origin": "http://testserver"}
        signed_out = await http.delete("/api/session", headers=origin)
        assert signed_out.status_code == 204
        assert "Path=/music;" in signed_out.headers["set-cookie"]
        assert (await http.get("/api/tracks")).status_code == 401


@pytest.mark.parametrize("bad", ["music", "/music/", "/"])
def test_a_root_path_must_start_but_not_end_with_a_slash(bad: str) -> None:
    with pytest.raises(ConfigError, match="root_path"):
        Settings.from_env({"MASTERSTREAM_ROOT_PATH": bad})


def test_the_root_path_comes_from_the_environment() -> None:
    assert Settings.from_env({"MASTERSTREAM_ROOT_PATH": PREFIX}).root_path == PREFIX
    assert Settings.from_env({}).root_path == ""
