"""Signing in and out: ``/api/session`` and first-admin setup, ``/api/setup``.

Sign-in sets the session cookie: ``HttpOnly`` (scripts cannot read it), ``SameSite=Lax``
(other sites' forms and scripts do not send it) and ``Secure`` when the request came over
HTTPS (``X-Forwarded-Proto`` counts only from a ``--trusted-proxy``), for the app's own
path (``--root-path``, else ``/``). Failed sign-ins are
throttled per account and per address (429 with ``Retry-After``); the password is
checked on a worker thread (argon2id is deliberately slow) and never logged.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ...users import NewSecret, User
from ...users.passwords import MAX_PASSWORD_BYTES
from ..access import session_cookie
from ..account_schemas import SessionStarted, SessionStatus
from ..auth import SESSION_COOKIE, AuthState, CurrentPrincipal, Principal, get_auth
from ..problems import ProblemError

log = logging.getLogger("masterstream.auth")
router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_BYTES)]


def session_payload(principal: Principal, auth: AuthState) -> dict[str, Any]:
    users_exist = principal.user is not None or auth.store.accounts.exist()
    return {
        "signed_in": principal.user is not None,
        "user": None if principal.user is None else principal.user.to_dict(),
        "via": principal.via,
        "admin": principal.admin,
        "users_exist": users_exist,
        "setup_available": not users_exist and principal.client.loopback,
    }


def cookie_path(request: Request) -> str:
    """The session cookie's path: the root path the app is served under, else ``/``."""
    return request.scope.get("root_path") or "/"


def start_session(
    request: Request, response: Response, principal: Principal, user: User, session: NewSecret
) -> dict[str, Any]:
    """Set the session cookie; the body says who is signed in until when."""
    expires_at_s = session.expires_at_s or 0.0
    ttl_s = get_auth(request).store.sessions.ttl_s
    response.set_cookie(
        SESSION_COOKIE, session.secret, max_age=int(ttl_s), path=cookie_path(request),
        secure=principal.client.https, httponly=True, samesite="lax",
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return {
        "user": user.to_dict(),
        "expires_at": datetime.fromtimestamp(expires_at_s, UTC).isoformat(timespec="seconds"),
    }


@router.get(
    "/api/session",
    response_model=SessionStatus,
    summary="Who is signed in, and whether first-admin setup is offered",
)
async def who_am_i(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    return session_payload(principal, get_auth(request))


@router.post(
    "/api/session", response_model=SessionStarted, summary="Sign in (sets the session cookie)"
)
async def sign_in(
    body: Credentials, request: Request, response: Response, principal: CurrentPrincipal
) -> dict[str, Any]:
    auth = get_auth(request)
    address = principal.client.address
    wait_s = auth.throttle.retry_after_s(body.name, address)
    if wait_s is not None:
        raise ProblemError(
            429, "too-many-sign-ins", "Too many failed sign-ins",
            f"try again in {math.ceil(wait_s)} s", headers={"Retry-After": str(math.ceil(wait_s))},
        )  # fmt: skip
    auth.throttle.attempt(body.name, address)
    user = await asyncio.to_thread(auth.store.accounts.authenticate, body.name, body.password)
    if user is None:
        log.info("failed sign-in as %r from %s", body.name, address)
        raise ProblemError(401, "wrong-credentials", "Wrong name or password",
                           "the name or the password is wrong")  # fmt: skip
    auth.throttle.succeeded(body.name, address)
    session = await asyncio.to_thread(auth.store.sessions.create, user)
    return start_session(request, response, principal, user, session)


@router.delete("/api/session", status_code=204, summary="Sign out (ends the session)")
async def sign_out(request: Request) -> Response:
    token = session_cookie(request.scope)
    if token:
        await asyncio.to_thread(get_auth(request).store.sessions.end, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path=cookie_path(request), httponly=True,
                           samesite="lax")  # fmt: skip
    return response


@router.post(
    "/api/setup", status_code=201, response_model=SessionStarted,
    summary="Create the first (admin) account: from loopback only, only while there is none",
)  # fmt: skip
async def setup(
    body: Credentials, request: Request, response: Response, principal: CurrentPrincipal
) -> dict[str, Any]:
    if not principal.client.loopback:
        raise ProblemError(403, "setup-loopback-only", "Setup from this machine only",
                           "the first admin can be created only from the server's own "
                           "machine (loopback)")  # fmt: skip
    auth = get_auth(request)
    user = await asyncio.to_thread(auth.store.accounts.add_first_admin, body.name, body.password)
    if user is None:
        raise ProblemError(409, "setup-done", "Users exist already",
                           "the first admin exists; sign in instead")  # fmt: skip
    log.info("first admin %r created from %s", user.name, principal.client.address)
    session = await asyncio.to_thread(auth.store.sessions.create, user)
    return start_session(request, response, principal, user, session)
