"""Subsonic passwords: a second, per-user password for Subsonic clients, encrypted at rest.

Subsonic's token auth sends ``t = md5(password + s)`` with a fresh salt ``s``, so the
server must be able to recompute it: it needs the password itself, not a one-way hash.
A user who enables Subsonic access gets a password of its own for it (never the sign-in
password, which stays hashed with argon2id), stored encrypted with AES-256-GCM under a
key kept in a file of the data directory (``subsonic.key``, mode 0600, made on first
use) and bound to the user's id, so a row copied onto another user does not decrypt.
Someone who reads both the database and the key file learns the Subsonic passwords;
someone with the database alone learns nothing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .accounts import now_iso
from .database import UserDatabase
from .errors import InvalidUserError
from .models import Role, User
from .passwords import check_password

KEY_FILE = "subsonic.key"
KEY_BYTES = 32
NONCE_BYTES = 12
GENERATED_BYTES = 18  # 24 URL-safe characters


def _load_key(path: Path) -> bytes:
    """The key in ``path``, made (0600, exclusively) if there is none yet."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise InvalidUserError(f"{path}: not a Subsonic key ({len(key)} bytes)") from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


class SubsonicPasswords:
    """Enable, disable and look up users' Subsonic passwords."""

    def __init__(self, db: UserDatabase, key_path: Path) -> None:
        self.db = db
        self.key_path = key_path
        self._cipher: AESGCM | None = None

    def _aead(self) -> AESGCM:
        if self._cipher is None:
            self.key_path.parent.mkdir(parents=True, exist_ok=True)
            self._cipher = AESGCM(_load_key(self.key_path))
        return self._cipher

    def enable(self, user: User, password: str | None = None) -> str:
        """Set ``user``'s Subsonic password (a strong one generated when None); returns it."""
        if password is None:
            password = secrets.token_urlsafe(GENERATED_BYTES)
        check_password(password)
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead().encrypt(nonce, password.encode(), _aad(user.id))
        self.db.execute(
            "INSERT INTO user_subsonic (user_id, nonce, sealed, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET nonce = excluded.nonce,"
            " sealed = excluded.sealed, updated_at = excluded.updated_at",
            (user.id, nonce, sealed, now_iso()),
        )
        return password

    def disable(self, user_id: int) -> bool:
        """Turn Subsonic access off; False if it was not on."""
        return self.db.execute("DELETE FROM user_subsonic WHERE user_id = ?", (user_id,)) > 0

    def enabled(self, user_id: int) -> bool:
        return bool(self.db.query("SELECT 1 FROM user_subsonic WHERE user_id = ?", (user_id,)))

    def credentials(self, name: str) -> tuple[User, str] | None:
        """The user called ``name`` and their Subsonic password, or None when there is no
        such user or Subsonic access is off for them."""
        rows = self.db.query(
            "SELECT u.id, u.name, u.role, u.created_at, s.nonce, s.sealed FROM users u"
            " JOIN user_subsonic s ON s.user_id = u.id WHERE u.name = ?", (name[:64],),
        )  # fmt: skip
        if not rows:
            return None
        row = rows[0]
        try:
            plain = self._aead().decrypt(row["nonce"], row["sealed"], _aad(row["id"]))
        except InvalidTag:
            return None  # another key file, or a row moved between users
        user = User(row["id"], row["name"], Role(row["role"]), row["created_at"])
        return user, plain.decode()


def _aad(user_id: int) -> bytes:
    return f"masterstream-subsonic:{user_id}".encode()
