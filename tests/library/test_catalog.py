import re
import sqlite3
import threading

import pytest

from masterstream.errors import CatalogError, TrackNotFoundError
from masterstream.library.catalog import Catalog, FileStamp, IndexEntry


def entry(path="/music/a.flac", signature="sig-a", **overrides):
    values = dict(path=path, signature=signature, stamp=FileStamp(100, 1, 1, 7), frames=441000,
                  sample_rate=44100, channels=2, format="FLAC", title="A",
                  artists=("B",))  # fmt: skip
    values.update(overrides)
    return IndexEntry(**values)


def _add(catalog, path="/music/a.flac", signature="sig-a", **overrides):
    fingerprint = overrides.pop("fingerprint", {"integrated_lufs": -14.0})
    return catalog.index_track(entry(path, signature, **overrides), fingerprint=fingerprint)


def test_tracks_round_trip_and_survive_reopen(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    with Catalog(path) as catalog:
        track_id = _add(catalog)
    with Catalog(path) as catalog:
        record = catalog.get_track(track_id)
    assert record.path == "/music/a.flac" and record.signature == "sig-a"
    assert record.duration_s == pytest.approx(10.0)
    assert record.fingerprint == {"integrated_lufs": -14.0}


def test_update_keeps_the_id_and_drops_plans_of_the_old_signature(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        track_id = _add(catalog)
        catalog.put_plan(
            track_id, "warm", {"gain_db": 1.0}, signature="sig-a", pipeline_version="1"
        )
        assert _add(catalog, signature="sig-b") == track_id
        assert catalog.get_plan(track_id, "warm", signature="sig-a", pipeline_version="1") is None
        assert catalog.get_track(track_id).signature == "sig-b"


def test_plans_are_keyed_by_signature_and_pipeline_version(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        track_id = _add(catalog)
        catalog.put_plan(
            track_id, "warm", {"gain_db": 2.5}, signature="sig-a", pipeline_version="1"
        )
        assert catalog.get_plan(track_id, "warm", signature="sig-a", pipeline_version="1") == {
            "gain_db": 2.5
        }
        assert catalog.get_plan(track_id, "warm", signature="sig-a", pipeline_version="2") is None
        assert catalog.get_plan(track_id, "bright", signature="sig-a", pipeline_version="1") is None


def test_remove_cascades_to_plans(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        track_id = _add(catalog)
        catalog.put_plan(
            track_id, "warm", {"gain_db": 1.0}, signature="sig-a", pipeline_version="1"
        )
        catalog.remove_track(track_id)
        with pytest.raises(TrackNotFoundError):
            catalog.get_track(track_id)
        rows = catalog.read("SELECT COUNT(*) AS n FROM plans")
        assert rows[0]["n"] == 0


def test_list_and_count_paginate_in_id_order(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        ids = [_add(catalog, path=f"/m/{i}.flac", signature=f"s{i}") for i in range(5)]
        assert catalog.count_tracks() == 5
        assert [r.id for r in catalog.list_tracks(offset=1, limit=2)] == ids[1:3]


def test_failed_write_is_rolled_back_and_reported(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        _add(catalog)
        with pytest.raises(CatalogError):
            catalog.put_plan(999, "warm", {}, signature="x", pipeline_version="1")  # no such track
        assert catalog.count_tracks() == 1


def test_unopenable_catalog_is_a_catalog_error(tmp_path):
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(CatalogError):
        Catalog(tmp_path / "dir.db")


def test_a_corrupt_catalog_file_is_a_catalog_error(tmp_path):
    path = tmp_path / "c.db"
    path.write_bytes(b"definitely not sqlite" * 200)
    with pytest.raises(CatalogError, match=re.escape(str(path))) as caught:
        Catalog(path)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)  # converted, with its cause
    assert path.read_bytes() == b"definitely not sqlite" * 200  # the file was left as it was


def test_reads_are_not_held_up_by_a_write_transaction(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        track_id = _add(catalog)
        writing, release = threading.Event(), threading.Event()

        def long_write():
            with catalog._transaction() as db:
                db.execute("UPDATE tracks SET title = 'changing' WHERE id = ?", (track_id,))
                writing.set()
                release.wait(10)

        writer = threading.Thread(target=long_write)
        writer.start()
        try:
            assert writing.wait(10)
            # the last commit; a read queued behind the writer would see "changing" (after
            # the writer gives up waiting) instead
            assert catalog.get_track(track_id).title == "A"
        finally:
            release.set()
            writer.join()
        assert catalog.get_track(track_id).title == "changing"
