"""Accounts: names, roles, password hashes and per-user settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..db.database import Connection
from .database import UserDatabase
from .errors import LastAdminError, UserExistsError, UserNotFoundError
from .models import Role, User, UserSettings, check_name
from .passwords import PasswordHashing
from .recent import RecentAnswers


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _user(row: Any) -> User:
    return User(row["id"], row["name"], Role(row["role"]), row["created_at"])


class Accounts:
    """Create, find, change and remove users; check passwords."""

    def __init__(self, db: UserDatabase, hashing: PasswordHashing) -> None:
        self.db = db
        self.hashing = hashing
        self._recent: RecentAnswers[bool] = RecentAnswers(lambda: db.generation)

    def add(self, name: str, password: str, role: Role = Role.USER) -> User:
        """A new account (raises ``UserExistsError``, ``InvalidUserError``)."""
        check_name(name)
        password_hash = self.hashing.hash(password)
        with self.db.transaction() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise UserExistsError(name)
            cur = db.execute(
                "INSERT INTO users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (name, password_hash, role.value, now_iso()),
            )
            user_id = int(cur.fetchone()[0])
        return self.by_id(user_id)  # type: ignore[return-value]

    def add_first_admin(self, name: str, password: str) -> User | None:
        """The first account, an admin, only while there is none (None otherwise)."""
        check_name(name)
        password_hash = self.hashing.hash(password)
        with self.db.transaction() as db:
            if db.execute("SELECT 1 FROM users LIMIT 1").fetchone():
                return None
            cur = db.execute(
                "INSERT INTO users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (name, password_hash, Role.ADMIN.value, now_iso()),
            )
            user_id = int(cur.fetchone()[0])
        return self.by_id(user_id)

    def exist(self) -> bool:
        """Whether any account exists (sign-in is required from then on)."""
        return self._recent.get("exist", lambda: bool(
            self.db.query("SELECT EXISTS (SELECT 1 FROM users) AS e")[0]["e"]
        ))  # fmt: skip

    def list(self) -> list[User]:
        return [_user(r) for r in self.db.query("SELECT * FROM users ORDER BY name")]

    def get(self, name: str) -> User:
        rows = self.db.query("SELECT * FROM users WHERE name = ?", (name,))
        if not rows:
            raise UserNotFoundError(name)
        return _user(rows[0])

    def by_id(self, user_id: int) -> User | None:
        rows = self.db.query("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def authenticate(self, name: str, password: str) -> User | None:
        """The user whose name and password these are, or None. Always one full argon2
        verification, whether or not the name exists."""
        rows = self.db.query("SELECT * FROM users WHERE name = ?", (name[:64],))
        stored = rows[0]["password_hash"] if rows else None
        if not self.hashing.verify(stored, password):
            return None
        if self.hashing.needs_rehash(stored):
            self.db.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                            (self.hashing.hash(password), rows[0]["id"]))  # fmt: skip
        return _user(rows[0])

    def set_password(self, name: str, password: str) -> User:
        """A new password; the user's sessions end (signed out everywhere)."""
        password_hash = self.hashing.hash(password)
        user = self.get(name)
        with self.db.transaction() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user.id))
            db.execute("DELETE FROM user_sessions WHERE user_id = ?", (user.id,))
        return user

    def set_role(self, name: str, role: Role) -> User:
        """Make ``name`` an admin or a user; the last admin cannot be demoted."""
        with self.db.transaction() as db:
            row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise UserNotFoundError(name)
            if role is Role.USER and row["role"] == Role.ADMIN.value and _admins(db) == 1:
                raise LastAdminError(row["name"])
            db.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, row["id"]))
        return self.get(name)

    def remove(self, name: str) -> User:
        """Delete an account with its sessions and keys. The last admin can go only with
        the last user (the server then serves loopback clients only, as on first start)."""
        with self.db.transaction() as db:
            row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise UserNotFoundError(name)
            others = db.execute("SELECT COUNT(*) FROM users WHERE id != ?", (row["id"],))
            if row["role"] == Role.ADMIN.value and _admins(db) == 1 and others.fetchone()[0]:
                raise LastAdminError(row["name"])
            db.execute("DELETE FROM users WHERE id = ?", (row["id"],))
        return _user(row)

    def settings(self, user_id: int) -> UserSettings:
        rows = self.db.query("SELECT settings FROM users WHERE id = ?", (user_id,))
        stored = json.loads(rows[0]["settings"]) if rows else {}
        known = {k: v for k, v in stored.items() if k in UserSettings().to_dict()}
        return UserSettings(**known)

    def put_settings(self, user_id: int, settings: UserSettings) -> UserSettings:
        self.db.execute("UPDATE users SET settings = ? WHERE id = ?",
                        (json.dumps(settings.to_dict()), user_id))  # fmt: skip
        return settings


def _admins(db: Connection) -> int:
    return int(db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin'").fetchone()[0])
