"""Stars: the songs, albums and artists a user marked (Subsonic ``star``/``unstar``).

Items are catalog ids by kind; there is no foreign key into the catalog (a rescan may
remove a track), so whoever lists stars skips the items that no longer exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import InvalidParameterError
from .database import UserDatabase

STAR_KINDS = ("song", "album", "artist")


def iso_time(seconds: float) -> str:
    """``seconds`` since the epoch as an ISO 8601 UTC time (what Subsonic shows)."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Star:
    kind: str
    item_id: int
    starred_at: str


class Stars:
    """Star, unstar and list one user's starred items."""

    def __init__(self, db: UserDatabase, *, clock: Callable[[], float]) -> None:
        self.db = db
        self.clock = clock

    def star(self, user_id: int, items: Iterable[tuple[str, int]]) -> int:
        """Star each ``(kind, id)``; an item already starred keeps its time. Returns the
        number newly starred."""
        rows = [(user_id, _kind(kind), int(item_id), iso_time(self.clock()))
                for kind, item_id in items]  # fmt: skip
        with self.db.transaction() as db:
            return sum(
                db.execute(
                    "INSERT INTO user_stars (user_id, kind, item_id, starred_at, seq)"
                    " VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) + 1"
                    " FROM user_stars WHERE user_id = ?1)) ON CONFLICT DO NOTHING",
                    row,
                ).rowcount
                for row in rows
            )

    def unstar(self, user_id: int, items: Iterable[tuple[str, int]]) -> int:
        """Unstar each ``(kind, id)`` (one not starred is ignored); returns how many went."""
        rows = [(user_id, _kind(kind), int(item_id)) for kind, item_id in items]
        with self.db.transaction() as db:
            return sum(
                db.execute(
                    "DELETE FROM user_stars WHERE user_id = ? AND kind = ? AND item_id = ?", row
                ).rowcount
                for row in rows
            )

    def list(self, user_id: int, kind: str | None = None) -> list[Star]:
        """The user's stars (of one ``kind``, or all), most recently starred first."""
        sql = "SELECT kind, item_id, starred_at FROM user_stars WHERE user_id = ?"
        params: tuple[object, ...] = (user_id,)
        if kind is not None:
            sql += " AND kind = ?"
            params += (_kind(kind),)
        rows = self.db.query(sql + " ORDER BY starred_at DESC, seq DESC", params)
        return [Star(r["kind"], r["item_id"], r["starred_at"]) for r in rows]

    def starred_at(self, user_id: int) -> dict[tuple[str, int], str]:
        """Every star of the user as ``{(kind, id): time}``."""
        return {(s.kind, s.item_id): s.starred_at for s in self.list(user_id)}


def _kind(kind: str) -> str:
    if kind not in STAR_KINDS:
        raise InvalidParameterError("kind", f"must be one of {', '.join(STAR_KINDS)}")
    return kind
