"""Subsonic errors: the codes a ``/rest`` answer carries in ``<error code message>``.

Every one is a :class:`~masterstream.errors.MasterstreamError`; the router answers them
with HTTP 200 and ``status="failed"``, as Subsonic servers do.
"""

from __future__ import annotations

from ..errors import MasterstreamError

GENERIC = 0
MISSING_PARAMETER = 10
CLIENT_TOO_OLD = 20
SERVER_TOO_OLD = 30
WRONG_CREDENTIALS = 40
TOKEN_NOT_SUPPORTED = 41
AUTH_NOT_SUPPORTED = 42
CONFLICTING_AUTH = 43
INVALID_API_KEY = 44
NOT_AUTHORISED = 50
NOT_FOUND = 70


class SubsonicError(MasterstreamError):
    """A Subsonic error: its ``code`` and a ``message`` for the user."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def missing(name: str) -> SubsonicError:
    return SubsonicError(MISSING_PARAMETER, f"Required parameter is missing: {name}")


def not_found(what: str) -> SubsonicError:
    return SubsonicError(NOT_FOUND, f"{what} not found")


def invalid(name: str, problem: str) -> SubsonicError:
    """A parameter that is present but not usable (Subsonic has no code of its own for it)."""
    return SubsonicError(GENERIC, f"Invalid parameter {name}: {problem}")
