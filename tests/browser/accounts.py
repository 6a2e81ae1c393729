"""Accounts for the browser tests: a server with users, an admin's HTTP client, and the
web app's sign-in driven through its accessible controls."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess

from .pages import AppPage

ADMIN = ("admin", "admin-password-1")
TONE_TRACKS = {"Dawn": 20.0, "Dusk": 14.0}  # title: duration_s (2-second chunks)


def tone_library(root: Path) -> Path:
    album = root / "music" / "Tone Artist" / "Tone Album"
    album.mkdir(parents=True)
    for number, (title, duration_s) in enumerate(TONE_TRACKS.items(), start=1):
        write_tone(album / f"{number:02d} - {title}.wav", duration_s=duration_s,
                   frequency_hz=300.0 + 100 * number, amplitude=0.3)  # fmt: skip
    return root


def start_server(root: Path) -> ServerProcess:
    """``masterstream serve`` on a fresh data dir (no user yet), its library scanned."""
    process = ServerProcess(
        root, "--library", str(root / "music"), "--data-dir", str(root / "data"),
        env={"MASTERSTREAM_CHUNK_DURATION_S": "2", "MASTERSTREAM_RENDER_WORKERS": "2"},
    ).start()  # fmt: skip
    deadline = time.monotonic() + 60
    while httpx.get(f"{process.base_url}/api/tracks").json()["total"] < len(TONE_TRACKS):
        assert time.monotonic() < deadline, "the library was not scanned in 60 s"
        time.sleep(0.2)
    return process


@contextmanager
def signed_in_client(base_url: str, name: str, password: str) -> Iterator[httpx.Client]:
    """An HTTP client signed in by cookie, sending ``Origin`` as the web app does."""
    with httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=30) as client:
        client.post("/api/session", json={"name": name, "password": password}).raise_for_status()
        yield client


def add_user(base_url: str, name: str, password: str, role: str = "user") -> None:
    with signed_in_client(base_url, *ADMIN) as admin:
        admin.post("/api/users", json={"name": name, "password": password, "role": role})
        admin.get(f"/api/users/{name}").raise_for_status()


def expire_sessions(data_dir: Path, name: str) -> int:
    """End ``name``'s sessions behind the server's back (as time would), in its SQLite."""
    with sqlite3.connect(data_dir / "catalog.sqlite3") as db:
        cursor = db.execute(
            "UPDATE user_sessions SET expires_at_s = 1 WHERE user_id ="
            " (SELECT id FROM users WHERE name = ?)",
            (name,),
        )
        return cursor.rowcount


def open_app(context: Any, base_url: str) -> AppPage:
    """A page of ``context`` on the app, signed out (the sign-in page showing)."""
    page = context.new_page()
    app = AppPage(page, base_url)
    page.goto(base_url + "/")
    page.get_by_role("heading", name="Sign in", exact=True).wait_for(timeout=20_000)
    return app


def sign_in(app: AppPage, name: str, password: str) -> None:
    """Fill the sign-in form and wait for the app to be ready as ``name``."""
    page = app.page
    form = page.locator("#view-auth")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Password", exact=True).fill(password)
    app.button("Sign in").click()
    app.button(name).wait_for(timeout=20_000)
    page.wait_for_selector("html[data-ready=true]", timeout=20_000)


def open_menu_item(app: AppPage, user: str, item: str) -> None:
    """Open the account menu under ``user``'s name and follow ``item``."""
    app.button(user).click()
    menu_item = app.page.locator("#account-menu").get_by_text(item, exact=True)
    menu_item.click()


@pytest.fixture(scope="module", name="server")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose first admin was created over HTTP from loopback."""
    process = start_server(tone_library(tmp_path_factory.mktemp("accounts")))
    name, password = ADMIN
    httpx.post(f"{process.base_url}/api/setup", json={"name": name, "password": password},
               headers={"Origin": process.base_url}).raise_for_status()  # fmt: skip
    yield process
    process.stop()


@pytest.fixture(name="contexts")
def contexts_fixture(browser) -> Iterator[Callable[[], Any]]:
    """New browser contexts (separate cookie jars), closed after the test."""
    opened: list[Any] = []

    def new_context() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        opened.append(context)
        return context

    yield new_context
    for context in opened:
        context.close()


def said(app: AppPage, within: str, role: str, text: str | re.Pattern[str]) -> str:
    """Wait until a ``role`` element (alert, status) in ``within`` says ``text``; its text."""
    found = app.page.locator(within).get_by_role(role).filter(has_text=text).first
    found.wait_for(timeout=20_000)
    return found.inner_text()


def alert(app: AppPage, within: str, text: str | re.Pattern[str]) -> str:
    return said(app, within, "alert", text)


def status(app: AppPage, within: str, text: str | re.Pattern[str]) -> str:
    return said(app, within, "status", text)
