"""One database, whichever the engine: reads on a connection of their own, writes in
transactions on another, driver errors turned into :class:`~masterstream.errors.CatalogError`.

Two connections, each behind a lock, serve every thread of a server: a write transaction
(a scan's batch) never holds up a listing, since readers see the last commit (SQLite in
WAL mode; PostgreSQL's MVCC). :func:`open_database` picks the engine from its target: a
``postgresql://`` URL, else a file path.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from ..errors import CatalogError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
NO_LIMIT = 2**62  # "LIMIT ?" for no limit, on both engines (SQLite's -1 is an error on PostgreSQL)

Params = Sequence[Any] | dict[str, Any]


class Dialect(Enum):
    SQLITE = "sqlite"
    POSTGRES = "postgresql"


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What SQL above this package uses of a connection (sqlite3's own, or the psycopg
    adapter in :mod:`.postgres`): ``?``/``:name`` parameters, rows by name or position."""

    def execute(self, sql: str, params: Params = ...) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Params], /) -> object: ...


Prepare = Callable[[Connection, "Dialect"], None]
"""Runs once on the writer before anything else (schema migrations)."""


def is_database_url(target: str | Path) -> bool:
    return str(target).startswith(POSTGRES_SCHEMES)


class Database(ABC):
    """A writer and a reader connection to one database, each behind its lock."""

    dialect: Dialect

    def __init__(self, what: str) -> None:
        self.what = what
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()

    # -- what each engine provides ---------------------------------------------------------

    @abstractmethod
    def _writer(self) -> Connection: ...

    @abstractmethod
    def _reader(self) -> Connection: ...

    @abstractmethod
    def _begin(self, db: Connection) -> None: ...

    @abstractmethod
    def _end(self, db: Connection, *, commit: bool) -> None: ...

    @abstractmethod
    def _close(self) -> None: ...

    errors: tuple[type[BaseException], ...] = ()

    # -- the same for every engine ----------------------------------------------------------

    def read(self, sql: str, params: Params = ()) -> list[Any]:
        """Rows of one read-only query."""
        with self._read_lock:
            try:
                return self._reader().execute(sql, params).fetchall()
            except self.errors as exc:
                raise CatalogError(f"{self.what}: read failed: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction, rolled back on any exception; driver errors become
        ``CatalogError`` naming what was written."""
        with self._write_lock:
            db = self._writer()
            try:
                self._begin(db)
                try:
                    yield db
                except BaseException:
                    self._end(db, commit=False)
                    raise
                self._end(db, commit=True)
            except self.errors as exc:
                raise CatalogError(f"{self.what}: write failed: {exc}") from exc

    def execute(self, sql: str, params: Params = ()) -> int:
        """One write statement in a transaction of its own; returns the rows changed."""
        with self.transaction() as db:
            return db.execute(sql, params).rowcount

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Held by one holder at a time among everyone sharing this database (a blocking
        wait): on PostgreSQL an advisory lock, so servers sharing it take turns; a SQLite
        file has one server, so nothing is locked."""
        yield

    def close(self) -> None:
        with self._write_lock:
            if self._read_lock is self._write_lock:
                self._close()
                return
            with self._read_lock:
                self._close()


def open_database(
    target: str | Path, *, what: str = "catalog", prepare: Prepare | None = None
) -> Database:
    """The database at ``target`` (a ``postgresql://`` URL or a SQLite file path, ``:memory:``
    included); ``prepare`` runs on the writer first. Raises ``CatalogError`` if it cannot
    be opened."""
    if is_database_url(target):
        from .postgres import PostgresDatabase

        return PostgresDatabase(str(target), what=what, prepare=prepare)
    from .sqlite import SqliteDatabase

    return SqliteDatabase(target, what=what, prepare=prepare)
