"""How an :class:`~masterstream.library.records.IndexEntry` becomes catalog rows.

Inside one of the catalog's write transactions: the track row (its id kept across
updates; its fingerprint kept while its signature is unchanged), its album and artist
(:mod:`.grouping`), and the album's figures. A track whose album artist is not tagged is
also settled with the other such tracks of its folder and album title
(:func:`~masterstream.library.grouping.settle_folder_album`), which makes an untagged
compilation one "Various Artists" album.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from ..db.database import Connection
from .grouping import (
    album_artist_name,
    album_id_for,
    artist_id_for,
    prune_artist,
    refresh_album,
    settle_folder_album,
)
from .names import name_key
from .records import IndexEntry


def dump_json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, allow_nan=False)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def index_entry(db: Connection, entry: IndexEntry, fingerprint: dict[str, Any] | None) -> int:
    """Insert or update the track at ``entry.path``; returns its id."""
    old = db.execute(
        "SELECT id, signature, album_id, artist_id, folder, album_key, album_artist_tag,"
        " compilation FROM tracks WHERE path = ?",
        (entry.path,),
    ).fetchone()
    album_id = album_id_for(db, entry)
    artist_id = artist_id_for(db, entry.artists[0]) if entry.artists else None
    values = _columns(entry, album_id, artist_id)
    if old is None:
        values.update(fingerprint=dump_json(fingerprint), path=entry.path)
        columns, marks = ", ".join(values), ", ".join(f":{c}" for c in values)
        cur = db.execute(f"INSERT INTO tracks ({columns}) VALUES ({marks}) RETURNING id", values)
        track_id = int(cur.fetchone()[0])
    else:
        track_id = int(old["id"])
        if fingerprint is not None or old["signature"] != entry.signature:
            values["fingerprint"] = dump_json(fingerprint)
        assignments = ", ".join(f"{c} = :{c}" for c in values)
        db.execute(f"UPDATE tracks SET {assignments} WHERE id = :id", {**values, "id": track_id})
        db.execute("DELETE FROM plans WHERE track_id = ? AND signature != ?",
                   (track_id, entry.signature))  # fmt: skip
        if old["album_id"] != album_id:
            refresh_album(db, old["album_id"])
        if old["artist_id"] != artist_id:
            prune_artist(db, old["artist_id"])
        if untagged_group(old) and untagged_group(old) != untagged_group(values):
            settle_folder_album(db, *untagged_group(old))  # the group it left
    refresh_album(db, album_id)
    if group := untagged_group(values):
        settle_folder_album(db, *group)
    return track_id


def untagged_group(row: Any) -> tuple[str, str] | None:
    """(folder, album key) of a track with an album but no tagged album artist."""
    if row is None or not row["album_key"] or row["album_artist_tag"] or row["compilation"]:
        return None
    return row["folder"], row["album_key"]


def _columns(entry: IndexEntry, album_id: int | None, artist_id: int | None) -> dict[str, Any]:
    """The ``tracks`` columns an index entry sets (all but fingerprint and path)."""
    stamp = entry.stamp
    return {
        "signature": entry.signature,
        "size_bytes": stamp.size_bytes,
        "mtime_ns": stamp.mtime_ns,
        "ctime_ns": stamp.ctime_ns,
        "inode": stamp.inode,
        "frames": entry.frames,
        "sample_rate": entry.sample_rate,
        "channels": entry.channels,
        "format": entry.format,
        "title": entry.title,
        "title_key": name_key(entry.title),
        "artist": entry.artist,
        "artist_key": name_key(entry.artist or ""),
        "album": entry.album,
        "album_key": name_key(entry.album or ""),
        "album_artist": album_artist_name(entry) if entry.album else entry.album_artist,
        "album_artist_tag": entry.album_artist,
        "compilation": int(entry.compilation),
        "folder": os.path.dirname(entry.path),
        "track_number": entry.track_number,
        "disc_number": entry.disc_number,
        "year": entry.year,
        "genre": entry.genre,
        "has_embedded_cover": int(entry.has_embedded_cover),
        "cover_path": entry.cover_path,
        "info": dump_json(entry.info or None),
        "album_id": album_id,
        "artist_id": artist_id,
        "updated_at": now_iso(),
    }
