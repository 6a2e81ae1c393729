"""Plays: how often and when a user last played each song, album and artist, and what
each of the user's players is playing now (Subsonic ``scrobble``, ``getNowPlaying``).

A finished play (``scrobble`` with ``submission=true``) counts once for the song, its album
and its artist, so "most played albums" and "recently played albums" need no catalog
join. "Now playing" rows expire: a player that stops reporting drops off the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..db import NO_LIMIT
from ..errors import InvalidParameterError
from .database import UserDatabase
from .stars import iso_time

PLAY_KINDS = ("song", "album", "artist")
NOW_PLAYING_TTL_S = 600.0
MAX_PLAYER_CHARS = 100


@dataclass(frozen=True, slots=True)
class PlayCount:
    item_id: int
    play_count: int
    last_played: str


@dataclass(frozen=True, slots=True)
class NowPlaying:
    user_id: int
    user_name: str
    player: str
    track_id: int
    started_at_s: float


class Plays:
    """Play counts, last played times and now playing, per user."""

    def __init__(self, db: UserDatabase, *, clock: Callable[[], float]) -> None:
        self.db = db
        self.clock = clock

    def record(
        self, user_id: int, track_id: int, *, album_id: int | None = None,
        artist_id: int | None = None, played_at_s: float | None = None,
    ) -> None:  # fmt: skip
        """One finished play of ``track_id`` (and its album and artist) at ``played_at_s``
        (now by default); the last played time never moves back."""
        when_s = self.clock() if played_at_s is None else played_at_s
        items = [("song", track_id), ("album", album_id), ("artist", artist_id)]
        rows = [(user_id, kind, int(i), when_s) for kind, i in items if i is not None]
        with self.db.transaction() as db:
            db.executemany(
                "INSERT INTO user_plays (user_id, kind, item_id, play_count, last_played_s)"
                " VALUES (?, ?, ?, 1, ?) ON CONFLICT (user_id, kind, item_id) DO UPDATE SET"
                " play_count = user_plays.play_count + 1,"
                " last_played_s = CASE WHEN excluded.last_played_s > user_plays.last_played_s"
                " THEN excluded.last_played_s ELSE user_plays.last_played_s END",
                rows,
            )

    def counts(self, user_id: int, kind: str = "song") -> dict[int, PlayCount]:
        """Every ``kind`` item the user played: ``{id: PlayCount}``."""
        return {p.item_id: p for p in self._list(user_id, kind, "item_id", None)}

    def most_played(self, user_id: int, kind: str, *, limit: int | None = None) -> list[PlayCount]:
        """``kind`` items by play count (ties: the more recent first)."""
        return self._list(user_id, kind, "play_count DESC, last_played_s DESC, item_id", limit)

    def recently_played(
        self, user_id: int, kind: str, *, limit: int | None = None
    ) -> list[PlayCount]:
        """``kind`` items by last played time, the most recent first."""
        return self._list(user_id, kind, "last_played_s DESC, item_id", limit)

    def _list(self, user_id: int, kind: str, order: str, limit: int | None) -> list[PlayCount]:
        if kind not in PLAY_KINDS:
            raise InvalidParameterError("kind", f"must be one of {', '.join(PLAY_KINDS)}")
        rows = self.db.query(
            "SELECT item_id, play_count, last_played_s FROM user_plays"
            f" WHERE user_id = ? AND kind = ? ORDER BY {order} LIMIT ?",
            (user_id, kind, NO_LIMIT if limit is None else limit),
        )
        return [PlayCount(r["item_id"], r["play_count"], iso_time(r["last_played_s"]))
                for r in rows]  # fmt: skip

    def now_playing(
        self, user_id: int, player: str, track_id: int, *, ttl_s: float = NOW_PLAYING_TTL_S
    ) -> None:
        """``player`` of the user started ``track_id``; shown for ``ttl_s`` seconds."""
        now_s = self.clock()
        with self.db.transaction() as db:
            db.execute("DELETE FROM user_now_playing WHERE expires_at_s <= ?", (now_s,))
            db.execute(
                "INSERT INTO user_now_playing"
                " (user_id, player, track_id, started_at_s, expires_at_s) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, player) DO UPDATE SET track_id = excluded.track_id,"
                " started_at_s = excluded.started_at_s, expires_at_s = excluded.expires_at_s",
                (user_id, player[:MAX_PLAYER_CHARS], track_id, now_s, now_s + ttl_s),
            )

    def playing_now(self) -> list[NowPlaying]:
        """What every user's players are playing, the most recently started first."""
        rows = self.db.query(
            "SELECT n.*, u.name FROM user_now_playing n JOIN users u ON u.id = n.user_id"
            " WHERE n.expires_at_s > ? ORDER BY n.started_at_s DESC, u.name, n.player",
            (self.clock(),),
        )
        return [NowPlaying(r["user_id"], r["name"], r["player"], r["track_id"],
                           r["started_at_s"]) for r in rows]  # fmt: skip
