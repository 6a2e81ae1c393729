"""Users: accounts, password hashing, sessions, API keys, render budgets and sign-in
throttling. Storage lives in the catalog's SQLite file; nothing here knows HTTP."""

from .errors import InvalidUserError, LastAdminError, UserError, UserExistsError, UserNotFoundError
from .models import ApiKeyInfo, NewSecret, Role, User, UserSettings
from .passwords import HashParameters, PasswordHashing
from .store import UserStore

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
