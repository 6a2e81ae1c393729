"""Helpers for the auth and security tests: users in a server's catalog before it starts,
and HTTP clients that come from a chosen address (the ASGI scope's ``client``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from masterstream.api import create_app
from masterstream.config import Settings
from masterstream.users import Role, UserStore
from masterstream.users.passwords import FAST_TEST_PARAMETERS
from tests.api.conftest import make_options

LAN = "10.0.0.5"  # an address that is not loopback (never contacted: ASGI in process)
PASSWORD = "correct horse battery"


@dataclass(frozen=True, slots=True)
class Accounts:
    """Keys of an admin (alice) and a user (bob), made before the server started."""

    alice_key: str
    bob_key: str


def add_users(settings: Settings) -> Accounts:
    with UserStore(settings.catalog_path, hashing=FAST_TEST_PARAMETERS) as store:
        alice = store.accounts.add("alice", PASSWORD, Role.ADMIN)
        bob = store.accounts.add("bob", PASSWORD)
        return Accounts(store.keys.create(alice).secret, store.keys.create(bob).secret)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def client(app, address: str = "127.0.0.1", **kwargs) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 51000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", **kwargs)


@contextlib.asynccontextmanager
async def running(settings: Settings, **options: object) -> AsyncIterator:
    """The real app with its lifespan started (no socket: drive it with :func:`client`)."""
    app = create_app(settings, make_options(prepare_plans=False, **options))
    async with app.router.lifespan_context(app):
        yield app
