"""Sign-in sessions: random tokens, stored only as their SHA-256, with an absolute expiry.

The browser holds the token in an HttpOnly cookie; the database holds its digest, so a
copy of the database does not sign anyone in. Looking a session up is one indexed read
of the digest (no comparison of secrets in Python, so nothing to time). Signing out
deletes the row: the token is dead on the server, whatever the browser keeps.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from .database import UserDatabase
from .models import NewSecret, Role, User
from .recent import RecentAnswers

SESSION_TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 256


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


class Sessions:
    """Create, resolve and end sessions; expired ones are swept on creation."""

    def __init__(
        self, db: UserDatabase, *, ttl_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self.clock = clock
        self._recent: RecentAnswers[tuple[User, float] | None] = RecentAnswers(
            lambda: db.generation
        )

    def create(self, user: User) -> NewSecret:
        """A new session for ``user``: the token (for the cookie) and when it expires."""
        token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
        now_s = self.clock()
        expires_at_s = now_s + self.ttl_s
        with self.db.transaction() as db:
            db.execute("DELETE FROM user_sessions WHERE expires_at_s <= ?", (now_s,))
            db.execute(
                "INSERT INTO user_sessions (token_hash, user_id, created_at_s, expires_at_s)"
                " VALUES (?, ?, ?, ?)",
                (token_digest(token), user.id, now_s, expires_at_s),
            )
        return NewSecret(user.id, token, expires_at_s)

    def user(self, token: str) -> User | None:
        """The signed-in user of ``token``, or None (unknown, expired or signed out)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        digest = token_digest(token)
        found = self._recent.get(digest, lambda: self._lookup(digest))
        if found is None or found[1] <= self.clock():
            return None
        return found[0]

    def _lookup(self, digest: bytes) -> tuple[User, float] | None:
        rows = self.db.query(
            "SELECT u.id, u.name, u.role, u.created_at, s.expires_at_s FROM user_sessions s"
            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
            (digest,),
        )
        if not rows:
            return None
        row = rows[0]
        return User(row["id"], row["name"], Role(row["role"]), row["created_at"]), float(
            row["expires_at_s"]
        )

    def end(self, token: str) -> bool:
        """Sign out: the token stops working now. True if it was a live session."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return False
        return (
            self.db.execute(
                "DELETE FROM user_sessions WHERE token_hash = ?", (token_digest(token),)
            )
            > 0
        )

    def end_all(self, user_id: int) -> int:
        """Sign ``user_id`` out everywhere; returns how many sessions ended."""
        return self.db.execute("DELETE FROM user_sessions WHERE user_id = ?", (user_id,))
