"""The server's edge: allowed hosts, cross-site writes, JSON-only writes, body limits,
WebSocket Origin, and who the client is behind a proxy."""

from __future__ import annotations

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from masterstream.api import create_app
from masterstream.api.clients import ClientInfo, TrustedProxies
from masterstream.api.security import split_host
from masterstream.config import Settings
from tests.api.conftest import make_options, serve_in_process
from tests.users.servers import LAN, add_users, bearer, client, running

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def slug(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()["type"].rsplit("/", 1)[1]


@pytest.mark.parametrize(("host", "expected"), [
    ("example.com", ("example.com", None)), ("Example.COM:8765", ("example.com", 8765)),
    ("[::1]:80", ("::1", 80)), ("[::1]", ("::1", None)), ("::1", ("::1", None)),
])  # fmt: skip
def test_host_headers_split_into_name_and_port(host, expected):
    assert split_host(host) == expected


async def test_only_allowed_host_names_are_served(settings):
    async with running(settings) as app, client(app) as http:
        for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example"):
            refused = await http.get("/api/tracks", headers={"Host": host})
            assert refused.status_code == 400 and slug(refused) == "host-not-allowed", host
        for host in ("localhost:8765", "127.0.0.1", "[::1]:8765", "testserver"):
            assert (await http.get("/api/tracks", headers={"Host": host})).status_code == 200
    allowed = settings.with_overrides(allowed_hosts=("music.example",))
    async with running(allowed) as app, client(app) as http:
        assert (await http.get("/livez", headers={"Host": "music.example"})).status_code == 200
        assert (await http.get("/livez", headers={"Host": "evil.example"})).status_code == 400


async def test_dns_rebinding_against_a_real_server_reads_nothing(settings):
    app = create_app(settings, make_options())
    async with (
        serve_in_process(app) as server,
        httpx.AsyncClient(base_url=f"http://{server}") as http,
    ):
        assert (await http.get("/api/tracks")).status_code == 200
        rebound = await http.get("/api/tracks", headers={"Host": "attacker.example:80"})
        assert rebound.status_code == 400 and "items" not in rebound.text


@pytest.mark.parametrize("path", ["/api/cache/clear", "/api/library/scan"])
async def test_cross_site_form_posts_are_refused(settings, path):
    """The probe: with no admin token, a cross-site form POST answered 200."""
    async with running(settings) as app, client(app) as http:
        evil = await http.post(
            path, content=b"a=1", headers={**FORM, "Origin": "http://evil.example"}
        )
        assert evil.status_code == 403 and slug(evil) == "cross-site-request"
        fetch = await http.post(path, headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch.status_code == 403
        sibling = await http.post(path, headers={"Sec-Fetch-Site": "same-site"})
        assert sibling.status_code == 403
        no_origin_form = await http.post(path, content=b"a=1", headers=FORM)
        assert (
            no_origin_form.status_code == 415 and slug(no_origin_form) == "unsupported-media-type"
        )
        text = await http.post(path, content=b"x", headers={"Content-Type": "text/plain"})
        assert text.status_code == 415
        same = await http.post(path, headers={"Origin": "http://testserver",
                                              "Sec-Fetch-Site": "same-origin"})  # fmt: skip
        assert same.status_code == 200
        assert (await http.post(path)).status_code == 200  # a program: no browser headers


async def test_allowed_origins_may_write(settings):
    allowed = settings.with_overrides(allowed_origins=("https://app.example",))
    async with running(allowed) as app, client(app) as http:
        headers = {"Origin": "https://app.example", "Sec-Fetch-Site": "cross-site"}
        assert (await http.post("/api/cache/clear", headers=headers)).status_code == 200
        other = {"Origin": "https://other.example"}
        assert (await http.post("/api/cache/clear", headers=other)).status_code == 403


async def test_declared_oversized_bodies_are_refused_before_reading(settings):
    accounts = add_users(settings)
    sent = []

    async def body():
        for _ in range(400):
            sent.append(1)
            yield b"{" * 1_000_000

    async with running(settings) as app, client(app, LAN) as http:
        headers = {**bearer(accounts.alice_key), "Content-Type": "application/json",
                   "Content-Length": str(400_000_000)}  # fmt: skip
        response = await http.post("/api/cache/warm", content=body(), headers=headers)
        assert response.status_code == 413 and slug(response) == "content-too-large"
        assert len(sent) <= 1


async def test_streamed_bodies_are_cut_at_the_limit(settings):
    accounts = add_users(settings)
    sent = []

    async def body():
        for _ in range(50):
            sent.append(1)
            yield b" " * 100_000

    limited = settings.with_overrides(max_body_bytes=250_000)
    async with running(limited) as app, client(app, LAN) as http:
        headers = {**bearer(accounts.alice_key), "Content-Type": "application/json"}
        response = await http.post("/api/cache/warm", content=body(), headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert len(sent) <= 4  # read up to the limit, not the 5 MB
        small = await http.post("/api/cache/warm", json={"track_id": 1}, headers=headers)
        assert small.status_code == 202


async def test_websocket_origin_must_be_this_server_or_allowed(settings):
    allowed = settings.with_overrides(allowed_origins=("https://app.example",))
    async with serve_in_process(create_app(allowed, make_options())) as server:
        for origin in (
            "http://evil.example",
            "null",
            f"http://{server.replace('127.0.0.1', 'localhost')}",
        ):
            with pytest.raises(InvalidStatus) as refused:
                async with connect(f"ws://{server}/ws", origin=origin):
                    pass
            assert refused.value.response.status_code == 403, origin
        for origin in (f"http://{server}", "https://app.example", None):
            async with connect(f"ws://{server}/ws", origin=origin) as ws:
                await ws.send('{"type": "ping"}')
                assert '"pong"' in await ws.recv()


def test_forwarded_headers_count_only_from_trusted_proxies():
    headers = [(b"x-forwarded-for", b"203.0.113.7, 10.0.0.2"), (b"x-forwarded-proto", b"https")]
    scope = {"client": ("10.0.0.2", 4000), "scheme": "http", "headers": headers}
    untrusted = ClientInfo.of(scope, TrustedProxies())
    assert untrusted == ClientInfo("10.0.0.2", loopback=False, https=False)
    trusted = ClientInfo.of(scope, TrustedProxies(("10.0.0.0/24",)))
    assert trusted == ClientInfo("203.0.113.7", loopback=False, https=True)
    spoofed = {"client": ("203.0.113.9", 4000), "headers": [(b"x-forwarded-for", b"127.0.0.1")]}
    assert not ClientInfo.of(spoofed, TrustedProxies(("10.0.0.0/24",))).loopback
    with pytest.raises(ValueError, match="trusted proxy"):
        TrustedProxies(("not-an-address",))


def test_an_undeclared_local_proxy_never_gets_loopback_rights():
    proxied = {"client": ("127.0.0.1", 4000), "headers": [(b"x-forwarded-for", b"198.51.100.4")]}
    assert not ClientInfo.of(proxied, TrustedProxies()).loopback
    direct = {"client": ("127.0.0.1", 4000), "headers": []}
    assert ClientInfo.of(direct, TrustedProxies()).loopback
    mapped = {"client": ("::ffff:127.0.0.1", 4000), "headers": []}
    assert ClientInfo.of(mapped, TrustedProxies()).loopback


async def test_a_local_proxy_without_trust_is_not_loopback_for_access(settings):
    async with running(settings) as app, client(app) as http:
        forwarded = await http.get("/api/tracks", headers={"X-Forwarded-For": "198.51.100.4"})
        assert forwarded.status_code == 403 and slug(forwarded) == "no-user-yet"
    trusting = settings.with_overrides(trusted_proxies=("127.0.0.1",))
    async with running(trusting) as app, client(app) as http:
        local = await http.get("/api/tracks", headers={"X-Forwarded-For": "127.0.0.1"})
        assert local.status_code == 200
        remote = await http.get("/api/tracks", headers={"X-Forwarded-For": "198.51.100.4"})
        assert remote.status_code == 403


def test_security_settings_come_from_the_environment():
    settings = Settings.from_env({
        "MASTERSTREAM_ALLOWED_HOSTS": "music.example, radio.example",
        "MASTERSTREAM_TRUSTED_PROXIES": "10.0.0.1", "MASTERSTREAM_METRICS_PUBLIC": "true",
        "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0", "MASTERSTREAM_MAX_BODY_BYTES": "5000",
    })  # fmt: skip
    assert settings.allowed_hosts == ("music.example", "radio.example")
    assert settings.trusted_proxies == ("10.0.0.1",) and settings.metrics_public
    assert settings.render_budget_per_minute == 0 and settings.max_body_bytes == 5000
    with pytest.raises(ValueError, match="true or false"):
        Settings.from_env({"MASTERSTREAM_METRICS_PUBLIC": "maybe"})
    with pytest.raises(ValueError, match="render_budget"):
        Settings(render_budget_per_minute=-1)
