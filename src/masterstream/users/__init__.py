"""Users: accounts, password hashing, sessions, API keys, render budgets and sign-in
throttling. Storage lives in the catalog's SQLite file; nothing here knows HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "ApiKeyInfo": "models",
    "HashParameters": "passwords",
    "InvalidUserError": "errors",
    "LastAdminError": "errors",
    "NewSecret": "models",
    "PasswordHashing": "passwords",
    "Role": "models",
    "User": "models",
    "UserError": "errors",
    "UserExistsError": "errors",
    "UserNotFoundError": "errors",
    "UserSettings": "models",
    "UserStore": "store",
}
__all__ = [
    "ApiKeyInfo",
    "HashParameters",
    "InvalidUserError",
    "LastAdminError",
    "NewSecret",
    "PasswordHashing",
    "Role",
    "User",
    "UserError",
    "UserExistsError",
    "UserNotFoundError",
    "UserSettings",
    "UserStore",
]
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real objects
    from .errors import (
        InvalidUserError,
        LastAdminError,
        UserError,
        UserExistsError,
        UserNotFoundError,
    )
    from .models import ApiKeyInfo, NewSecret, Role, User, UserSettings
    from .passwords import HashParameters, PasswordHashing
    from .store import UserStore
