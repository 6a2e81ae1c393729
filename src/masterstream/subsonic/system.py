"""System methods: ``ping``, ``getLicense`` and ``getOpenSubsonicExtensions``."""

from __future__ import annotations

from typing import Any

from ..users import UserNotFoundError
from .call import Method, SubsonicCall, blocking
from .errors import NOT_AUTHORISED, SubsonicError, not_found

EXTENSIONS: list[dict[str, Any]] = [
    {"name": "apiKeyAuthentication", "versions": [1]},
    {"name": "formPost", "versions": [1]},
    {"name": "transcodeOffset", "versions": [1]},
    # ours: stream takes preset=<name> and intensity=<0..1> (the user's defaults otherwise)
    {"name": "masterstreamMastering", "versions": [1]},
]


async def ping(call: SubsonicCall) -> dict[str, Any]:
    return {}


async def get_license(call: SubsonicCall) -> dict[str, Any]:
    return {"license": {"valid": True}}


async def get_open_subsonic_extensions(call: SubsonicCall) -> dict[str, Any]:
    return {"openSubsonicExtensions": EXTENSIONS}


def _user_entry(name: str, admin: bool) -> dict[str, Any]:
    return {
        "username": name, "scrobblingEnabled": True, "adminRole": admin,
        "settingsRole": True, "downloadRole": True, "uploadRole": False,
        "playlistRole": True, "coverArtRole": True, "commentRole": False,
        "podcastRole": False, "streamRole": True, "jukeboxRole": False, "shareRole": False,
        "videoConversionRole": False, "folder": [1],
    }  # fmt: skip


def get_user(call: SubsonicCall) -> dict[str, Any]:
    """A user's roles: one's own, or anyone's for an admin (the loopback client of a
    server without users is an admin of any name it asks for)."""
    name = call.require("username")
    asking = call.user
    if asking is None:
        return {"user": _user_entry(name, admin=True)}
    if name.casefold() != asking.name.casefold() and not asking.is_admin:
        raise SubsonicError(NOT_AUTHORISED, "only an admin may see other users")
    store = call.request.app.state.auth.store
    try:
        user = asking if name.casefold() == asking.name.casefold() else store.accounts.get(name)
    except UserNotFoundError:
        raise not_found(f"user {name[:64]!r}") from None
    return {"user": _user_entry(user.name, user.is_admin)}


METHODS = {
    "ping": Method(ping),
    "getLicense": Method(get_license),
    "getOpenSubsonicExtensions": Method(get_open_subsonic_extensions, auth=False),
    "getUser": Method(blocking(get_user)),
}
