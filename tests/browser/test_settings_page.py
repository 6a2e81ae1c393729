"""The Settings page in a real Chromium, signed in to a real ``masterstream serve``:
listening defaults saved and read back, the password change, API keys shown once and
working as Bearer tokens until revoked, Subsonic access."""

from __future__ import annotations

import httpx
import pytest

from .accounts import (
    accounts_server,
    add_user,
    alert,
    contexts_fixture,
    open_app,
    open_menu_item,
    sign_in,
    status,
)

pytestmark = pytest.mark.timeout(180)
SAVED = {"default_preset": "warm", "default_intensity": 0.4, "default_format": "mp3",
         "default_bitrate_kbps": 224}  # fmt: skip
FIXTURES = (accounts_server, contexts_fixture)  # used by their names: server, contexts


def settings_page(server, contexts, name: str, password: str):
    add_user(server.base_url, name, password)
    app = open_app(contexts(), server.base_url)
    sign_in(app, name, password)
    open_menu_item(app, name, "Settings")
    app.page.get_by_role("heading", name="Settings", exact=True).wait_for()
    return app


def test_defaults_saved_used_by_the_player_and_read_back(server, contexts):
    app = settings_page(server, contexts, "dora", "dora-password")
    page = app.page
    page.get_by_label("Default preset").select_option("warm")
    loudness = page.get_by_label("Default loudness")  # where the server has album loudness
    expected = SAVED | ({"default_loudness": "album"} if loudness.count() else {})
    if loudness.count():
        loudness.select_option("album")
    page.get_by_label("Default intensity").fill("0.4")
    formats = page.request.get(server.base_url + "/api/formats").json()["formats"]
    offered = {f["name"]: f["bitrates_kbps"] for f in formats}
    for name in ("opus", "mp3"):
        page.get_by_label("Default format").select_option(name)
        bitrates = page.get_by_label("Bitrate").locator("option").all_inner_texts()
        assert bitrates == [f"{b} kbit/s" for b in offered[name]]
    assert 224 in offered["mp3"]
    page.get_by_label("Bitrate").select_option("224")
    app.button("Save defaults").click()
    status(app, "#settings", "Defaults saved")
    assert page.get_by_role("combobox", name="Preset", exact=True).input_value() == "warm"
    assert page.get_by_role("slider", name="Intensity", exact=True).input_value() == "0.4"
    stored = page.request.get(server.base_url + "/api/me/settings").json()
    assert stored | expected == stored, stored
    page.reload()
    page.get_by_role("heading", name="Settings", exact=True).wait_for()
    page.get_by_role("button", name="Save defaults").wait_for()
    assert page.get_by_label("Default preset").input_value() == "warm"
    assert page.get_by_label("Default intensity").input_value() == "0.4"
    assert page.get_by_label("Default format").input_value() == "mp3"
    assert page.get_by_label("Bitrate").input_value() == "224"
    if "default_loudness" in expected:
        assert page.get_by_label("Default loudness").input_value() == "album"
    page.get_by_label("Default format").select_option("flac")
    assert not page.get_by_label("Bitrate").is_visible()  # FLAC has no bitrate
    app.assert_stayed_on_loopback()


def test_password_change(server, contexts):
    app = settings_page(server, contexts, "pat", "old-password")
    page = app.page
    page.get_by_label("Current password").fill("wrong-password")
    page.get_by_label("New password", exact=True).fill("new-password")
    page.get_by_label("Confirm new password").fill("new-password")
    app.button("Change password").click()
    alert(app, "#settings", "the current password is wrong")
    page.get_by_label("Current password").fill("old-password")
    page.get_by_label("New password", exact=True).fill("new-password")
    page.get_by_label("Confirm new password").fill("new-password")
    app.button("Change password").click()
    status(app, "#settings", "Password changed")
    assert page.request.get(server.base_url + "/api/me/settings").status == 200  # still in
    refused = httpx.post(server.base_url + "/api/session",
                         json={"name": "pat", "password": "old-password"})  # fmt: skip
    assert refused.status_code == 401
    app.assert_stayed_on_loopback()


def test_api_key_shown_once_works_then_revoked(server, contexts):
    app = settings_page(server, contexts, "kim", "kim-password")
    page = app.page
    page.get_by_label("Label").fill("scripts")
    app.button("Create API key").click()
    secret = page.get_by_role("textbox", name="New API key scripts").input_value()
    assert "shown only this once" in page.locator(".shown-once").inner_text()
    app.button("Copy").wait_for()
    row = page.get_by_role("table", name="API keys").locator("tr", has_text="scripts")
    prefix = row.locator("code").inner_text().rstrip("…")
    assert len(prefix) >= 6 and secret.startswith(prefix) and len(secret) > len(prefix) + 16
    assert row.locator("td").nth(3).inner_text() == "never"
    bearer = {"Authorization": f"Bearer {secret}"}
    tracks = httpx.get(server.base_url + "/api/tracks", headers=bearer)
    assert tracks.status_code == 200 and tracks.json()["total"] == 2
    page.get_by_role("link", name="Library").click()
    open_menu_item(app, "kim", "Settings")
    row.wait_for()
    assert secret not in page.content()  # shown once: never again
    assert row.locator("td").nth(3).inner_text() != "never"  # last used: just now
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    status(app, "#settings", "revoked")
    row.wait_for(state="detached")
    refused = httpx.get(server.base_url + "/api/tracks", headers=bearer)
    assert refused.status_code == 401
    app.assert_stayed_on_loopback()


def test_subsonic_access_enabled_then_disabled(server, contexts):
    app = settings_page(server, contexts, "sam", "sam-password")
    page = app.page
    app.button("Enable Subsonic access").click()
    password = page.get_by_role("textbox", name="Subsonic password").input_value()
    details = page.locator(".connection-details").inner_text()
    assert server.base_url in details and "sam" in details
    ping = {"u": "sam", "p": password, "v": "1.16.1", "c": "test", "f": "json"}
    answer = httpx.get(server.base_url + "/rest/ping.view", params=ping)
    assert answer.json()["subsonic-response"]["status"] == "ok"
    page.once("dialog", lambda dialog: dialog.accept())
    app.button("Disable Subsonic access").click()
    app.button("Enable Subsonic access").wait_for()
    assert page.request.get(server.base_url + "/api/me/subsonic").json()["enabled"] is False
    answer = httpx.get(server.base_url + "/rest/ping.view", params=ping)
    assert answer.json()["subsonic-response"]["status"] == "failed"
    app.assert_stayed_on_loopback()
