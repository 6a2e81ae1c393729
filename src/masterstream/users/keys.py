"""API keys for programs: ``Authorization: Bearer <key>``.

A key is ``msk_`` followed by 32 random bytes (URL-safe base64). It is shown once, when
created; the database keeps its SHA-256 (looked up by index, so no secret is compared in
Python) and its first characters, so a user can tell keys apart in a list.
"""

from __future__ import annotations

import secrets
from typing import Any

from .accounts import now_iso
from .database import UserDatabase
from .errors import InvalidUserError
from .models import ApiKeyInfo, NewSecret, Role, User
from .recent import RecentAnswers
from .sessions import MAX_TOKEN_CHARS, token_digest

KEY_PREFIX = "msk_"
KEY_BYTES = 32
SHOWN_CHARS = 10
MAX_LABEL_CHARS = 100


def _info(row: Any) -> ApiKeyInfo:
    return ApiKeyInfo(row["id"], row["label"], row["prefix"], row["created_at"],
                      row["last_used_at"])  # fmt: skip


class ApiKeys:
    """Create, list, revoke and resolve API keys."""

    def __init__(self, db: UserDatabase) -> None:
        self.db = db
        self._recent: RecentAnswers[User | None] = RecentAnswers(lambda: db.generation)

    def create(self, user: User, label: str = "") -> NewSecret:
        """A new key for ``user``; its secret is in the result and nowhere else."""
        label = label.strip()
        if len(label) > MAX_LABEL_CHARS or not label.isprintable():
            raise InvalidUserError(f"a key label is up to {MAX_LABEL_CHARS} printable characters")
        key = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
        with self.db.transaction() as db:
            cur = db.execute(
                "INSERT INTO user_api_keys (user_id, key_hash, label, prefix, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (user.id, token_digest(key), label, key[:SHOWN_CHARS], now_iso()),
            )
            key_id = int(cur.fetchone()[0])
        return NewSecret(key_id, key)

    def list(self, user_id: int) -> list[ApiKeyInfo]:
        rows = self.db.query("SELECT * FROM user_api_keys WHERE user_id = ? ORDER BY id",
                             (user_id,))  # fmt: skip
        return [_info(r) for r in rows]

    def revoke(self, user_id: int, key_id: int) -> bool:
        """Delete one of ``user_id``'s keys; False if it has no such key."""
        return self.db.execute("DELETE FROM user_api_keys WHERE id = ? AND user_id = ?",
                               (key_id, user_id)) > 0  # fmt: skip

    def user(self, key: str) -> User | None:
        """The owner of ``key``, or None; marks the key used."""
        if not key.startswith(KEY_PREFIX) or len(key) > MAX_TOKEN_CHARS:
            return None
        digest = token_digest(key)
        return self._recent.get(digest, lambda: self._lookup(digest))

    def _lookup(self, digest: bytes) -> User | None:
        rows = self.db.query(
            "SELECT k.id AS key_id, k.last_used_at, u.id, u.name, u.role, u.created_at"
            " FROM user_api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = ?",
            (digest,),
        )
        if not rows:
            return None
        row = rows[0]
        today = now_iso()[:10]
        if (row["last_used_at"] or "")[:10] != today:  # one write a day per key, at most
            self.db.execute("UPDATE user_api_keys SET last_used_at = ? WHERE id = ?",
                            (now_iso(), row["key_id"]))  # fmt: skip
        return User(row["id"], row["name"], Role(row["role"]), row["created_at"])
