"""System methods: ``ping``, ``getLicense`` and ``getOpenSubsonicExtensions``."""

from __future__ import annotations

from typing import Any

from .call import Method, SubsonicCall

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


METHODS = {
    "ping": Method(ping),
    "getLicense": Method(get_license),
    "getOpenSubsonicExtensions": Method(get_open_subsonic_extensions, auth=False),
}
