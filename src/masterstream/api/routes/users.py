"""Accounts, for admins: ``/api/users`` (list, create, read, change, remove)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from ...users import Role
from ...users.passwords import MAX_PASSWORD_BYTES
from ..account_schemas import UserDetail, UserView
from ..auth import get_auth, require_admin

router = APIRouter(tags=["users"], dependencies=[Depends(require_admin)])
UserName = Annotated[str, Path(min_length=1, max_length=64)]


class NewUser(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_BYTES)]
    role: Literal["admin", "user"] = "user"


class UserChange(BaseModel):
    """Fields left out keep their value; a new password signs the user out everywhere."""

    role: Literal["admin", "user"] | None = None
    password: Annotated[str | None, Field(min_length=1, max_length=MAX_PASSWORD_BYTES)] = None


@router.get("/api/users", response_model=list[UserView], summary="Every account (admin)")
async def list_users(request: Request) -> list[dict[str, Any]]:
    return [user.to_dict() for user in get_auth(request).store.accounts.list()]


@router.post(
    "/api/users", status_code=201, response_model=UserView, summary="Create an account (admin)"
)
async def create_user(body: NewUser, request: Request) -> dict[str, Any]:
    accounts = get_auth(request).store.accounts
    user = await asyncio.to_thread(accounts.add, body.name, body.password, Role(body.role))
    return user.to_dict()


@router.get(
    "/api/users/{name}", response_model=UserDetail, summary="One account and its settings (admin)"
)
async def get_user(name: UserName, request: Request) -> dict[str, Any]:
    accounts = get_auth(request).store.accounts
    user = accounts.get(name)
    return {**user.to_dict(), "settings": accounts.settings(user.id).to_dict()}


@router.patch(
    "/api/users/{name}",
    response_model=UserView,
    summary="Change an account's role or password (admin)",
)
async def change_user(name: UserName, body: UserChange, request: Request) -> dict[str, Any]:
    accounts = get_auth(request).store.accounts
    user = accounts.get(name)
    if body.password is not None:
        await asyncio.to_thread(accounts.set_password, name, body.password)
    if body.role is not None:
        user = accounts.set_role(name, Role(body.role))
    return user.to_dict()


@router.delete("/api/users/{name}", status_code=204, summary="Remove an account (admin)")
async def remove_user(name: UserName, request: Request) -> Response:
    get_auth(request).store.accounts.remove(name)
    return Response(status_code=204)
