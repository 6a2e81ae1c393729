"""The users' store: accounts, sessions, API keys, stars, plays, playlists and Subsonic
passwords over one database."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .accounts import Accounts
from .database import UserDatabase
from .keys import ApiKeys
from .passwords import HashParameters, PasswordHashing
from .playlists import Playlists
from .plays import Plays
from .sessions import Sessions
from .stars import Stars
from .subsonic import KEY_FILE, SubsonicPasswords

if TYPE_CHECKING:
    from ..config import Settings

DEFAULT_SESSION_TTL_S = 14 * 24 * 3600.0


class UserStore:
    """Everything about users, in the catalog's database (see :mod:`.database`)."""

    def __init__(
        self,
        path: str | Path,
        *,
        hashing: HashParameters | None = None,
        session_ttl_s: float = DEFAULT_SESSION_TTL_S,
        clock: Callable[[], float] = time.time,
        key_path: Path | None = None,
    ) -> None:
        self.db = UserDatabase(path)
        if key_path is None:
            if isinstance(self.db.path, str):
                raise ValueError("a user store in PostgreSQL needs key_path (the Subsonic key)")
            key_path = self.db.path.with_name(KEY_FILE)
        self.hashing = PasswordHashing(hashing)
        self.accounts = Accounts(self.db, self.hashing)
        self.sessions = Sessions(self.db, ttl_s=session_ttl_s, clock=clock)
        self.keys = ApiKeys(self.db)
        self.stars = Stars(self.db, clock=clock)
        self.plays = Plays(self.db, clock=clock)
        self.playlists = Playlists(self.db, clock=clock)
        self.subsonic = SubsonicPasswords(self.db, key_path)

    @classmethod
    def for_settings(cls, settings: Settings, **options: Any) -> UserStore:
        """The store of a configured server or command: in the catalog's database, with the
        Subsonic key in the data directory (servers sharing a database need the same key
        file: copy it to each)."""
        return cls(settings.catalog_target, key_path=settings.data_dir / KEY_FILE, **options)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> UserStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
