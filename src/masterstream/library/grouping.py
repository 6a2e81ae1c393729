"""Albums and artists, kept in step with the tracks inside the catalog's write transactions.

An artist is a name key (:func:`~masterstream.library.names.name_key`); an album is an
album artist plus an album title, both by key, so the same album split over folders is
one album and two albums of one name by different artists are two. The album artist is
the tagged one; a compilation without one is "Various Artists"; without either, the
untagged tracks of one folder and album title decide together
(:func:`settle_folder_album`): the artist of most of them, or "Various Artists". Of
several spellings of a name, the best one is shown. Album figures (track count,
duration, year, the track whose cover stands for it) are recomputed from its tracks
whenever one of them changes, and an album or artist left without tracks is deleted.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from ..db.database import Connection
from .names import VARIOUS_ARTISTS, name_key
from .records import IndexEntry

UNKNOWN_ARTIST = "Unknown Artist"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def artist_id_for(db: Connection, name: str) -> int:
    """The id of the artist called ``name`` (any case or accents), created if new. The
    artist keeps the best spelling seen (see :func:`spelling_rank`)."""
    key = name_key(name)
    row = db.execute("SELECT id, name FROM artists WHERE name_key = ?", (key,)).fetchone()
    if row is not None:
        if spelling_rank(name) > spelling_rank(row[1]):
            db.execute("UPDATE artists SET name = ? WHERE id = ?", (name, row[0]))
            db.execute("UPDATE albums SET artist_name = ? WHERE artist_id = ?", (name, row[0]))
        return int(row[0])
    cur = db.execute(
        "INSERT INTO artists (name, name_key, created_at) VALUES (?, ?, ?) RETURNING id",
        (name, key, _now()),
    )
    return int(cur.fetchone()[0])


def spelling_rank(name: str) -> tuple[bool, int]:
    """Which of several spellings of one name to show: mixed case before ALL CAPS or all
    lower case, then the one with more accented letters ("Björk" over "BJORK", "Bjork")."""
    return (name != name.upper() and name != name.lower(), sum(not c.isascii() for c in name))


def album_artist_name(entry: IndexEntry) -> str:
    if entry.album_artist:
        return entry.album_artist
    if entry.compilation:
        return VARIOUS_ARTISTS
    return entry.artists[0] if entry.artists else UNKNOWN_ARTIST


def album_id_for(db: Connection, entry: IndexEntry) -> int | None:
    """The id of the entry's album, created if new; None for a track without an album."""
    if not entry.album:
        return None
    return _album_for(db, entry.album, album_artist_name(entry), compilation=entry.compilation)


def _album_for(db: Connection, title: str, artist: str, *, compilation: bool) -> int:
    artist_key, title_key = name_key(artist), name_key(title)
    row = db.execute(
        "SELECT id FROM albums WHERE artist_key = ? AND title_key = ?", (artist_key, title_key)
    ).fetchone()
    if row is not None:
        return int(row[0])
    artist_id = artist_id_for(db, artist)
    various = compilation or artist_key == name_key(VARIOUS_ARTISTS)
    cur = db.execute(
        "INSERT INTO albums (title, title_key, artist_id, artist_name, artist_key, compilation,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (title, title_key, artist_id, _artist_name(db, artist_id), artist_key, int(various),
         _now()),
    )  # fmt: skip
    return int(cur.fetchone()[0])


def settle_folder_album(db: Connection, folder: str | None, album_key: str) -> None:
    """Group the tracks of one folder and album title whose album artist is not tagged.

    An artist with more than half of the tracks owns them all (guests and "feat." credits
    stay on the album); else at least three tracks by at least three artists are a
    compilation, one "Various Artists" album; else each track goes under its own artist.
    Decided from the group as it is now, so the order files are indexed in never matters.
    """
    rows = db.execute(
        "SELECT t.id, t.album, t.album_id, t.artist_id, ar.name FROM tracks t"
        " LEFT JOIN artists ar ON ar.id = t.artist_id WHERE t.folder = ? AND t.album_key = ?"
        " AND t.album_artist_tag IS NULL AND t.compilation = 0",
        (folder, album_key),
    ).fetchall()
    if not rows:
        return
    counts = Counter(row["name"] or UNKNOWN_ARTIST for row in rows)
    leader, most = counts.most_common(1)[0]
    various = 2 * most <= len(rows) and len(rows) >= 3 and len(counts) >= 3
    albums: dict[str, int] = {}
    for row in rows:
        if 2 * most > len(rows):
            owner = leader
        else:
            owner = VARIOUS_ARTISTS if various else row["name"] or UNKNOWN_ARTIST
        if owner not in albums:
            albums[owner] = _album_for(db, row["album"], owner, compilation=various)
        if albums[owner] != row["album_id"]:
            db.execute("UPDATE tracks SET album_id = ?, album_artist = ? WHERE id = ?",
                       (albums[owner], _album_artist(db, albums[owner]), row["id"]))  # fmt: skip
            refresh_album(db, row["album_id"])
            refresh_album(db, albums[owner])


def _album_artist(db: Connection, album_id: int) -> str:
    return str(db.execute("SELECT artist_name FROM albums WHERE id = ?", (album_id,)).fetchone()[0])


def _artist_name(db: Connection, artist_id: int) -> str:
    return str(db.execute("SELECT name FROM artists WHERE id = ?", (artist_id,)).fetchone()[0])


def refresh_album(db: Connection, album_id: int | None) -> None:
    """Recompute an album's figures from its tracks; delete it if it has none left."""
    if album_id is None:
        return
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(CAST(frames AS DOUBLE PRECISION) / sample_rate), 0),"
        " MAX(year)"
        " FROM tracks WHERE album_id = ?",
        (album_id,),
    ).fetchone()
    if row[0] == 0:
        artist = db.execute("SELECT artist_id FROM albums WHERE id = ?", (album_id,)).fetchone()
        db.execute("DELETE FROM albums WHERE id = ?", (album_id,))
        if artist is not None:
            prune_artist(db, artist[0])
        return
    cover = db.execute(
        "SELECT id FROM tracks WHERE album_id = ? AND (cover_path IS NOT NULL"
        " OR has_embedded_cover <> 0) ORDER BY cover_path IS NULL, disc_number, track_number, id"
        " LIMIT 1",
        (album_id,),
    ).fetchone()
    db.execute(
        "UPDATE albums SET track_count = ?, duration_s = ?, year = ?, cover_track_id = ?"
        " WHERE id = ?",
        (row[0], row[1], row[2], None if cover is None else cover[0], album_id),
    )


def prune_artist(db: Connection, artist_id: int | None) -> None:
    """Delete the artist if no track and no album names it any more."""
    if artist_id is None:
        return
    db.execute(
        "DELETE FROM artists WHERE id = :id AND NOT EXISTS (SELECT 1 FROM tracks WHERE"
        " artist_id = :id) AND NOT EXISTS (SELECT 1 FROM albums WHERE artist_id = :id)",
        {"id": artist_id},
    )
