"""Response models of the account routes: session, my settings and keys, users (admin).

Each keeps fields it does not name (``extra="allow"``), so a route adding one never loses
it; the OpenAPI document lists the named ones.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(extra="allow")


class UserView(_View):
    id: int
    name: str
    role: Literal["admin", "user"]
    created_at: str = Field(description="ISO 8601, UTC.")


class UserSettingsView(_View):
    """A user's listening defaults."""

    default_preset: str | None
    default_intensity: float = Field(ge=0.0, le=1.0)
    default_format: str
    default_bitrate_kbps: int | None
    default_loudness: Literal["track", "album"] = "track"


class UserDetail(UserView):
    settings: UserSettingsView


class ApiKeyView(_View):
    """An API key as listed: never its secret."""

    id: int
    label: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: str
    last_used_at: str | None


class NewApiKey(ApiKeyView):
    key: str = Field(description="The secret: shown in this answer only.")


class SessionStatus(_View):
    """``GET /api/session``: who this request acts as."""

    signed_in: bool
    user: UserView | None
    via: str = Field(description="session, api-key, admin-token, loopback or anonymous.")
    admin: bool
    users_exist: bool
    setup_available: bool = Field(description="First-admin setup is offered (loopback only).")


class SessionStarted(_View):
    """A new session: the cookie is set on this answer."""

    user: UserView
    expires_at: str = Field(description="ISO 8601, UTC.")
