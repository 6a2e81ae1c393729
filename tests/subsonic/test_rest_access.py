"""Who gets into ``/rest``, in-process over the real app: no users (loopback admitted,
other addresses error 50), API keys (43, 44), missing credentials (10), the sign-in
throttle, form posts, unknown methods, JSONP, handler crashes (error 0, never a 500),
and ``/api/me/subsonic``."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from masterstream.api import create_app
from masterstream.config import Settings
from masterstream.subsonic import router as rest_router
from masterstream.subsonic.call import Method
from masterstream.users import Role, UserStore
from masterstream.users.passwords import FAST_TEST_PARAMETERS
from tests.api.conftest import make_options, open_client
from tests.conftest import write_tone

REMOTE = {"X-Forwarded-For": "198.51.100.4"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    library = tmp_path / "music" / "Tone Artist" / "Tone Album"
    library.mkdir(parents=True)
    write_tone(library / "01 - first.wav", duration_s=1.5)
    return Settings(data_dir=tmp_path / "data", library_dir=tmp_path / "music",
                    cache_dir=tmp_path / "cache", render_workers=1, render_pool="thread",
                    watch_library=False, trusted_proxies=("127.0.0.1",))  # fmt: skip


@pytest.fixture
def users(settings: Settings) -> dict[str, str]:
    """A user with Subsonic access and an API key, made before the server starts."""
    settings.data_dir.mkdir(parents=True)
    with UserStore(settings.catalog_path, hashing=FAST_TEST_PARAMETERS) as store:
        user = store.accounts.add("ivy", "sign-in password", Role.USER)
        store.subsonic.enable(user, "subsonic password")
        return {"key": store.keys.create(user).secret}


async def clients(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_app(settings, make_options())):
        yield client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in clients(settings):
        yield c


async def call(client: httpx.AsyncClient, method: str, headers: Any = None,
               **params: str) -> dict[str, Any]:  # fmt: skip
    answer = await client.get(f"/rest/{method}", params={"f": "json", **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["subsonic-response"]


def error_code(body: dict[str, Any]) -> int | None:
    return body["error"]["code"] if body["status"] == "failed" else None


async def test_without_users_loopback_is_admitted_and_remote_gets_50(client):
    assert (await call(client, "ping"))["status"] == "ok"
    artists = (await call(client, "getArtists"))["artists"]["index"]
    assert artists[0]["artist"][0]["name"] == "Tone Artist"
    assert (await call(client, "getUser", username="anyone"))["user"]["adminRole"] is True
    remote = await call(client, "ping", headers=REMOTE)
    assert error_code(remote) == 50 and "create the first admin" in remote["error"]["message"]
    opened = await call(client, "getOpenSubsonicExtensions", headers=REMOTE)
    assert {"name": "apiKeyAuthentication", "versions": [1]} in opened["openSubsonicExtensions"]


async def test_with_users_every_credential_rule(users, client):
    salt = "5a1t"
    t = hashlib.md5(f"subsonic password{salt}".encode(), usedforsecurity=False).hexdigest()
    assert (await call(client, "ping", headers=REMOTE, u="ivy", t=t, s=salt))["status"] == "ok"
    assert (await call(client, "ping", headers=REMOTE, apiKey=users["key"]))["status"] == "ok"
    assert error_code(await call(client, "ping", headers=REMOTE)) == 10
    assert error_code(await call(client, "ping", u="ivy")) == 10
    assert error_code(await call(client, "ping", apiKey=users["key"], u="ivy")) == 43
    assert error_code(await call(client, "ping", apiKey="msk_not-a-key")) == 44
    assert error_code(await call(client, "ping", u="ivy", p="sign-in password")) == 40
    assert error_code(await call(client, "ping", u="nobody", p="subsonic password")) == 40


async def test_failed_attempts_are_throttled_per_account(users, client):
    for _ in range(10):
        assert error_code(await call(client, "ping", u="ivy", p="wrong guess")) == 40
    refused = await call(client, "ping", u="ivy", p="subsonic password")
    assert error_code(refused) == 40 and "Too many failed attempts" in refused["error"]["message"]


async def test_form_post_unknown_method_and_jsonp(users, client):
    form = {"u": "ivy", "p": "subsonic password", "f": "json", "query": "first"}
    answer = await client.post("/rest/search3.view", data=form)
    songs = answer.json()["subsonic-response"]["searchResult3"]["song"]
    assert [song["title"] for song in songs] == ["first"]
    assert error_code(await call(client, "getVideos", apiKey=users["key"])) == 0
    jsonp = await client.get("/rest/ping", params={"apiKey": users["key"], "f": "jsonp"})
    assert jsonp.status_code == 200 and "jsonp is not supported" in jsonp.text


async def test_a_crashing_handler_is_error_0_not_a_500(client, monkeypatch):
    async def boom(call: object) -> dict[str, Any]:
        raise RuntimeError("handler bug")

    monkeypatch.setitem(rest_router.METHODS, "ping", Method(boom))
    body = await call(client, "ping")
    assert error_code(body) == 0 and body["error"]["message"] == "internal server error"


async def test_me_subsonic_set_generate_and_disable(users, client):
    bearer = {"Authorization": f"Bearer {users['key']}"}
    assert (await client.get("/api/me/subsonic", headers=bearer)).json() == {
        "enabled": True, "username": "ivy"}  # fmt: skip
    chosen = await client.put("/api/me/subsonic", json={"password": "a new phone pw"},
                              headers=bearer)  # fmt: skip
    assert chosen.json() == {"enabled": True, "username": "ivy", "password": "a new phone pw"}
    assert (await call(client, "ping", u="ivy", p="a new phone pw"))["status"] == "ok"
    generated = (await client.put("/api/me/subsonic", json={"password": None},
                                  headers=bearer)).json()["password"]  # fmt: skip
    assert len(generated) >= 24
    assert (await call(client, "ping", u="ivy", p=generated))["status"] == "ok"
    short = await client.put("/api/me/subsonic", json={"password": "short"}, headers=bearer)
    assert short.status_code == 422
    assert (await client.delete("/api/me/subsonic", headers=bearer)).status_code == 204
    assert error_code(await call(client, "ping", u="ivy", p=generated)) == 40
    assert (await client.get("/api/me/subsonic", headers=bearer)).json()["enabled"] is False
