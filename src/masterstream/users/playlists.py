"""Playlists: named, ordered lists of songs a user owns and may make public.

A playlist holds catalog track ids in order (the same track may appear twice). There is
no foreign key into the catalog (a rescan may remove a track): whoever lists a playlist
skips the tracks that no longer exist. Only the owner or an admin changes a playlist;
everyone sees public playlists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..db.database import Connection
from ..errors import InvalidParameterError, MasterstreamError
from .database import UserDatabase
from .models import User
from .stars import iso_time

MAX_NAME_CHARS = 200
MAX_COMMENT_CHARS = 2000
MAX_TRACKS = 10_000


class PlaylistError(MasterstreamError):
    """A playlist that does not exist or may not be changed by this user."""

    def __init__(self, message: str, playlist_id: int) -> None:
        super().__init__(message)
        self.playlist_id = playlist_id


class PlaylistNotFoundError(PlaylistError):
    def __init__(self, playlist_id: int) -> None:
        super().__init__(f"no playlist {playlist_id}", playlist_id)


class PlaylistAccessError(PlaylistError):
    def __init__(self, playlist_id: int) -> None:
        super().__init__(f"only its owner or an admin may change playlist {playlist_id}",
                         playlist_id)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Playlist:
    id: int
    owner_id: int
    owner: str
    name: str
    comment: str
    public: bool
    created_at: str
    changed_at: str
    track_ids: tuple[int, ...]


class Playlists:
    """Create, list, change and delete playlists."""

    def __init__(self, db: UserDatabase, *, clock: Callable[[], float]) -> None:
        self.db = db
        self.clock = clock

    def create(self, owner: User, name: str, track_ids: Iterable[int] = ()) -> Playlist:
        now = iso_time(self.clock())
        with self.db.transaction() as db:
            cur = db.execute(
                "INSERT INTO user_playlists (user_id, name, comment, public, created_at,"
                " changed_at) VALUES (?, ?, '', 0, ?, ?) RETURNING id",
                (owner.id, _text("name", name, MAX_NAME_CHARS), now, now),
            )
            playlist_id = int(cur.fetchone()[0])
            _write_tracks(db, playlist_id, list(track_ids))
        return self.get(playlist_id)

    def get(self, playlist_id: int) -> Playlist:
        rows = self.db.query(
            "SELECT p.*, u.name AS owner FROM user_playlists p JOIN users u ON u.id = p.user_id"
            " WHERE p.id = ?",
            (playlist_id,),
        )
        if not rows:
            raise PlaylistNotFoundError(playlist_id)
        tracks = self.db.query(
            "SELECT track_id FROM user_playlist_tracks WHERE playlist_id = ? ORDER BY position",
            (playlist_id,),
        )
        return _playlist(rows[0], tuple(r["track_id"] for r in tracks))

    def visible(self, user: User, playlist_id: int) -> Playlist:
        """The playlist if ``user`` may see it (own, public, or an admin)."""
        playlist = self.get(playlist_id)
        if not (playlist.public or user.is_admin or playlist.owner_id == user.id):
            raise PlaylistNotFoundError(playlist_id)
        return playlist

    def list(self, user: User) -> list[Playlist]:
        """The user's own playlists and everyone's public ones, by name."""
        rows = self.db.query(
            "SELECT p.*, u.name AS owner FROM user_playlists p JOIN users u ON u.id = p.user_id"
            " WHERE p.user_id = ? OR p.public <> 0 ORDER BY p.name COLLATE NOCASE, p.id",
            (user.id,),
        )
        tracks: dict[int, list[int]] = {r["id"]: [] for r in rows}
        for r in self.db.query(
            "SELECT t.playlist_id, t.track_id FROM user_playlist_tracks t JOIN user_playlists p"
            " ON p.id = t.playlist_id WHERE p.user_id = ? OR p.public <> 0 ORDER BY t.position",
            (user.id,),
        ):
            tracks[r["playlist_id"]].append(r["track_id"])
        return [_playlist(r, tuple(tracks[r["id"]])) for r in rows]

    def update(
        self, user: User, playlist_id: int, *, name: str | None = None,
        comment: str | None = None, public: bool | None = None,
        track_ids: Iterable[int] | None = None, remove_positions: Iterable[int] = (),
        add_track_ids: Iterable[int] = (),
    ) -> Playlist:  # fmt: skip
        """Change what is given: ``track_ids`` replaces the songs; then the songs at
        ``remove_positions`` (stored positions) go and ``add_track_ids`` are appended."""
        playlist = self.changeable(user, playlist_id)
        tracks = list(playlist.track_ids if track_ids is None else track_ids)
        doomed = set(remove_positions)
        if any(not 0 <= p < len(tracks) for p in doomed):
            raise InvalidParameterError("songIndexToRemove", "is not a position in the playlist")
        tracks = [t for i, t in enumerate(tracks) if i not in doomed] + list(add_track_ids)
        changes = {"name": None if name is None else _text("name", name, MAX_NAME_CHARS),
                   "comment": None if comment is None else _text("comment", comment,
                                                                  MAX_COMMENT_CHARS),
                   "public": public}  # fmt: skip
        with self.db.transaction() as db:
            for column, value in changes.items():
                if value is not None:
                    db.execute(f"UPDATE user_playlists SET {column} = ? WHERE id = ?",
                               (value, playlist_id))  # fmt: skip
            db.execute("UPDATE user_playlists SET changed_at = ? WHERE id = ?",
                       (iso_time(self.clock()), playlist_id))  # fmt: skip
            db.execute("DELETE FROM user_playlist_tracks WHERE playlist_id = ?", (playlist_id,))
            _write_tracks(db, playlist_id, tracks)
        return self.get(playlist_id)

    def delete(self, user: User, playlist_id: int) -> None:
        self.changeable(user, playlist_id)
        self.db.execute("DELETE FROM user_playlists WHERE id = ?", (playlist_id,))

    def changeable(self, user: User, playlist_id: int) -> Playlist:
        """The playlist if ``user`` may change it (``PlaylistAccessError`` otherwise)."""
        playlist = self.visible(user, playlist_id)
        if playlist.owner_id != user.id and not user.is_admin:
            raise PlaylistAccessError(playlist_id)
        return playlist


def _playlist(row: Any, track_ids: tuple[int, ...]) -> Playlist:
    return Playlist(row["id"], row["user_id"], row["owner"], row["name"], row["comment"],
                    bool(row["public"]), row["created_at"], row["changed_at"],
                    track_ids)  # fmt: skip


def _write_tracks(db: Connection, playlist_id: int, track_ids: list[int]) -> None:
    if len(track_ids) > MAX_TRACKS:
        raise InvalidParameterError("songId", f"a playlist holds at most {MAX_TRACKS} songs")
    db.executemany(
        "INSERT INTO user_playlist_tracks (playlist_id, position, track_id) VALUES (?, ?, ?)",
        [(playlist_id, i, int(t)) for i, t in enumerate(track_ids)],
    )


def _text(name: str, value: str, max_chars: int) -> str:
    """A name (one line, not empty) or a comment (lines allowed), trimmed and checked."""
    value = value.strip()
    if not value and name == "name":
        raise InvalidParameterError(name, "must not be empty")
    text = value if name == "name" else value.replace("\n", "").replace("\t", "")
    if len(value) > max_chars or not text.isprintable():
        raise InvalidParameterError(name, f"is up to {max_chars} printable characters")
    return value
