"""Who may reach what, for every class of route (open, public, listening, metrics, admin),
with no user yet (loopback only) and once users exist (sign-in required)."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from masterstream.api import create_app
from masterstream.api.access import Access, classify
from tests.api.conftest import make_options, serve_in_process
from tests.users.servers import LAN, add_users, bearer, client, running

ADMIN_WRITES = [("POST", "/api/cache/clear"), ("POST", "/api/library/scan")]
LISTENING = ["/api/tracks", "/api/tracks/1", "/api/tracks/1/chunks/0?preset=original",
             "/api/cache/stats", "/api/presets", "/openapi.json"]  # fmt: skip


def problem(response) -> dict:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()


def test_paths_are_classified_with_listening_as_the_default():
    assert classify("/livez") is Access.OPEN and classify("/readyz") is Access.OPEN
    assert classify("/api/session") is Access.PUBLIC and classify("/app/abc/x.js") is Access.PUBLIC
    assert classify("/metrics") is Access.METRICS
    for path in ("/api/tracks", "/ws", "/docs", "/api/some-route-added-later", "/restless"):
        assert classify(path) is Access.LISTEN
    assert classify("/rest/ping.view") is Access.SELF  # Subsonic authenticates each request


async def test_no_user_loopback_has_full_rights(settings):
    async with running(settings) as app, client(app) as http:
        for path in [*LISTENING, "/metrics", "/livez"]:
            assert (await http.get(path)).status_code == 200, path
        for method, path in ADMIN_WRITES:
            assert (await http.request(method, path)).status_code == 200, path
        session = (await http.get("/api/session")).json()
        assert session["setup_available"] and not session["users_exist"]
        assert session["via"] == "loopback" and session["admin"]


async def test_no_user_other_addresses_get_403_saying_to_create_a_user(settings):
    async with running(settings) as app, client(app, LAN) as http:
        for path in [*LISTENING, "/metrics", "/", "/api/session"]:
            response = await http.get(path)
            assert response.status_code == 403, path
            body = problem(response)
            assert body["type"].endswith("/no-user-yet") and "user add" in body["detail"]
        for method, path in ADMIN_WRITES:
            assert (await http.request(method, path)).status_code == 403
        assert (
            await http.post("/api/setup", json={"name": "x", "password": "y" * 8})
        ).status_code == 403
        for path in ("/livez", "/readyz"):
            assert (await http.get(path)).status_code == 200, path


async def test_the_admin_token_works_from_anywhere_without_users(settings):
    settings = settings.with_overrides(admin_token="s3cret-token")
    async with running(settings) as app, client(app, LAN) as http:
        assert (await http.get("/api/tracks", headers=bearer("s3cret-token"))).status_code == 200
        clear = await http.post("/api/cache/clear", headers=bearer("s3cret-token"))
        assert clear.status_code == 200


async def test_metrics_public_opens_metrics_only(settings):
    public = settings.with_overrides(metrics_public=True)
    async with running(public) as app, client(app, LAN) as http:
        assert (await http.get("/metrics")).status_code == 200
        assert (await http.get("/api/tracks")).status_code == 403


async def test_with_users_nothing_but_401_for_anonymous_requests_from_anywhere(settings):
    add_users(settings)
    async with running(settings) as app:
        for address in (LAN, "127.0.0.1"):
            async with client(app, address) as http:
                for path in LISTENING:
                    response = await http.get(path)
                    assert response.status_code == 401, (address, path)
                    assert response.headers["www-authenticate"].startswith("Bearer")
                    assert problem(response)["type"].endswith("/unauthorized")
                for method, path in ADMIN_WRITES:
                    assert (await http.request(method, path)).status_code == 401
                for path in ("/livez", "/readyz", "/"):  # "/": the web app, to sign in
                    assert (await http.get(path)).status_code == 200, path
                session = (await http.get("/api/session")).json()
                assert session == {"signed_in": False, "user": None, "via": "anonymous",
                                   "admin": False, "users_exist": True,
                                   "setup_available": False}  # fmt: skip
        async with client(app, LAN) as http:
            assert (await http.get("/metrics")).status_code == 401
        async with client(app) as http:
            assert (await http.get("/metrics")).status_code == 200  # loopback


async def test_with_users_api_keys_open_listening_and_roles_decide_admin(settings):
    accounts = add_users(settings)
    async with running(settings) as app, client(app, LAN) as http:
        for key in (accounts.alice_key, accounts.bob_key):
            for path in LISTENING:
                assert (await http.get(path, headers=bearer(key))).status_code == 200, path
        bob, alice = bearer(accounts.bob_key), bearer(accounts.alice_key)
        for method, path in ADMIN_WRITES:
            refused = await http.request(method, path, headers=bob)
            assert refused.status_code == 403 and problem(refused)["type"].endswith("/forbidden")
            assert (await http.request(method, path, headers=alice)).status_code == 200
        assert (await http.get("/metrics", headers=bob)).status_code == 403
        assert (await http.get("/metrics", headers=alice)).status_code == 200
        assert (await http.get("/api/users", headers=bob)).status_code == 403
        assert (await http.get("/api/users", headers=alice)).status_code == 200
        wrong = await http.get("/api/tracks", headers=bearer(accounts.bob_key[:-2] + "xx"))
        assert wrong.status_code == 401 and problem(wrong)["type"].endswith("/invalid-credentials")
        me = (await http.get("/api/session", headers=bob)).json()
        assert me["user"]["name"] == "bob" and me["via"] == "api-key" and not me["admin"]


async def test_admin_refusal_comes_before_the_body_is_read(settings):
    """A non-admin's POST /api/cache/warm is refused without reading a byte of its body."""
    accounts = add_users(settings)
    sent = []

    async def body():
        for _ in range(400):  # 400 MB if anyone read it all
            sent.append(1)
            yield b"\0" * 1_000_000

    async with running(settings) as app, client(app, LAN) as http:
        for headers, status in (({}, 401), (bearer(accounts.bob_key), 403)):
            sent.clear()
            headers = {**headers, "Content-Type": "application/json"}
            response = await http.post("/api/cache/warm", content=body(), headers=headers)
            assert response.status_code == status
            assert len(sent) <= 1, f"{len(sent)} MB read before the {status}"


async def test_websocket_needs_credentials_once_users_exist(settings):
    accounts = add_users(settings)
    async with serve_in_process(create_app(settings, make_options())) as server:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://{server}/ws"):
                pass
        assert refused.value.response.status_code == 401
        assert json.loads(refused.value.response.body)["type"].endswith("/unauthorized")
        async with connect(f"ws://{server}/ws", additional_headers=bearer(accounts.bob_key)) as ws:
            await ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await ws.recv())["type"] == "pong"


async def test_subsonic_paths_reach_their_route_which_admits_its_own_user(settings):
    add_users(settings)
    async with running(settings) as app, client(app, LAN) as http:
        response = await http.get("/rest/ping.view", params={"u": "bob", "p": "x"})
        assert response.status_code == 200  # past the gate: /rest answers in its own format
        assert 'status="failed"' in response.text and 'code="40"' in response.text
    from starlette.requests import HTTPConnection

    from masterstream.api.auth import Principal, admit, current_principal
    from masterstream.api.clients import ClientInfo
    from masterstream.users import Role, User

    lan = ClientInfo(LAN, loopback=False, https=False)
    scope = {"type": "http", "state": {"principal": Principal(None, "anonymous", lan, False)}}
    connection = HTTPConnection(scope)
    bob = User(2, "bob", Role.USER, "2026-01-01T00:00:00+00:00")
    admitted = admit(connection, bob, "subsonic")
    assert current_principal(connection) is admitted
    assert admitted.budget_key == "user:2" and admitted.client == lan and not admitted.admin
