"""The users' tables, in the catalog's database (its SQLite file, or its PostgreSQL
database), on connections of their own.

The tables are created idempotently (``CREATE TABLE IF NOT EXISTS``; the same statements
on PostgreSQL through :func:`~masterstream.db.postgres.postgres_ddl`) and do not depend on
the catalog's schema version, so the CLI can add a user before the first scan and the
catalog's migrations never need to know about them. WAL mode lets the server's readers
and a CLI writer share a SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..db import Dialect, is_database_url, open_database
from ..db.database import Connection

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
    seq         INTEGER NOT NULL,  -- the user's stars in the order they were starred
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


def _prepare(db: Connection, dialect: Dialect) -> None:
    if dialect is Dialect.POSTGRES:
        from ..db.postgres import postgres_ddl, run_once

        run_once(db, postgres_ddl(SCHEMA), "masterstream-users-schema")
    else:
        db.executescript(SCHEMA)  # type: ignore[attr-defined]  # sqlite3's own


class UserDatabase:
    """The users' tables: in the catalog's SQLite file, or in its PostgreSQL database
    (shared by the servers of a cluster, so a user exists on every one of them)."""

    def __init__(self, target: str | Path) -> None:
        self.path = target if is_database_url(target) else Path(target)
        self._db = open_database(target, what="users' tables", prepare=_prepare)
        self.dialect = self._db.dialect
        self.generation = 0
        """Bumped by every write, so remembered answers (:mod:`.recent`) are dropped."""

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; driver errors become ``CatalogError``."""
        with self._db.transaction() as db:
            yield db
        self.generation += 1

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self._db.read(sql, params)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """One write statement in a transaction of its own; returns the rows changed."""
        changed = self._db.execute(sql, params)
        self.generation += 1
        return changed
