"""The users' store: accounts, sessions and API keys over one database connection."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .accounts import Accounts
from .database import UserDatabase
from .keys import ApiKeys
from .passwords import HashParameters, PasswordHashing
from .playlists import Playlists
from .plays import Plays
from .sessions import Sessions
from .stars import Stars
from .subsonic import KEY_FILE, SubsonicPasswords

DEFAULT_SESSION_TTL_S = 14 * 24 * 3600.0


class UserStore:
    """Everything about users in the catalog's SQLite file (see :mod:`.database`)."""

    def __init__(
        self,
        path: str | Path,
        *,
        hashing: HashParameters | None = None,
        session_ttl_s: float = DEFAULT_SESSION_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = UserDatabase(path)
        self.hashing = PasswordHashing(hashing)
        self.accounts = Accounts(self.db, self.hashing)
        self.sessions = Sessions(self.db, ttl_s=session_ttl_s, clock=clock)
        self.keys = ApiKeys(self.db)
        self.stars = Stars(self.db, clock=clock)
        self.plays = Plays(self.db, clock=clock)
        self.playlists = Playlists(self.db, clock=clock)
        self.subsonic = SubsonicPasswords(self.db, self.db.path.with_name(KEY_FILE))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> UserStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
