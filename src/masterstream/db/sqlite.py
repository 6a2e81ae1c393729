"""SQLite: the embedded default. One file, WAL journal, a writer and a ``query_only``
reader connection (one connection for ``:memory:``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import CatalogError
from .database import Connection, Database, Dialect, Prepare


def open_connection(path: str | Path) -> sqlite3.Connection:
    """A connection for any thread, in autocommit mode (transactions are explicit), rows by
    name, waiting up to 5 s for a lock, foreign keys on; the file's folder is created.
    Raises ``sqlite3.Error`` or ``OSError`` (the caller says what it was opening)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error:
        db.close()
        raise
    return db


class SqliteDatabase(Database):
    """A SQLite file (or ``:memory:``) with a writer and a reader connection."""

    dialect = Dialect.SQLITE
    errors = (sqlite3.Error,)

    def __init__(self, path: str | Path, *, what: str, prepare: Prepare | None = None) -> None:
        super().__init__(what)
        self.path = Path(path)
        try:
            self._db = open_connection(path)
        except (sqlite3.Error, OSError) as exc:
            raise CatalogError(f"cannot open {what} {path}: {exc}") from exc
        try:
            if prepare is not None:
                prepare(self._db, self.dialect)  # first: a refused file stays untouched
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints
            self._db_reader = self._db if str(path) == ":memory:" else _open_reader(path)
        except (sqlite3.Error, CatalogError) as exc:
            self._db.close()
            if isinstance(exc, CatalogError):
                raise
            raise CatalogError(f"cannot open {what} {path}: {exc}") from exc
        if self._db_reader is self._db:
            self._read_lock = self._write_lock

    def _writer(self) -> Connection:
        return self._db

    def _reader(self) -> Connection:
        return self._db_reader

    def _begin(self, db: Connection) -> None:
        db.execute("BEGIN IMMEDIATE")

    def _end(self, db: Connection, *, commit: bool) -> None:
        db.execute("COMMIT" if commit else "ROLLBACK")

    def _close(self) -> None:
        self._db.close()
        if self._db_reader is not self._db:
            self._db_reader.close()


def _open_reader(path: str | Path) -> sqlite3.Connection:
    reader = open_connection(path)
    reader.execute("PRAGMA query_only=ON")
    return reader
