"""The signed-in user's Subsonic access: ``/api/me/subsonic`` (GET, PUT, DELETE).

Subsonic apps sign in under ``/rest`` with a *Subsonic password*, separate from the
sign-in password (see :mod:`masterstream.users.subsonic`). ``PUT`` sets it (``null``: the
server generates a strong one) and shows it this once; ``DELETE`` turns access off.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ...users.passwords import MAX_PASSWORD_BYTES
from ..auth import CurrentPrincipal, get_auth
from .me import account

router = APIRouter(tags=["me"])


class SubsonicPassword(BaseModel):
    password: Annotated[
        str | None,
        Field(max_length=MAX_PASSWORD_BYTES, description="At least 8 characters; null: "
              "generate a strong one."),
    ] = None  # fmt: skip


class SubsonicAccess(BaseModel):
    enabled: bool
    username: str
    password: str | None = Field(None, description="Only in the answer to PUT, this once.")


@router.get("/api/me/subsonic", response_model=SubsonicAccess, response_model_exclude_none=True,
            summary="Whether my Subsonic access is on")  # fmt: skip
async def subsonic_status(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    user = account(principal)
    enabled = await asyncio.to_thread(get_auth(request).store.subsonic.enabled, user.id)
    return {"enabled": enabled, "username": user.name}


@router.put("/api/me/subsonic", response_model=SubsonicAccess,
            summary="Set (or generate) my Subsonic password; shown this once")  # fmt: skip
async def set_subsonic_password(
    request: Request, principal: CurrentPrincipal, body: SubsonicPassword
) -> dict[str, Any]:
    user = account(principal)
    store = get_auth(request).store
    password = await asyncio.to_thread(store.subsonic.enable, user, body.password)
    return {"enabled": True, "username": user.name, "password": password}


@router.delete("/api/me/subsonic", status_code=204, response_class=Response,
               summary="Turn my Subsonic access off")  # fmt: skip
async def disable_subsonic(request: Request, principal: CurrentPrincipal) -> Response:
    user = account(principal)
    await asyncio.to_thread(get_auth(request).store.subsonic.disable, user.id)
    return Response(status_code=204)
