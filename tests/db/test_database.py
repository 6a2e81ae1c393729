"""The Database layer on both engines: the same SQL (``?``, ``:name``, ``?N`` parameters,
``%`` in text and operators, rows by name and position, ``RETURNING``, booleans), the same
errors, transactions that roll back."""

from __future__ import annotations

import pytest

from masterstream.db import Dialect, open_database
from masterstream.db.postgres import to_pyformat
from masterstream.errors import CatalogError


@pytest.fixture
def db(catalog_target):
    database = open_database(catalog_target, what="test")
    with database.transaction() as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, flag INTEGER)")
    yield database
    database.close()


def test_the_same_sql_runs_on_both_engines(db) -> None:
    with db.transaction() as conn:
        first = conn.execute("INSERT INTO t (id, name, flag) VALUES (?, ?, ?) RETURNING id",
                             (1, "50% off", True)).fetchone()  # fmt: skip
        conn.execute("INSERT INTO t (id, name, flag) VALUES (:id, :name, :flag)",
                     {"id": 2, "name": "b", "flag": False})  # fmt: skip
    assert first["id"] == first[0] == 1
    rows = db.read("SELECT id, name, flag, id % 2 AS odd FROM t WHERE name LIKE '50%' OR id = ?2"
                   " OR id = ?1 ORDER BY id", (1, 2))  # fmt: skip
    assert [(r["id"], r["name"], r["flag"], r["odd"]) for r in rows] == [
        (1, "50% off", 1, 1), (2, "b", 0, 0)]  # fmt: skip
    assert db.read("SELECT COUNT(*) AS n FROM t WHERE id % 2 = 1")[0]["n"] == 1
    assert list(rows[0].keys()) == ["id", "name", "flag", "odd"]


def test_a_failed_transaction_rolls_back_and_is_a_catalog_error(db) -> None:
    with pytest.raises(CatalogError, match="test: write failed"), db.transaction() as conn:
        conn.execute("INSERT INTO t (id, name) VALUES (?, ?)", (3, "c"))
        conn.execute("INSERT INTO t (id, name) VALUES (?, ?)", (3, "again"))
    assert db.read("SELECT COUNT(*) AS n FROM t")[0]["n"] == 0
    with pytest.raises(CatalogError, match="test: read failed"):
        db.read("SELECT nope FROM t")


def test_the_dialect_is_told_by_the_target(db, catalog_target) -> None:
    expected = Dialect.SQLITE if str(catalog_target).endswith(".db") else Dialect.POSTGRES
    assert db.dialect is expected


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("SELECT ? , :name", ("SELECT %s , %(name)s", False)),
        (
            "SELECT '?', ':x', 'a%b', x::text, 5 % 2",
            ("SELECT '?', ':x', 'a%%b', x::text, 5 %% 2", False),
        ),
        ("SELECT ?1 + ?2 + ?1", ("SELECT %(p1)s + %(p2)s + %(p1)s", True)),
        ('SELECT "we?ird"', ('SELECT "we?ird"', False)),
    ],
)
def test_parameters_are_translated_outside_literals_only(sql, expected) -> None:
    assert to_pyformat(sql) == expected
