"""What the users layer hands out: accounts, their settings, API keys and sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from ..errors import InvalidParameterError
from .errors import InvalidUserError

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
STREAM_FORMATS = ("wav", "flac", "mp3", "opus", "raw")
"""Formats a user may choose as default (``raw``: the original file, for Subsonic clients)."""
BITRATES_KBPS = (32, 48, 64, 96, 128, 160, 192, 224, 256, 320)
"""Default bitrates a user may choose: every one an encoder offers (MP3 has 224)."""


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"


def check_name(name: str) -> str:
    """``name`` if it is a valid user name (1-64 of letters, digits, ``._-``)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise InvalidUserError(
            "a user name is 1-64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit", name=str(name)[:64],
        )  # fmt: skip
    return name


@dataclass(frozen=True, slots=True)
class UserSettings:
    """A user's listening defaults (``None`` preset: the server's default preset)."""

    default_preset: str | None = None
    default_intensity: float = 1.0
    default_format: str = "wav"
    default_bitrate_kbps: int | None = None
    default_loudness: str = "track"  # or "album": the album on the target, its dynamics kept

    def __post_init__(self) -> None:
        from ..mastering import get_preset, validate_intensity  # heavy: not at CLI start-up

        if self.default_preset is not None:
            get_preset(self.default_preset)
        validate_intensity(self.default_intensity)
        if self.default_format not in STREAM_FORMATS:
            raise InvalidParameterError(
                "default_format", f"must be one of {', '.join(STREAM_FORMATS)}"
            )
        if self.default_bitrate_kbps is not None and (
            isinstance(self.default_bitrate_kbps, bool)
            or self.default_bitrate_kbps not in BITRATES_KBPS
        ):
            raise InvalidParameterError(
                "default_bitrate_kbps", f"must be one of {BITRATES_KBPS} or null"
            )
        if self.default_loudness not in ("track", "album"):
            raise InvalidParameterError("default_loudness", "must be one of track, album")

    def to_dict(self) -> dict[str, Any]:
        return {
            "default_preset": self.default_preset,
            "default_intensity": self.default_intensity,
            "default_format": self.default_format,
            "default_bitrate_kbps": self.default_bitrate_kbps,
            "default_loudness": self.default_loudness,
        }

    def updated(self, **changes: Any) -> UserSettings:
        """A copy with ``changes`` applied (validated like a new value)."""
        unknown = set(changes) - set(self.to_dict())
        if unknown:
            raise InvalidParameterError(sorted(unknown)[0], "is not a user setting")
        if "default_intensity" in changes:
            from ..mastering import validate_intensity

            changes["default_intensity"] = validate_intensity(changes["default_intensity"])
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class User:
    """An account (never carries its password hash)."""

    id: int
    name: str
    role: Role
    created_at: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role.value,
                "created_at": self.created_at}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """An API key as listed: its id, label and first characters, never the secret."""

    id: int
    label: str
    prefix: str
    created_at: str
    last_used_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "prefix": self.prefix,
                "created_at": self.created_at, "last_used_at": self.last_used_at}  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewSecret:
    """A session token or API key just created: the secret is shown this once."""

    id: int
    secret: str
    expires_at_s: float | None = None
