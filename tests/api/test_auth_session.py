"""Signing in and out, cookies, expiry, CSRF, throttling, first-admin setup, the user's own
settings and keys, and the admin's user management — over the real app."""

from __future__ import annotations

import asyncio

from masterstream.users import UserStore
from tests.users.servers import LAN, PASSWORD, add_users, bearer, client, running

SAME_ORIGIN = {"Origin": "http://testserver"}


async def sign_in(http, name: str = "bob", password: str = PASSWORD):
    return await http.post("/api/session", json={"name": name, "password": password},
                           headers=SAME_ORIGIN)  # fmt: skip


async def test_sign_in_sets_an_httponly_lax_cookie_that_opens_the_api(settings):
    add_users(settings)
    async with running(settings) as app, client(app, LAN) as http:
        response = await sign_in(http)
        assert response.status_code == 200 and response.json()["user"]["name"] == "bob"
        cookie = response.headers["set-cookie"]
        assert "ms_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain HTTP
        assert PASSWORD not in response.text
        assert (await http.get("/api/tracks")).status_code == 200  # the cookie jar sends it
        me = (await http.get("/api/session")).json()
        assert me["signed_in"] and me["via"] == "session" and me["user"]["name"] == "bob"


async def test_secure_cookie_over_https_only_through_a_trusted_proxy(settings):
    add_users(settings)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}
    for trusted, secure in (((), False), ((LAN,), True)):
        proxied = settings.with_overrides(trusted_proxies=trusted)
        async with running(proxied) as app, client(app, LAN) as http:
            response = await http.post(
                "/api/session", json={"name": "bob", "password": PASSWORD},
                headers={**https, **SAME_ORIGIN},
            )  # fmt: skip
            assert response.status_code == 200
            assert ("Secure" in response.headers["set-cookie"]) is secure


async def test_sign_out_kills_the_session_on_the_server(settings):
    add_users(settings)
    async with running(settings) as app, client(app, LAN) as http:
        await sign_in(http)
        token = http.cookies["ms_session"]
        out = await http.delete("/api/session", headers=SAME_ORIGIN)
        assert out.status_code == 204 and "ms_session=" in out.headers["set-cookie"]
    async with running(settings) as app, client(app, LAN, cookies={"ms_session": token}) as http:
        replayed = await http.get("/api/tracks")  # the old cookie, kept by an attacker
        assert replayed.status_code == 401 and "invalid-credentials" in replayed.json()["type"]


async def test_sessions_expire(settings):
    add_users(settings)
    async with running(settings.with_overrides(session_ttl_s=1.0)) as app, client(app, LAN) as http:
        await sign_in(http)
        assert (await http.get("/api/tracks")).status_code == 200
        await asyncio.sleep(1.2)
        assert (await http.get("/api/tracks")).status_code == 401


async def test_cookie_writes_need_to_show_their_origin(settings):
    add_users(settings)
    async with running(settings) as app, client(app, LAN) as http:
        await sign_in(http)
        bare = await http.post("/api/me/keys", json={"label": "x"})
        assert bare.status_code == 403 and bare.json()["type"].endswith("/csrf")
        evil = await http.post("/api/me/keys", json={"label": "x"},
                               headers={"Origin": "http://evil.example"})  # fmt: skip
        assert evil.status_code == 403
        ok = await http.post("/api/me/keys", json={"label": "x"}, headers=SAME_ORIGIN)
        assert ok.status_code == 201
        fetch = await http.post("/api/me/keys", json={}, headers={"Sec-Fetch-Site": "same-origin"})
        assert fetch.status_code == 201


async def test_wrong_passwords_are_throttled_per_account(settings):
    add_users(settings)
    async with running(settings) as app, client(app, LAN) as http:
        for _ in range(10):
            wrong = await sign_in(http, password="not the password")
            assert wrong.status_code == 401 and "wrong-credentials" in wrong.json()["type"]
        limited = await sign_in(http)  # even the right password waits now
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert (await sign_in(http, name="alice")).status_code == 200  # other accounts work
    async with running(settings) as app, client(app, LAN) as http:
        assert (await sign_in(http)).status_code == 200  # a restart forgets (memory only)


async def test_first_admin_setup_from_loopback_only_and_only_once(settings):
    async with running(settings) as app:
        async with client(app, LAN) as remote:
            refused = await remote.post("/api/setup", json={"name": "root", "password": PASSWORD})
            assert refused.status_code == 403
        async with client(app) as local:
            assert (await local.get("/api/session")).json()["setup_available"]
            created = await local.post("/api/setup", json={"name": "root", "password": PASSWORD})
            assert created.status_code == 201 and created.json()["user"]["role"] == "admin"
            assert "ms_session=" in created.headers["set-cookie"]
            me = (await local.get("/api/session")).json()
            assert me["user"]["name"] == "root" and not me["setup_available"]
            again = await local.post("/api/setup", json={"name": "evil", "password": PASSWORD},
                                     headers=SAME_ORIGIN)  # fmt: skip
            assert again.status_code == 409
        async with client(app) as anonymous:
            assert (await anonymous.get("/api/tracks")).status_code == 401  # sign-in required
    with UserStore(settings.catalog_path) as store:
        assert [u.name for u in store.accounts.list()] == ["root"]


async def test_my_settings_and_keys(settings):
    accounts = add_users(settings)
    bob = bearer(accounts.bob_key)
    async with running(settings) as app, client(app, LAN, headers=bob) as http:
        assert (await http.get("/api/me/settings")).json()["default_preset"] is None
        change = {"default_preset": "warm", "default_intensity": 0.5, "default_loudness": "album"}
        changed = await http.put("/api/me/settings", json=change)
        assert changed.json() == {**change, "default_format": "wav", "default_bitrate_kbps": None}
        loud = await http.put("/api/me/settings", json={"default_loudness": "loud"})
        assert loud.status_code == 422
        bad = await http.put("/api/me/settings", json={"default_preset": "loudest"})
        assert bad.status_code == 422 and "valid_presets" in bad.json()
        created = await http.post("/api/me/keys", json={"label": "car"})
        assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
        key = created.json()
        listed = (await http.get("/api/me/keys")).json()
        assert [k["label"] for k in listed] == ["", "car"]
        assert key["key"] not in str(listed)
        assert (await http.get("/api/tracks", headers=bearer(key["key"]))).status_code == 200
        assert (await http.delete(f"/api/me/keys/{key['id']}")).status_code == 204
        assert (await http.get("/api/tracks", headers=bearer(key["key"]))).status_code == 401
        assert (await http.delete(f"/api/me/keys/{key['id']}")).status_code == 404


async def test_changing_my_password_needs_the_current_one(settings):
    add_users(settings)
    async with running(settings) as app, client(app, LAN, headers=SAME_ORIGIN) as http:
        await sign_in(http)
        body = {"current_password": "wrong one", "new_password": "brand new secret"}
        assert (await http.post("/api/me/password", json=body)).status_code == 403
        body["current_password"] = PASSWORD
        assert (await http.post("/api/me/password", json=body)).status_code == 204
        assert (await http.get("/api/tracks")).status_code == 401  # signed out everywhere
        assert (await sign_in(http, password="brand new secret")).status_code == 200


async def test_accounts_without_a_user_have_no_settings(settings):
    async with running(settings) as app, client(app) as http:  # loopback, no user
        response = await http.get("/api/me/settings")
        assert response.status_code == 409 and "no-account" in response.json()["type"]


async def test_admins_manage_users(settings):
    accounts = add_users(settings)
    async with (
        running(settings) as app,
        client(app, LAN, headers=bearer(accounts.alice_key)) as http,
    ):
        carol = await http.post("/api/users", json={"name": "carol", "password": PASSWORD})
        assert carol.status_code == 201 and carol.json()["role"] == "user"
        dup = await http.post("/api/users", json={"name": "Carol", "password": PASSWORD})
        assert dup.status_code == 409
        weak = await http.post("/api/users", json={"name": "dave", "password": "short"})
        assert weak.status_code == 422
        names = [u["name"] for u in (await http.get("/api/users")).json()]
        assert names == ["alice", "bob", "carol"]
        promoted = await http.patch("/api/users/carol", json={"role": "admin"})
        assert promoted.json()["role"] == "admin"
        assert (await http.get("/api/users/carol")).json()["settings"]["default_format"] == "wav"
        assert (await http.delete("/api/users/carol")).status_code == 204
        assert (await http.get("/api/users/carol")).status_code == 404
        last = await http.patch("/api/users/alice", json={"role": "user"})
        assert last.status_code == 409 and "last-admin" in last.json()["type"]
    async with running(settings) as app, client(app, LAN, headers=bearer(accounts.bob_key)) as http:
        assert (
            await http.post("/api/users", json={"name": "x", "password": PASSWORD})
        ).status_code == 403
