"""SQLite connections shared by threads (the catalog, the users): opening one, and write
transactions on it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CatalogError


@contextmanager
def write_transaction(
    db: sqlite3.Connection, lock: threading.Lock, what: str
) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` under ``lock``, rolled back on any exception;
    sqlite errors become :class:`CatalogError` naming ``what`` was written."""
    with lock:
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise CatalogError(f"{what}: write failed: {exc}") from exc


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
