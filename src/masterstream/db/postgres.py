"""PostgreSQL through psycopg 3, speaking the SQL the SQLite side speaks.

:class:`PgConnection` translates ``?`` and ``:name`` parameters to psycopg's ``%s`` and
``%(name)s`` (literal ``%`` doubled; string literals and ``::`` casts left alone), returns
rows readable by column name and by position like ``sqlite3.Row``, and sends Python
booleans as integers (the schema keeps SQLite's 0/1 flags). A connection broken by a
server restart is replaced on its next use.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.adapt import Dumper

from ..errors import CatalogError
from .database import Connection, Cursor, Database, Dialect, Params, Prepare

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|:([A-Za-z_]\w*)|\?(\d+)|\?|%")


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> tuple[str, bool]:
    """``sql`` with ``?`` → ``%s``, ``:name`` → ``%(name)s``, ``?N`` → ``%(pN)s`` and every
    ``%`` doubled; and whether it numbers its parameters (``?N``: pass them by name)."""
    numbered = False

    def token(m: re.Match[str]) -> str:
        nonlocal numbered
        text = m.group(0)
        if text[0] in "'\"":
            return text.replace("%", "%%")
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        if m.group(1):
            return f"%({m.group(1)})s"
        if m.group(2):
            numbered = True
            return f"%(p{m.group(2)})s"
        return text  # "::"

    return _TOKEN.sub(token, sql), numbered


class Row:
    """One result row, by column name (``row["id"]``) or position (``row[0]``)."""

    __slots__ = ("_names", "_values")

    def __init__(self, values: Sequence[Any], names: dict[str, int]) -> None:
        self._values = values
        self._names = names

    def __getitem__(self, key: str | int) -> Any:
        return self._values[self._names[key]] if isinstance(key, str) else self._values[key]

    def keys(self) -> list[str]:
        return list(self._names)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values, strict=True))!r})"


def _row_factory(cursor: Any) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


class _BoolAsInt(Dumper):
    """Python booleans as the 0/1 integers the schema stores (as SQLite does)."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class PgConnection:
    """A psycopg connection with the sqlite3-like ``execute`` the SQL above expects."""

    def __init__(self, url: str) -> None:
        self.raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory)
        self.raw.adapters.register_dumper(bool, _BoolAsInt)

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        if not params:
            return self.raw.execute(sql.replace("%", "%%") if "%" in sql else sql)
        query, numbered = to_pyformat(sql)
        if numbered and not isinstance(params, dict):
            params = {f"p{i}": value for i, value in enumerate(params, start=1)}
        return self.raw.execute(query, params)

    def executescript(self, sql: str) -> None:
        """Several statements at once (schema scripts: no parameters)."""
        self.raw.execute(sql)

    @property
    def broken(self) -> bool:
        return self.raw.closed or self.raw.broken

    def close(self) -> None:
        self.raw.close()


class PostgresDatabase(Database):
    """A PostgreSQL database (a ``postgresql://`` URL) with a writer and a reader connection."""

    dialect = Dialect.POSTGRES
    errors = (psycopg.Error,)

    def __init__(self, url: str, *, what: str, prepare: Prepare | None = None) -> None:
        super().__init__(what)
        self.url = url
        try:
            self._db = PgConnection(url)
        except psycopg.Error as exc:
            raise CatalogError(f"cannot open {what} at {_safe(url)}: {exc}") from exc
        try:
            if prepare is not None:
                prepare(self._db, self.dialect)
            self._db_reader = PgConnection(url)
        except (psycopg.Error, CatalogError) as exc:
            self._db.close()
            if isinstance(exc, CatalogError):
                raise
            raise CatalogError(f"cannot open {what} at {_safe(url)}: {exc}") from exc

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """A session advisory lock on a connection of its own (released if the holder
        dies: its connection closes)."""
        key = zlib.crc32(name.encode())
        try:
            conn = PgConnection(self.url)
        except psycopg.Error as exc:
            raise CatalogError(f"{self.what}: cannot take the {name!r} lock: {exc}") from exc
        try:
            conn.execute("SELECT pg_advisory_lock(?)", (key,))
            yield
        finally:
            conn.close()

    def _fresh(self, conn: PgConnection) -> PgConnection:
        return PgConnection(self.url) if conn.broken else conn

    def _writer(self) -> Connection:
        self._db = self._fresh(self._db)
        return self._db

    def _reader(self) -> Connection:
        self._db_reader = self._fresh(self._db_reader)
        return self._db_reader

    def _begin(self, db: Connection) -> None:
        db.execute("BEGIN")

    def _end(self, db: Connection, *, commit: bool) -> None:
        db.execute("COMMIT" if commit else "ROLLBACK")

    def _close(self) -> None:
        self._db.close()
        self._db_reader.close()


def _safe(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:****@", url)
