"""The signed-in user's own things: ``/api/me/settings``, ``/api/me/keys``, password.

These need a user: a loopback client of a server without users, or the admin token, has
no account to keep settings or keys in (409). A new API key's secret is in the answer to
its creation and nowhere else, ever.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from ...mastering import PRESET_NAMES
from ...users import User
from ...users.keys import MAX_LABEL_CHARS
from ...users.models import BITRATES_KBPS, STREAM_FORMATS
from ...users.passwords import MAX_PASSWORD_BYTES
from ..account_schemas import ApiKeyView, NewApiKey, UserSettingsView
from ..auth import CurrentPrincipal, Principal, get_auth
from ..problems import ProblemError

router = APIRouter(tags=["me"])


class SettingsChange(BaseModel):
    """The settings to change; fields left out keep their value."""

    default_preset: Annotated[
        str | None, Field(max_length=64, description=f"One of {PRESET_NAMES}, or null")
    ] = None
    default_intensity: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    default_format: Annotated[str | None, Field(description=f"One of {STREAM_FORMATS}")] = None
    default_bitrate_kbps: Annotated[
        int | None, Field(description=f"One of {BITRATES_KBPS}, or null")
    ] = None
    default_loudness: Annotated[
        Literal["track", "album"] | None,
        Field(description="track: every track on the preset's target; album: the album"),
    ] = None


class NewKey(BaseModel):
    label: Annotated[str, Field(max_length=MAX_LABEL_CHARS)] = ""


class PasswordChange(BaseModel):
    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_BYTES)]
    new_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_BYTES)]


def account(principal: Principal) -> User:
    if principal.user is None:
        raise ProblemError(409, "no-account", "No account",
                           "sign in as a user: this request is not made by an account "
                           f"(it is authorised as {principal.via})")  # fmt: skip
    return principal.user


@router.get("/api/me/settings", response_model=UserSettingsView, summary="My listening defaults")
async def my_settings(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    user = account(principal)
    return get_auth(request).store.accounts.settings(user.id).to_dict()


@router.put(
    "/api/me/settings",
    response_model=UserSettingsView,
    summary="Change my listening defaults (fields sent only)",
)
async def change_settings(
    change: SettingsChange, request: Request, principal: CurrentPrincipal
) -> dict[str, Any]:
    user = account(principal)
    accounts = get_auth(request).store.accounts
    updated = accounts.settings(user.id).updated(**change.model_dump(exclude_unset=True))
    return accounts.put_settings(user.id, updated).to_dict()


@router.get(
    "/api/me/keys", response_model=list[ApiKeyView], summary="My API keys (never their secrets)"
)
async def my_keys(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    user = account(principal)
    return [key.to_dict() for key in get_auth(request).store.keys.list(user.id)]


@router.post(
    "/api/me/keys",
    status_code=201,
    response_model=NewApiKey,
    summary="A new API key, shown this once",
)
async def create_key(
    body: NewKey, request: Request, response: Response, principal: CurrentPrincipal
) -> dict[str, Any]:
    user = account(principal)
    keys = get_auth(request).store.keys
    created = keys.create(user, body.label)
    listed = next(k for k in keys.list(user.id) if k.id == created.id)
    response.headers["Cache-Control"] = "no-store"
    return {**listed.to_dict(), "key": created.secret}


@router.delete("/api/me/keys/{key_id}", status_code=204, summary="Revoke one of my API keys")
async def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request,
    principal: CurrentPrincipal,
) -> Response:  # fmt: skip
    user = account(principal)
    if not get_auth(request).store.keys.revoke(user.id, key_id):
        raise ProblemError(404, "key-not-found", "No such key", f"you have no key {key_id}")
    return Response(status_code=204)


@router.post("/api/me/password", status_code=204, summary="Change my password")
async def change_password(
    body: PasswordChange, request: Request, principal: CurrentPrincipal
) -> Response:
    """Needs the current password; every session of the user ends (sign in again)."""
    user = account(principal)
    accounts = get_auth(request).store.accounts
    if await asyncio.to_thread(accounts.authenticate, user.name, body.current_password) is None:
        raise ProblemError(403, "wrong-credentials", "Wrong password",
                           "the current password is wrong")  # fmt: skip
    await asyncio.to_thread(accounts.set_password, user.name, body.new_password)
    return Response(status_code=204)
