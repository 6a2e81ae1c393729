"""Browsing and searching the catalog: artists, albums and tracks, one page at a time.

Every listing is SQL with ``LIMIT`` over an index that matches its sort order (plus a
``COUNT``), so nothing is loaded into Python but the page; a page of tracks takes its ids
over a covering index first, then their rows. Search uses the FTS5 indexes
(:mod:`.migrations`; on PostgreSQL, tsvector columns: :mod:`.schema_postgres`): each word
of the query matches as a prefix, case and diacritics aside ("beyo" finds "Beyoncé"), in
relevance order up to :data:`RANK_LIMIT` matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..db import Dialect
from ..errors import AlbumNotFoundError, ArtistNotFoundError
from .catalog import Catalog, records_from_rows
from .records import TrackRecord

_WORD = re.compile(r"\w+")
RANK_LIMIT = 2000  # matches beyond which a search comes in catalog order, not by relevance
ALBUM_SORTS = {
    "name": "al.title_key, al.id",
    "artist": "al.artist_key, al.year, al.title_key, al.id",
    "year": "al.year IS NULL, al.year, al.title_key, al.id",
    "recent": "al.created_at DESC, al.id DESC",
}
TRACK_SORTS = {
    "id": "t.id",
    "title": "t.title_key, t.id",
    "artist": "t.artist_key, t.album_key, t.disc_number, t.track_number, t.id",
    "album": "t.album_key, t.disc_number, t.track_number, t.id",
    "year": "t.year IS NULL, t.year, t.album_key, t.disc_number, t.track_number, t.id",
    "recent": "t.id DESC",
}
_ALBUM_COLUMNS = (
    "al.id, al.title, al.artist_id, al.artist_name, al.year, al.track_count, al.duration_s,"
    " al.compilation, al.cover_track_id, al.created_at"
)


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    total: int


def match_expression(text: str) -> str | None:
    """An FTS5 query where every word of ``text`` must match as a prefix; None if it has
    no words."""
    words = _WORD.findall(text)
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words) or None


def tsquery_expression(text: str) -> str | None:
    """The same for PostgreSQL: a ``to_tsquery`` text, every word a prefix (``:*``)."""
    return " & ".join(f"{w}:*" for w in _WORD.findall(text)) or None


def _album(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"], "title": row["title"], "artist_id": row["artist_id"],
        "artist": row["artist_name"], "year": row["year"], "track_count": row["track_count"],
        "duration_s": round(row["duration_s"], 3), "compilation": bool(row["compilation"]),
        "has_cover": row["cover_track_id"] is not None, "added_at": row["created_at"],
    }  # fmt: skip


def _artist(row: Any) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "album_count": row["album_count"],
            "track_count": row["track_count"]}  # fmt: skip


_ARTIST_COLUMNS = (
    "ar.id, ar.name, (SELECT COUNT(*) FROM albums WHERE artist_id = ar.id) AS album_count,"
    " (SELECT COUNT(*) FROM tracks WHERE artist_id = ar.id) AS track_count"
)


def list_artists(
    catalog: Catalog, *, q: str | None = None, offset: int = 0, limit: int = 100,
    with_total: bool = True,
) -> Page:  # fmt: skip
    """Artists by name (case and diacritics aside), or by relevance to ``q`` (an empty
    ``q`` filters nothing; one without words matches nothing)."""
    query = _Query("artists ar", "ar.name_key, ar.id")
    if q and q.strip() and not query.match(catalog, "artists_fts", "ar.id", q, by_rank=True):
        return Page([], 0)
    rows = query.rows(catalog, _ARTIST_COLUMNS, offset, limit)
    return Page([_artist(r) for r in rows], query.total(catalog) if with_total else len(rows))


def get_artist(catalog: Catalog, artist_id: int) -> dict[str, Any]:
    """The artist, its albums (as album artist) and the albums it appears on."""
    rows = catalog.read(f"SELECT {_ARTIST_COLUMNS} FROM artists ar WHERE ar.id = ?", (artist_id,))
    if not rows:
        raise ArtistNotFoundError(artist_id)
    own = catalog.read(
        f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.artist_id = ?"
        " ORDER BY al.year, al.title_key, al.id", (artist_id,),
    )  # fmt: skip
    guest = catalog.read(
        f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.artist_id != ?1 AND al.id IN"
        " (SELECT album_id FROM tracks WHERE artist_id = ?1) ORDER BY al.year, al.title_key",
        (artist_id,),
    )
    return {**_artist(rows[0]), "albums": [_album(r) for r in own],
            "appears_on": [_album(r) for r in guest]}  # fmt: skip


def list_albums(
    catalog: Catalog, *, sort: str | None = None, artist_id: int | None = None,
    q: str | None = None, offset: int = 0, limit: int = 100, with_total: bool = True,
) -> Page:  # fmt: skip
    """Albums of one album artist and/or matching ``q``, in ``sort`` order (see
    :data:`ALBUM_SORTS`; by relevance when only ``q`` decides, else by name)."""
    query = _Query("albums al", ALBUM_SORTS[sort or "name"])
    if artist_id is not None:
        query.where("al.artist_id = :artist_id", artist_id=artist_id)
    if q and q.strip() and not query.match(catalog, "albums_fts", "al.id", q, by_rank=sort is None):
        return Page([], 0)
    rows = query.rows(catalog, _ALBUM_COLUMNS, offset, limit)
    return Page([_album(r) for r in rows], query.total(catalog) if with_total else len(rows))


def get_album(catalog: Catalog, album_id: int) -> tuple[dict[str, Any], list[TrackRecord]]:
    """The album and its tracks in disc and track order."""
    rows = catalog.read(f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.id = ?", (album_id,))
    if not rows:
        raise AlbumNotFoundError(album_id)
    tracks = catalog.read(
        "SELECT * FROM tracks WHERE album_id = ? ORDER BY disc_number, track_number,"
        " title_key, id", (album_id,),
    )  # fmt: skip
    return _album(rows[0]), records_from_rows(tracks)


def album_cover_track(catalog: Catalog, album_id: int) -> tuple[dict[str, Any], int | None]:
    """The album and the id of the track whose cover stands for it (None: no cover)."""
    rows = catalog.read(f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.id = ?", (album_id,))
    if not rows:
        raise AlbumNotFoundError(album_id)
    return _album(rows[0]), rows[0]["cover_track_id"]


def list_tracks(
    catalog: Catalog, *, q: str | None = None, album_id: int | None = None,
    artist_id: int | None = None, sort: str | None = None, offset: int = 0, limit: int = 100,
    with_total: bool = True,
) -> Page:  # fmt: skip
    """Tracks (as :class:`TrackRecord`) of an album, of an artist (as track or album
    artist) and/or matching ``q``, in ``sort`` order (see :data:`TRACK_SORTS`; by
    relevance when only ``q`` decides, else by id)."""
    query = _Query("tracks t", TRACK_SORTS[sort or "id"])
    if album_id is not None:
        query.where("t.album_id = :album_id", album_id=album_id)
    if artist_id is not None:
        # one index probe per side (an OR across two columns defeats PostgreSQL's indexes)
        query.where("t.id IN (SELECT id FROM tracks WHERE artist_id = :artist_id UNION"
                    " SELECT tr.id FROM tracks tr JOIN albums al ON tr.album_id = al.id"
                    " WHERE al.artist_id = :artist_id)", artist_id=artist_id)  # fmt: skip
    if q and q.strip() and not query.match(catalog, "tracks_fts", "t.id", q, by_rank=sort is None):
        return Page([], 0)
    # the page's ids first, over a covering index (cheap to skip at any offset), then rows
    ids = [row[0] for row in query.rows(catalog, "t.id", offset, limit)]
    if not ids:
        return Page([], query.total(catalog) if with_total else 0)
    marks = ", ".join("?" * len(ids))
    found = catalog.read(f"SELECT * FROM tracks WHERE id IN ({marks})", ids)
    by_id = {record.id: record for record in records_from_rows(found)}
    records = [by_id[i] for i in ids if i in by_id]
    return Page(records, query.total(catalog) if with_total else len(records))


class _Query:
    """One listing: a table, filters, an order; the rows of a page and the total.

    Relevance (bm25) costs about a microsecond per matching row, so a query matching
    more than :data:`RANK_LIMIT` rows (a two-letter prefix in a large catalog) lists its
    matches in catalog order instead: a longer query narrows them and ranks again.
    """

    def __init__(self, table: str, order: str) -> None:
        self.table, self.order = table, order
        self.join, self.clauses, self.params = "", [], {}
        self.by_rank: tuple[str, str] | None = None
        self._total: int | None = None

    def where(self, clause: str, **params: Any) -> None:
        self.clauses.append(clause)
        self.params.update(params)

    def match(self, catalog: Catalog, fts: str, id_column: str, q: str, *, by_rank: bool) -> bool:
        """Keep the rows matching ``q`` (False: ``q`` has no words, nothing matches):
        through the table's FTS5 index (SQLite), or its ``search`` tsvector (PostgreSQL)."""
        if catalog.dialect is Dialect.POSTGRES:
            if (expression := tsquery_expression(q)) is None:
                return False
            search = id_column.split(".")[0] + ".search"
            tsquery = "to_tsquery('simple', ms_unaccent(:match))"
            self.where(f"{search} @@ {tsquery}", match=expression)
            if by_rank:
                self.by_rank = (f"ts_rank({search}, {tsquery}) DESC, {id_column}", id_column)
            return True
        if (expression := match_expression(q)) is None:
            return False
        self.join = f"JOIN {fts} f ON f.rowid = {id_column}"
        self.where(f"{fts} MATCH :match", match=expression)
        if by_rank:
            self.by_rank = ("f.rank, " + id_column, "f.rowid")
        return True

    def _sql(self, columns: str, *, paged: bool) -> str:
        where = ("WHERE " + " AND ".join(self.clauses)) if self.clauses else ""
        sql = f"SELECT {columns} FROM {self.table} {self.join} {where}"
        return f"{sql} ORDER BY {self.order} LIMIT :limit OFFSET :offset" if paged else sql

    def rows(self, catalog: Catalog, columns: str, offset: int, limit: int) -> list[Any]:
        if self.by_rank is not None:
            ranked, unranked = self.by_rank
            self.order = ranked if self.total(catalog) <= RANK_LIMIT else unranked
        params = {**self.params, "limit": limit, "offset": offset}
        return catalog.read(self._sql(columns, paged=True), params)

    def total(self, catalog: Catalog) -> int:
        if self._total is None:
            sql = self._sql("COUNT(*)", paged=False)
            self._total = int(catalog.read(sql, self.params)[0][0])
        return self._total


def search(catalog: Catalog, q: str, *, limit: int = 20) -> dict[str, list[Any]]:
    """Artists, albums and tracks matching ``q``, best first, ``limit`` of each."""
    return {
        "artists": list_artists(catalog, q=q, limit=limit, with_total=False).items,
        "albums": list_albums(catalog, q=q, limit=limit, with_total=False).items,
        "tracks": list_tracks(catalog, q=q, limit=limit, with_total=False).items,
    }
