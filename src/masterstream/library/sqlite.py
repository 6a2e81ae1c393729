"""Write transactions on a shared SQLite connection (the users' tables; the catalog goes
through :mod:`masterstream.db`, where connections are opened)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..db.sqlite import open_connection
from ..errors import CatalogError

__all__ = ["open_connection", "write_transaction"]


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
