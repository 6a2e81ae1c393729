"""The SQLite track catalog: what tracks exist, their content signatures, fingerprints and plans.

One file (``catalog.sqlite3`` under the data directory), WAL journal, one connection
guarded by a lock so the server's threads can share it. Fingerprints and mastering
plans are stored as JSON; a plan row is valid only for the signature and pipeline
version it was computed from, so a changed file or a new DSP version recomputes it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import CatalogError, TrackNotFoundError

SCHEMA = """
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


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """One catalog row."""

    id: int
    path: str
    signature: str
    size_bytes: int
    mtime_ns: int
    frames: int
    sample_rate: int
    channels: int
    title: str | None
    artist: str | None
    fingerprint: dict[str, Any] | None

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    @property
    def display_title(self) -> str:
        return self.title or Path(self.path).stem


class Catalog:
    """Tracks, fingerprints and mastering plans in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise CatalogError(f"cannot open catalog {path}: {exc}") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise CatalogError(f"catalog write failed: {exc}") from exc

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise CatalogError(f"catalog read failed: {exc}") from exc

    # -- tracks ---------------------------------------------------------------------------

    def upsert_track(
        self, *, path: str, signature: str, size_bytes: int, mtime_ns: int, frames: int,
        sample_rate: int, channels: int, title: str | None, artist: str | None,
        fingerprint: dict[str, Any] | None,
    ) -> int:  # fmt: skip
        """Insert or update the track at ``path``; its id is kept across updates."""
        values = (signature, size_bytes, mtime_ns, frames, sample_rate, channels, title, artist,
                  _dump(fingerprint), _now())  # fmt: skip
        with self._transaction() as db:
            row = db.execute("SELECT id FROM tracks WHERE path = ?", (path,)).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO tracks (signature, size_bytes, mtime_ns, frames, sample_rate,"
                    " channels, title, artist, fingerprint, updated_at, path)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, path),
                )
                return int(cur.lastrowid or 0)
            db.execute(
                "UPDATE tracks SET signature=?, size_bytes=?, mtime_ns=?, frames=?, sample_rate=?,"
                " channels=?, title=?, artist=?, fingerprint=?, updated_at=? WHERE id=?",
                (*values, row["id"]),
            )
            db.execute("DELETE FROM plans WHERE track_id = ? AND signature != ?",
                       (row["id"], signature))  # fmt: skip
            return int(row["id"])

    def touch_track(self, track_id: int, *, mtime_ns: int) -> None:
        with self._transaction() as db:
            db.execute("UPDATE tracks SET mtime_ns = ? WHERE id = ?", (mtime_ns, track_id))

    def set_fingerprint(self, track_id: int, fingerprint: dict[str, Any]) -> None:
        with self._transaction() as db:
            db.execute("UPDATE tracks SET fingerprint = ?, updated_at = ? WHERE id = ?",
                       (_dump(fingerprint), _now(), track_id))  # fmt: skip

    def remove_track(self, track_id: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM tracks WHERE id = ?", (track_id,))

    def get_track(self, track_id: int) -> TrackRecord:
        rows = self._query("SELECT * FROM tracks WHERE id = ?", (track_id,))
        if not rows:
            raise TrackNotFoundError(track_id)
        return _record(rows[0])

    def find_by_path(self, path: str) -> TrackRecord | None:
        rows = self._query("SELECT * FROM tracks WHERE path = ?", (path,))
        return _record(rows[0]) if rows else None

    def list_tracks(self, *, offset: int = 0, limit: int | None = None) -> list[TrackRecord]:
        rows = self._query(
            "SELECT * FROM tracks ORDER BY id LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        )
        return [_record(r) for r in rows]

    def count_tracks(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM tracks")[0]["n"])

    # -- mastering plans ----------------------------------------------------------------------

    def get_plan(
        self, track_id: int, preset: str, *, signature: str, pipeline_version: str
    ) -> dict[str, Any] | None:
        rows = self._query(
            "SELECT plan FROM plans WHERE track_id = ? AND preset = ? AND signature = ?"
            " AND pipeline_version = ?",
            (track_id, preset, signature, pipeline_version),
        )
        return json.loads(rows[0]["plan"]) if rows else None

    def put_plan(
        self, track_id: int, preset: str, plan: dict[str, Any], *, signature: str,
        pipeline_version: str,
    ) -> None:  # fmt: skip
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO plans (track_id, preset, signature, pipeline_version, plan)"
                " VALUES (?, ?, ?, ?, ?)",
                (track_id, preset, signature, pipeline_version, _dump(plan)),
            )


def _dump(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, allow_nan=False)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(row: sqlite3.Row) -> TrackRecord:
    return TrackRecord(
        id=row["id"], path=row["path"], signature=row["signature"],
        size_bytes=row["size_bytes"], mtime_ns=row["mtime_ns"], frames=row["frames"],
        sample_rate=row["sample_rate"], channels=row["channels"], title=row["title"],
        artist=row["artist"],
        fingerprint=json.loads(row["fingerprint"]) if row["fingerprint"] else None,
    )  # fmt: skip
