"""The users' tables, in the catalog's SQLite file, on a connection of their own.

The tables are created idempotently (``CREATE TABLE IF NOT EXISTS``) and do not depend
on the catalog's schema version, so the CLI can add a user before the first scan and the
catalog's migrations never need to know about them. WAL mode lets the server's readers
and a CLI writer share the file.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import CatalogError
from ..library.sqlite import open_connection, write_transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    settings       TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_sessions (
    token_hash    BLOB PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at_s  REAL NOT NULL,
    expires_at_s  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS user_sessions_user ON user_sessions(user_id);
CREATE TABLE IF NOT EXISTS user_stars (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    item_id     INTEGER NOT NULL,
    starred_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, item_id)
);
CREATE TABLE IF NOT EXISTS user_plays (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    item_id      INTEGER NOT NULL,
    play_count   INTEGER NOT NULL,
    last_played_s  REAL NOT NULL,
    PRIMARY KEY (user_id, kind, item_id)
);
CREATE TABLE IF NOT EXISTS user_now_playing (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    player        TEXT NOT NULL,
    track_id      INTEGER NOT NULL,
    started_at_s  REAL NOT NULL,
    expires_at_s  REAL NOT NULL,
    PRIMARY KEY (user_id, player)
);
CREATE TABLE IF NOT EXISTS user_playlists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    comment     TEXT NOT NULL,
    public      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS user_playlists_user ON user_playlists(user_id);
CREATE TABLE IF NOT EXISTS user_playlist_tracks (
    playlist_id  INTEGER NOT NULL REFERENCES user_playlists(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    track_id     INTEGER NOT NULL,
    PRIMARY KEY (playlist_id, position)
);
CREATE TABLE IF NOT EXISTS user_api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key_hash      BLOB NOT NULL UNIQUE,
    label         TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT
);
CREATE TABLE IF NOT EXISTS user_subsonic (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    nonce       BLOB NOT NULL,
    sealed      BLOB NOT NULL,
    updated_at  TEXT NOT NULL
);
"""


class UserDatabase:
    """One SQLite connection shared by the accounts, sessions and keys, behind a lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = open_connection(path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise CatalogError(f"cannot open the users' tables in {path}: {exc}") from exc
        self._lock = threading.Lock()
        self.generation = 0
        """Bumped by every write, so remembered answers (:mod:`.recent`) are dropped."""

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); sqlite errors become ``CatalogError``."""
        with write_transaction(self._db, self._lock, "users' tables") as db:
            yield db
        self.generation += 1

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise CatalogError(f"users' tables: read failed: {exc}") from exc

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """One write statement outside a transaction; returns the rows changed."""
        with self._lock:
            try:
                changed = self._db.execute(sql, params).rowcount
                self.generation += 1
                return changed
            except sqlite3.Error as exc:
                raise CatalogError(f"users' tables: write failed: {exc}") from exc
