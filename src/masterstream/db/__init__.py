"""Databases the catalog and the users live in: SQLite (the embedded default, one file in
the data directory) or PostgreSQL (``postgresql://…``, shared by several servers).

:func:`open_database` gives a :class:`~.database.Database` for either; the SQL above it
is written once, in the subset both engines run (``?`` and ``:name`` parameters, rows
read by column name or position, ``INSERT … RETURNING id``, ``ON CONFLICT`` upserts), and
the few things that differ (schema, migrations bookkeeping, full-text search) ask the
database's :attr:`~.database.Database.dialect`.
"""

from .database import NO_LIMIT, Database, Dialect, is_database_url, open_database

__all__ = ["NO_LIMIT", "Database", "Dialect", "is_database_url", "open_database"]
