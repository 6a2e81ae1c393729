"""Schema migrations: a catalog written before albums existed upgrades in place.

``fixtures/catalog-v1.sqlite3`` was written by the catalog code as it was before schema
versions (two tracks, one fingerprint, two plans); the other tests build a version 1
catalog from the statements the migrations module keeps.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from masterstream.audio.signature import content_signature
from masterstream.errors import CatalogError
from masterstream.library import browse
from masterstream.library.catalog import Catalog
from masterstream.library.migrations import LATEST_VERSION, V1, schema_version
from masterstream.library.scanner import scan
from tests.library.tagged import write_flac

FIXTURE = Path(__file__).parent / "fixtures" / "catalog-v1.sqlite3"


def _schema(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE sql NOT NULL"))


def test_the_kept_v1_statements_are_the_schema_old_catalogs_have(tmp_path):
    with sqlite3.connect(tmp_path / "v1.db") as db:
        db.executescript(V1)
    assert _schema(tmp_path / "v1.db") == _schema(FIXTURE)


def test_an_old_catalog_file_upgrades_in_place_keeping_fingerprints_and_plans(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    shutil.copy(FIXTURE, path)
    with Catalog(path) as catalog:
        assert catalog.upgraded_from == 1
        first = catalog.find_by_path("/music/Artist/Album/01 - First.flac")
        assert first.fingerprint == {"crest_factor_db": 12.0, "integrated_lufs": -17.25,
                                     "true_peak_dbtp": -1.5}  # fmt: skip
        assert (first.title, first.artist, first.frames) == ("First", "Artist", 441000)
        plan = catalog.get_plan(first.id, "adaptive", signature="0f" * 16, pipeline_version="7")
        assert plan == {"eq": [1, 2], "gain_db": 3.25}
        assert catalog.get_plan(first.id, "warm", signature="0f" * 16, pipeline_version="7")
        assert [r.path for r in catalog.analysis_queue()] == ["/music/loose.wav"]
        assert browse.search(catalog, "fir")["tracks"][0].id == first.id  # indexed for search
        folders = [r[0] for r in catalog.read("SELECT folder FROM tracks ORDER BY id")]
        assert folders == ["/music/Artist/Album", "/music"]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    with Catalog(path) as catalog:  # opening again is a no-op
        assert catalog.upgraded_from == LATEST_VERSION and catalog.count_tracks() == 2


def test_a_rescan_after_the_upgrade_reads_tags_without_analysing_again(tmp_path):
    music = tmp_path / "music"
    song = write_flac(music / "Artist" / "Album" / "01.flac", title="Tagged", artist="Artist",
                      album="Album", tracknumber="1", date="2001")  # fmt: skip
    path = tmp_path / "catalog.sqlite3"
    with sqlite3.connect(path) as db:  # what the old code wrote for this file
        db.executescript(V1)
        stat = song.stat()
        db.execute(
            "INSERT INTO tracks (path, signature, size_bytes, mtime_ns, frames, sample_rate,"
            " channels, title, artist, fingerprint, updated_at) VALUES (?, ?, ?, ?, 22050, 44100,"
            " 2, 'Tagged', 'Artist', '{\"integrated_lufs\": -20.0}', 'then')",
            (str(song.resolve()), content_signature(song), stat.st_size, stat.st_mtime_ns),
        )
        db.execute("INSERT INTO plans VALUES (1, 'adaptive', ?, '7', '{\"gain_db\": 6.0}')",
                   (content_signature(song),))  # fmt: skip
    calls = []
    with Catalog(path) as catalog:
        report = scan(catalog, music, fingerprinter=lambda p: calls.append(p) or {})
        record = catalog.get_track(1)
        assert calls == [] and report.unchanged == [1] and not report.updated
        assert record.fingerprint == {"integrated_lufs": -20.0}
        assert (record.album, record.track_number, record.year) == ("Album", 1, 2001)
        assert record.stamp is not None  # stamped with ctime and inode now
        assert catalog.get_plan(1, "adaptive", signature=record.signature, pipeline_version="7")
        assert [a["title"] for a in browse.list_albums(catalog).items] == ["Album"]


def test_a_fresh_catalog_is_created_at_the_latest_version(tmp_path):
    with Catalog(tmp_path / "new.db") as catalog:
        assert catalog.upgraded_from == 0
    with sqlite3.connect(tmp_path / "new.db") as db:
        assert schema_version(db) == LATEST_VERSION


def test_a_catalog_from_a_newer_masterstream_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(CatalogError, match="newer"):
        Catalog(path)
    assert path.read_bytes() == before


def test_a_failed_step_leaves_the_catalog_at_its_old_version(tmp_path):
    path = tmp_path / "c.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as db:  # a table v2 wants to create is in the way
        db.execute("CREATE TABLE artists (x)")
    with pytest.raises(CatalogError):
        Catalog(path)
    with sqlite3.connect(path) as db:
        assert schema_version(db) == 1
        columns = [r[1] for r in db.execute("PRAGMA table_info(tracks)")]
        assert "album_id" not in columns
        assert db.execute("SELECT COUNT(*) FROM plans").fetchone()[0] == 2
