"""Sign-in, sign-out, the first admin, Settings and Users in a real Chromium against a real
``masterstream serve`` (its own data directory: these tests create accounts)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from .accounts import (
    ADMIN,
    accounts_server,
    add_user,
    alert,
    contexts_fixture,
    expire_sessions,
    open_app,
    open_menu_item,
    sign_in,
    start_server,
    status,
    tone_library,
)
from .pages import AppPage

pytestmark = pytest.mark.timeout(180)
FIXTURES = (accounts_server, contexts_fixture)  # used by their names: server, contexts


def test_first_admin_on_a_fresh_server(browser, tmp_path: Path, contexts):
    fresh = start_server(tone_library(tmp_path))
    try:
        page = contexts().new_page()
        app = AppPage(page, fresh.base_url)
        app.open()  # no user yet, on loopback: the app works, and offers the first account
        assert page.request.get(fresh.base_url + "/api/session").json()["users_exist"] is False
        page.get_by_role("link", name="Create the first admin account").click()
        page.get_by_role("heading", name="Create the first admin account").wait_for()
        form = page.locator("#view-auth")
        form.get_by_label("Name", exact=True).fill("root")
        form.get_by_label("Password", exact=True).fill("first-password")
        form.get_by_label("Confirm password", exact=True).fill("other-password")
        app.button("Create admin account").click()
        alert(app, "#view-auth", "do not match")
        form.get_by_label("Confirm password", exact=True).fill("first-password")
        app.button("Create admin account").click()
        app.button("root").wait_for()
        session = page.request.get(fresh.base_url + "/api/session").json()
        assert session["signed_in"] and session["admin"] and session["user"]["name"] == "root"
        assert page.get_by_role("heading", name="Library").is_visible()
        open_menu_item(app, "root", "Users")
        page.get_by_role("heading", name="Users", exact=True).wait_for()
        row = page.get_by_role("table", name="Users").get_by_text("root")
        row.first.wait_for()  # the table fills once /api/users answers
        assert row.count() == 1
        anonymous = httpx.get(fresh.base_url + "/api/tracks")
        assert anonymous.status_code == 401  # users exist now: sign-in required, even on loopback
        app.assert_stayed_on_loopback()
    finally:
        fresh.stop()


def test_sign_in_wrong_then_right_and_throttled(server, contexts):
    app = open_app(contexts(), server.base_url)
    page = app.page
    assert not page.get_by_role("button", name="Play", exact=True).is_visible()
    form = page.locator("#view-auth")
    form.get_by_label("Name", exact=True).fill(ADMIN[0])
    form.get_by_label("Password", exact=True).fill("not-the-password")
    form.get_by_label("Password", exact=True).press("Enter")  # the keyboard submits the form
    alert(app, "#view-auth", "Wrong name or password")
    sign_in(app, *ADMIN)
    page.get_by_role("heading", name="Library").wait_for()
    assert page.request.get(server.base_url + "/api/me/settings").status == 200
    # Ten failures for one name, then the form says how long to wait.
    other = open_app(contexts(), server.base_url)
    for _ in range(10):
        answer = other.page.request.post(server.base_url + "/api/session",
                                         data={"name": "mallory", "password": "guess"})  # fmt: skip
        assert answer.status == 401
    sign_in_form = other.page.locator("#view-auth")
    sign_in_form.get_by_label("Name", exact=True).fill("mallory")
    sign_in_form.get_by_label("Password", exact=True).fill("guess")
    other.button("Sign in").click()
    alert(other, "#view-auth", re.compile(r"Too many failed sign-ins: try again in \d+ s"))
    app.assert_stayed_on_loopback()


def test_sign_out_ends_the_session_on_the_server(server, contexts):
    context = contexts()
    app = open_app(context, server.base_url)
    sign_in(app, *ADMIN)
    cookies = context.cookies()
    assert [c["name"] for c in cookies] == ["ms_session"] and cookies[0]["httpOnly"]
    open_menu_item(app, ADMIN[0], "Sign out")
    app.page.get_by_role("heading", name="Sign in", exact=True).wait_for()
    assert context.cookies() == []
    context.add_cookies(cookies)  # the old cookie, kept by someone: dead on the server
    answer = app.page.request.get(server.base_url + "/api/me/settings")
    assert answer.status == 401, answer.text()
    assert answer.json()["detail"].startswith("the session has ended")
    app.assert_stayed_on_loopback()


def test_admin_adds_a_user_who_cannot_manage_users(server, contexts):
    admin = open_app(contexts(), server.base_url)
    sign_in(admin, *ADMIN)
    open_menu_item(admin, ADMIN[0], "Users")
    page = admin.page
    page.get_by_role("heading", name="Users", exact=True).wait_for()
    page.get_by_label("Name", exact=True).fill("bob")
    page.get_by_label("Password", exact=True).fill("bob-password-1")
    page.get_by_label("Role", exact=True).select_option("user")
    admin.button("Add user").click()
    status(admin, "#users", "User bob added (user)")
    table = page.get_by_role("table", name="Users")
    bob_row = table.locator("tr", has_text="bob")
    assert bob_row.get_by_role("combobox", name="Role of bob").input_value() == "user"

    bob = open_app(contexts(), server.base_url)
    sign_in(bob, "bob", "bob-password-1")
    bob.button("bob").click()
    menu = bob.page.locator("#account-menu")
    menu.get_by_text("Sign out", exact=True).wait_for()
    assert menu.get_by_text("Users", exact=True).count() == 0
    bob.page.goto(server.base_url + "/#/users")
    bob.page.get_by_role("heading", name="Library").wait_for()
    assert not bob.page.get_by_role("heading", name="Users", exact=True).is_visible()
    assert bob.page.request.get(server.base_url + "/api/users").status == 403

    bob_row.get_by_role("combobox", name="Role of bob").select_option("admin")
    status(admin, "#users", "bob is now an admin")
    assert httpx.get(server.base_url + "/api/session").status_code == 200
    bob_row.get_by_role("combobox", name="Role of bob").select_option("user")
    status(admin, "#users", "bob is now a user")
    bob_row.get_by_label("New password for bob").fill("bob-password-2")
    bob_row.get_by_role("button", name="Reset password").click()
    status(admin, "#users", "password was reset")
    assert bob.page.request.get(server.base_url + "/api/me/settings").status == 401

    page.on("dialog", lambda dialog: dialog.accept())
    admin_row = table.locator("tr", has_text="(you)")
    admin_row.get_by_role("button", name="Remove").click()
    alert(admin, "#users", "is the last admin")
    bob_row.get_by_role("button", name="Remove").click()
    status(admin, "#users", "User bob removed")
    bob_row.wait_for(state="detached")
    names = [u["name"] for u in page.request.get(server.base_url + "/api/users").json()]
    assert "bob" not in names and ADMIN[0] in names
    admin.assert_stayed_on_loopback()


def test_an_ended_session_returns_to_sign_in_keeping_the_queue(server, contexts):
    add_user(server.base_url, "carol", "carol-password")
    app = open_app(contexts(), server.base_url)
    sign_in(app, "carol", "carol-password")
    page = app.page
    app.button("Open album Tone Album").click()
    app.button("Play album").click()
    app.wait_position(1.0)
    queue = page.evaluate("() => window.masterstream.player.queue.toJSON()")
    assert expire_sessions(server.workdir / "data", "carol") == 1
    page.get_by_role("heading", name="Sign in", exact=True).wait_for(timeout=30_000)
    page.get_by_text("Your session has ended").wait_for()
    held = page.evaluate("() => window.masterstream.player.startPositionS")
    assert page.evaluate("() => window.masterstream.player.playing") is False
    assert page.evaluate("() => window.masterstream.player.queue.toJSON()") == queue
    sign_in(app, "carol", "carol-password")
    page.get_by_role("heading", name="Library").wait_for()
    assert page.evaluate("() => window.masterstream.player.queue.toJSON()") == queue
    assert app.position() == pytest.approx(held, abs=0.2)
    app.button("Play").click()
    app.wait_position(held + 1.0)
    app.assert_stayed_on_loopback()
