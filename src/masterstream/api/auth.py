"""Admin authorisation: ``Authorization: Bearer <token>`` when an admin token is set.

No header (or another scheme) is 401 with a ``WWW-Authenticate`` challenge; a wrong
token is 403. Tokens are compared in constant time. Without a configured token the
admin endpoints are open — the server binds to loopback unless told otherwise.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header

from .problems import ProblemError
from .state import ServerState, get_state

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="masterstream-admin"'}


def check_admin(configured_token: str | None, authorization: str | None) -> None:
    """Raise the 401/403 problem unless ``authorization`` carries ``configured_token``."""
    if not configured_token:
        return
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise ProblemError(
            401, "unauthorized", "Authentication required",
            "this endpoint needs 'Authorization: Bearer <admin token>'", headers=CHALLENGE,
        )  # fmt: skip
    if not hmac.compare_digest(presented.strip().encode(), configured_token.encode()):
        raise ProblemError(403, "forbidden", "Forbidden", "the admin token is not valid")


async def require_admin(
    state: Annotated[ServerState, Depends(get_state)],
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """FastAPI dependency guarding the admin endpoints."""
    check_admin(state.settings.admin_token, authorization)
