"""Selections of the catalog that are not pages of a sorted listing: random albums and
tracks, albums of a span of years or of a genre, items by id, and the genres.

Genres live on tracks; an album is "of" a genre when one of its tracks is (case aside).
Random picks order the matching ids by ``random()`` and read only the rows picked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .browse import _ALBUM_COLUMNS, _album
from .catalog import Catalog, records_from_rows
from .records import TrackRecord

MAX_IDS = 500  # ids per query (well under SQLite's bound parameters)


def _marks(ids: Sequence[int]) -> str:
    return ", ".join("?" * len(ids))


def albums_by_ids(catalog: Catalog, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The albums of ``ids`` that exist, in the order given."""
    ids = list(ids)[:MAX_IDS]
    rows = catalog.read(f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.id IN ({_marks(ids)})",
                        ids)  # fmt: skip
    by_id = {row["id"]: _album(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def tracks_by_ids(catalog: Catalog, ids: Sequence[int]) -> list[TrackRecord]:
    """The tracks of ``ids`` that exist, in the order given."""
    ids = list(ids)[:MAX_IDS]
    rows = catalog.read(f"SELECT * FROM tracks WHERE id IN ({_marks(ids)})", ids)
    by_id = {record.id: record for record in records_from_rows(rows)}
    return [by_id[i] for i in ids if i in by_id]


def random_albums(catalog: Catalog, *, limit: int) -> list[dict[str, Any]]:
    ids = [r[0] for r in catalog.read("SELECT id FROM albums ORDER BY random() LIMIT ?", (limit,))]
    return albums_by_ids(catalog, ids)


def albums_by_year(
    catalog: Catalog, from_year: int, to_year: int, *, offset: int, limit: int
) -> list[dict[str, Any]]:
    """Dated albums from ``from_year`` to ``to_year`` (both included), by year then name;
    in descending years when ``from_year > to_year``."""
    low, high = sorted((from_year, to_year))
    order = "DESC" if from_year > to_year else ""
    rows = catalog.read(
        f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.year BETWEEN ? AND ?"
        f" ORDER BY al.year {order}, al.title_key, al.id LIMIT ? OFFSET ?",
        (low, high, limit, offset),
    )
    return [_album(row) for row in rows]


def albums_by_genre(
    catalog: Catalog, genre: str, *, offset: int, limit: int
) -> list[dict[str, Any]]:
    """Albums with a track of ``genre`` (case aside), by name."""
    rows = catalog.read(
        f"SELECT {_ALBUM_COLUMNS} FROM albums al WHERE al.id IN (SELECT album_id FROM tracks"
        " WHERE genre = ? COLLATE NOCASE) ORDER BY al.title_key, al.id LIMIT ? OFFSET ?",
        (genre, limit, offset),
    )
    return [_album(row) for row in rows]


def random_tracks(
    catalog: Catalog, *, limit: int, genre: str | None = None, from_year: int | None = None,
    to_year: int | None = None,
) -> list[TrackRecord]:  # fmt: skip
    """Up to ``limit`` tracks picked at random, of ``genre`` and within the years given."""
    clauses, params = [], []
    if genre is not None:
        clauses.append("genre = ? COLLATE NOCASE")
        params.append(genre)
    if from_year is not None:
        clauses.append("year >= ?")
        params.append(from_year)
    if to_year is not None:
        clauses.append("year <= ?")
        params.append(to_year)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = catalog.read(f"SELECT id FROM tracks {where} ORDER BY random() LIMIT ?",
                        (*params, limit))  # fmt: skip
    return tracks_by_ids(catalog, [row[0] for row in rows])


def genres(catalog: Catalog) -> list[dict[str, Any]]:
    """Every genre (as one of its tracks spells it) with its track and album
    counts, by name."""
    rows = catalog.read(
        "SELECT MIN(genre) AS genre, COUNT(*) AS tracks, COUNT(DISTINCT album_id) AS albums"
        " FROM tracks WHERE genre IS NOT NULL AND genre != '' GROUP BY lower(genre)"
        " ORDER BY lower(MIN(genre))"
    )
    return [{"name": r["genre"], "track_count": r["tracks"], "album_count": r["albums"]}
            for r in rows]  # fmt: skip


def album_genres(catalog: Catalog, album_ids: Sequence[int]) -> dict[int, str]:
    """The genre most of each album's tracks have (albums without one are left out)."""
    ids = list(album_ids)[:MAX_IDS]
    rows = catalog.read(
        f"SELECT album_id, genre, COUNT(*) AS n FROM tracks WHERE album_id IN ({_marks(ids)})"
        " AND genre IS NOT NULL AND genre != '' GROUP BY album_id, genre"
        " ORDER BY album_id, n DESC, genre", ids,
    )  # fmt: skip
    found: dict[int, str] = {}
    for row in rows:
        found.setdefault(row["album_id"], row["genre"])
    return found
