"""Catalog schema versions and the steps between them (``PRAGMA user_version``).

Version 1 is the schema the first catalogs were written with (they never set
``user_version``, so a catalog at 0 that already has a ``tracks`` table is at 1). Each
later step runs in one transaction with the version bump, so a catalog is always at
exactly one version; rows, fingerprints and plans are kept by every step. A new
version is a new entry in :data:`STEPS`, never an edit of an old one.
"""

from __future__ import annotations

import sqlite3

from ..db.database import Connection, Dialect
from ..errors import CatalogError

V1 = """
CREATE TABLE IF NOT EXISTS tracks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    path         TEXT NOT NULL UNIQUE,
    signature    TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    mtime_ns     INTEGER NOT NULL,
    frames       INTEGER NOT NULL,
    sample_rate  INTEGER NOT NULL,
    channels     INTEGER NOT NULL,
    title        TEXT,
    artist       TEXT,
    fingerprint  TEXT,
    updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    track_id          INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    preset            TEXT NOT NULL,
    signature         TEXT NOT NULL,
    pipeline_version  TEXT NOT NULL,
    plan              TEXT NOT NULL,
    PRIMARY KEY (track_id, preset)
);
"""

_TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'"


def _fts(table: str, columns: tuple[str, ...]) -> str:
    """An external-content FTS5 index over ``table`` kept in step by triggers."""
    cols, new, old = (
        ", ".join(columns),
        ", ".join(f"new.{c}" for c in columns),
        ", ".join(f"old.{c}" for c in columns),
    )
    fts = f"{table}_fts"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    return f"""
CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', content_rowid='id', {_TOKENIZE});
CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END;
CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END;
CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN {delete} {insert} END;
INSERT INTO {fts}({fts}) VALUES ('rebuild');
"""


V2 = (
    """
CREATE TABLE artists (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
CREATE TABLE albums (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL,
    title_key       TEXT NOT NULL,
    artist_id       INTEGER NOT NULL REFERENCES artists(id),
    artist_name     TEXT NOT NULL,
    artist_key      TEXT NOT NULL,
    compilation     INTEGER NOT NULL DEFAULT 0,
    year            INTEGER,
    track_count     INTEGER NOT NULL DEFAULT 0,
    duration_s      REAL NOT NULL DEFAULT 0,
    cover_track_id  INTEGER,
    created_at      TEXT NOT NULL,
    UNIQUE (artist_key, title_key)
);
CREATE INDEX albums_by_title ON albums(title_key, id);
CREATE INDEX albums_by_artist ON albums(artist_id, year, title_key);
CREATE INDEX albums_by_artist_key ON albums(artist_key, year, title_key, id);
CREATE INDEX albums_by_year ON albums(year, title_key, id);
CREATE INDEX albums_by_created ON albums(created_at, id);
ALTER TABLE tracks ADD COLUMN ctime_ns INTEGER;
ALTER TABLE tracks ADD COLUMN inode INTEGER;
ALTER TABLE tracks ADD COLUMN format TEXT;
ALTER TABLE tracks ADD COLUMN album_id INTEGER REFERENCES albums(id);
ALTER TABLE tracks ADD COLUMN artist_id INTEGER REFERENCES artists(id);
ALTER TABLE tracks ADD COLUMN album TEXT;
ALTER TABLE tracks ADD COLUMN album_artist TEXT;
ALTER TABLE tracks ADD COLUMN track_number INTEGER;
ALTER TABLE tracks ADD COLUMN disc_number INTEGER;
ALTER TABLE tracks ADD COLUMN year INTEGER;
ALTER TABLE tracks ADD COLUMN genre TEXT;
ALTER TABLE tracks ADD COLUMN has_embedded_cover INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracks ADD COLUMN cover_path TEXT;
ALTER TABLE tracks ADD COLUMN info TEXT;
ALTER TABLE tracks ADD COLUMN title_key TEXT;
ALTER TABLE tracks ADD COLUMN artist_key TEXT;
ALTER TABLE tracks ADD COLUMN album_key TEXT;
CREATE INDEX tracks_by_album ON tracks(album_id, disc_number, track_number, title_key);
CREATE INDEX tracks_by_artist ON tracks(artist_id);
CREATE INDEX tracks_by_title ON tracks(title_key, id);
CREATE INDEX tracks_by_artist_key ON tracks(artist_key, album_key, disc_number, track_number, id);
CREATE INDEX tracks_by_album_key ON tracks(album_key, disc_number, track_number, id);
CREATE INDEX tracks_by_year ON tracks(year, album_key, disc_number, track_number, id);
CREATE INDEX tracks_unanalysed ON tracks(id) WHERE fingerprint IS NULL;
"""
    + _fts("tracks", ("title", "artist", "album", "album_artist"))
    + _fts("albums", ("title", "artist_name"))
    + _fts("artists", ("name",))
)

# tracks in id order over a covering index: deep pages skip index entries, not wide rows
V3 = "CREATE INDEX tracks_by_id ON tracks(id);"

# "by year" lists dated albums and tracks first, undated ones after them
V4 = """
DROP INDEX albums_by_year;
CREATE INDEX albums_by_year ON albums(year IS NULL, year, title_key, id);
DROP INDEX tracks_by_year;
CREATE INDEX tracks_by_year ON tracks(year IS NULL, year, album_key, disc_number, track_number, id);
"""

# what grouping needs to tell an untagged compilation from an album: the track's folder
# and whether its album artist (or compilation flag) was tagged
V5 = """
ALTER TABLE tracks ADD COLUMN folder TEXT;
ALTER TABLE tracks ADD COLUMN album_artist_tag TEXT;
ALTER TABLE tracks ADD COLUMN compilation INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tracks_by_folder_album ON tracks(folder, album_key);
UPDATE tracks SET folder = rtrim(rtrim(path, replace(path, '/', '')), '/'),
                  album_artist_tag = album_artist;  -- as grouped so far, until re-indexed
"""

# several servers sharing one catalog claim unanalysed tracks before analysing them
V6 = """
ALTER TABLE tracks ADD COLUMN analysis_owner TEXT;
ALTER TABLE tracks ADD COLUMN analysis_claimed_s REAL;
"""

STEPS: tuple[str, ...] = (
    V1,
    V2,
    V3,
    V4,
    V5,
    V6,
)  # STEPS[n - 1] brings a catalog from version n - 1 to n
LATEST_VERSION = len(STEPS)


def schema_version(db: sqlite3.Connection) -> int:
    """The catalog's version; 1 for a catalog written before versions were recorded."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if (
        version == 0
        and db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tracks'"
        ).fetchone()
    ):
        return 1
    return version


def migrate(db: sqlite3.Connection, *, target: int = LATEST_VERSION) -> int:
    """Bring ``db`` (autocommit mode) up to ``target``, one transaction per step; returns
    the version it started from. A catalog newer than this code is refused."""
    start = schema_version(db)
    if start > LATEST_VERSION:
        raise CatalogError(
            f"the catalog is at schema version {start}, newer than this masterstream "
            f"understands ({LATEST_VERSION}); upgrade masterstream"
        )
    for version in range(start + 1, target + 1):
        try:
            db.executescript(
                f"BEGIN IMMEDIATE;\n{STEPS[version - 1]}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return start


def prepare_catalog(db: Connection, dialect: Dialect) -> int:
    """Bring the catalog's schema up to date on either engine; returns the version it
    started from."""
    if dialect is Dialect.POSTGRES:
        from .schema_postgres import migrate_postgres

        return migrate_postgres(db, LATEST_VERSION)
    return migrate(db)  # type: ignore[arg-type]  # the sqlite3 connection itself
