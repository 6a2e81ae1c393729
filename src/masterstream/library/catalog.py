"""The SQLite catalog: tracks with their tags, albums, artists, fingerprints and plans.

One file (``catalog.sqlite3`` under the data directory), WAL journal, one connection
guarded by a lock so the server's threads can share it; the schema is brought up to
date on open (:mod:`.migrations`). A track is indexed first (tags, duration, format,
content signature: :meth:`Catalog.index_tracks`) and analysed later
(:meth:`Catalog.analysis_queue` lists the tracks without a fingerprint). A plan row is
valid only for the signature and pipeline version it was computed from, so a changed
file or a new DSP version recomputes it. Browsing and search read through
:mod:`.browse`.
"""

from __future__ import annotations

import json
import operator
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..db import NO_LIMIT, Dialect, is_database_url, open_database
from ..db.database import Connection
from ..errors import TrackNotFoundError
from .grouping import prune_artist, refresh_album, settle_folder_album
from .indexing import dump_json, index_entry, now_iso, untagged_group
from .migrations import prepare_catalog
from .records import FileStamp, IndexEntry, TrackRecord

__all__ = ["Catalog", "FileStamp", "IndexEntry", "TrackRecord"]


class Catalog:
    """Tracks, albums, artists, fingerprints and mastering plans in one database: a SQLite
    file (the default) or PostgreSQL (a ``postgresql://`` URL, shared by several servers)."""

    def __init__(self, target: str | Path) -> None:
        self.path = target if is_database_url(target) else Path(target)
        self.upgraded_from = 0

        def prepare(db: Connection, dialect: Dialect) -> None:
            self.upgraded_from = prepare_catalog(db, dialect)

        self.db = open_database(target, what="catalog", prepare=prepare)
        self.dialect = self.db.dialect

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[Connection]:
        return self.db.transaction()

    def read(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        """Rows of one read-only query, on a connection of its own: a scan's write
        transaction never holds up a listing (readers see the last commit)."""
        return self.db.read(sql, params)

    # -- indexing -------------------------------------------------------------------------

    def index_track(self, entry: IndexEntry, *, fingerprint: dict[str, Any] | None = None) -> int:
        """Insert or update the track at ``entry.path``; see :meth:`index_tracks`."""
        return self.index_tracks([(entry, fingerprint)])[0]

    def index_tracks(
        self, entries: Iterable[tuple[IndexEntry, dict[str, Any] | None]]
    ) -> list[int]:
        """Insert or update tracks (in one transaction) with their albums and artists.

        A track keeps its id across updates. Its fingerprint is the one given, else the
        stored one while the signature is unchanged, else none (to be analysed); plans
        of another signature are dropped.
        """
        with self._transaction() as db:
            return [index_entry(db, entry, fingerprint) for entry, fingerprint in entries]

    def set_fingerprint(self, track_id: int, fingerprint: dict[str, Any]) -> None:
        with self._transaction() as db:
            db.execute("UPDATE tracks SET fingerprint = ?, updated_at = ? WHERE id = ?",
                       (dump_json(fingerprint), now_iso(), track_id))  # fmt: skip

    def set_cover_path(self, track_id: int, cover_path: str | Path | None) -> None:
        """The cover image in the track's folder (None: there is none any more)."""
        with self._transaction() as db:
            db.execute("UPDATE tracks SET cover_path = ? WHERE id = ?",
                       (None if cover_path is None else str(cover_path), track_id))  # fmt: skip
            row = db.execute("SELECT album_id FROM tracks WHERE id = ?", (track_id,)).fetchone()
            if row is not None:
                refresh_album(db, row["album_id"])

    def remove_track(self, track_id: int) -> None:
        """Delete the track, its plans, and its album and artist if it was their last."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT album_id, artist_id, folder, album_key, album_artist_tag, compilation"
                " FROM tracks WHERE id = ?", (track_id,),
            ).fetchone()  # fmt: skip
            db.execute("DELETE FROM tracks WHERE id = ?", (track_id,))
            if row is not None:
                refresh_album(db, row["album_id"])
                prune_artist(db, row["artist_id"])
                if group := untagged_group(row):
                    settle_folder_album(db, *group)

    # -- tracks -----------------------------------------------------------------------------

    def get_track(self, track_id: int) -> TrackRecord:
        rows = self.read("SELECT * FROM tracks WHERE id = ?", (track_id,))
        if not rows:
            raise TrackNotFoundError(track_id)
        return record_from_row(rows[0])

    def find_by_path(self, path: str) -> TrackRecord | None:
        rows = self.read("SELECT * FROM tracks WHERE path = ?", (path,))
        return record_from_row(rows[0]) if rows else None

    def list_tracks(self, *, offset: int = 0, limit: int | None = None) -> list[TrackRecord]:
        """Tracks in id order."""
        rows = self.read("SELECT * FROM tracks ORDER BY id LIMIT ? OFFSET ?",
                         (NO_LIMIT if limit is None else limit, offset))  # fmt: skip
        return records_from_rows(rows)

    def track_paths(self) -> dict[str, int]:
        """Every track's path and id."""
        return {row["path"]: row["id"] for row in self.read("SELECT id, path FROM tracks")}

    def count_tracks(self) -> int:
        return int(self.read("SELECT COUNT(*) AS n FROM tracks")[0]["n"])

    def analysis_queue(self, *, limit: int = 100, after_id: int = 0) -> list[TrackRecord]:
        """Indexed tracks still without a fingerprint, in id order from ``after_id``."""
        rows = self.read(
            "SELECT * FROM tracks WHERE fingerprint IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return records_from_rows(rows)

    def claim_analysis(
        self, owner: str, *, limit: int = 20, stale_s: float = 600.0
    ) -> list[TrackRecord]:
        """Up to ``limit`` tracks without a fingerprint that nobody else is analysing,
        now claimed by ``owner`` (a claim older than ``stale_s`` is free again: its
        server died). Servers sharing a catalog each take different tracks."""
        now_s = time.time()
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.dialect is Dialect.POSTGRES else ""
        with self._transaction() as db:
            rows = db.execute(
                "UPDATE tracks SET analysis_owner = :owner, analysis_claimed_s = :now"
                " WHERE id IN (SELECT id FROM tracks WHERE fingerprint IS NULL AND"
                " (analysis_claimed_s IS NULL OR analysis_claimed_s < :stale)"
                f" ORDER BY id LIMIT :limit{skip_locked}) RETURNING *",
                {"owner": owner, "now": now_s, "stale": now_s - stale_s, "limit": limit},
            ).fetchall()
        return sorted(records_from_rows(rows), key=operator.attrgetter("id"))

    def release_claims(self, owner: str) -> int:
        """Forget ``owner``'s claims (it starts again: what it left unanalysed is free)."""
        return self.db.execute(
            "UPDATE tracks SET analysis_owner = NULL, analysis_claimed_s = NULL"
            " WHERE analysis_owner = ? AND fingerprint IS NULL", (owner,),
        )  # fmt: skip

    def refresh_statistics(self) -> None:
        """Let the query planner see the catalog as it is now (after a large scan: a fresh
        PostgreSQL table without statistics is read by sequential scans)."""
        self.db.execute("ANALYZE" if self.dialect is Dialect.POSTGRES else "PRAGMA optimize")

    def scan_lock(self) -> AbstractContextManager[None]:
        """Held while one server indexes the library folder: servers sharing a catalog
        take turns (the next one then finds every file unchanged)."""
        return self.db.exclusive("masterstream-library-scan")

    # -- mastering plans ----------------------------------------------------------------------

    def get_plan(
        self, track_id: int, preset: str, *, signature: str, pipeline_version: str
    ) -> dict[str, Any] | None:
        rows = self.read(
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
                "INSERT INTO plans (track_id, preset, signature, pipeline_version, plan)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (track_id, preset) DO UPDATE SET"
                " signature = excluded.signature, pipeline_version = excluded.pipeline_version,"
                " plan = excluded.plan",
                (track_id, preset, signature, pipeline_version, dump_json(plan)),
            )


_FIELDS = tuple(f.name for f in fields(TrackRecord))
_JSON_FIELDS = tuple(i for i, name in enumerate(_FIELDS) if name in ("fingerprint", "info"))
_COVER_FIELD = _FIELDS.index("has_embedded_cover")


def records_from_rows(rows: list[Any]) -> list[TrackRecord]:
    """Track records from ``SELECT * FROM tracks`` rows (column positions looked up once:
    a whole catalog of records is read on every library reload)."""
    if not rows:
        return []
    names = rows[0].keys()
    pick = operator.itemgetter(*(names.index(name) for name in _FIELDS))
    records = []
    for row in rows:
        values = list(pick(row))
        for i in _JSON_FIELDS:
            values[i] = json.loads(values[i]) if values[i] else None
        values[_COVER_FIELD] = bool(values[_COVER_FIELD])
        records.append(TrackRecord(*values))
    return records


def record_from_row(row: Any) -> TrackRecord:
    """A track record from a ``SELECT * FROM tracks`` row."""
    return records_from_rows([row])[0]
