"""Users' lists resolved against a real scanned catalog: order and repeats kept, what the
catalog lost skipped."""

from __future__ import annotations

import pytest

from masterstream.library.catalog import Catalog
from masterstream.library.scanner import scan
from masterstream.library.selections import MAX_IDS
from masterstream.subsonic.lookup import albums_in_order, artists_in_order, tracks_in_order
from tests.library.tagged import write_flac


@pytest.fixture
def catalog(tmp_path):
    root = tmp_path / "music"
    for album, artist in (("One", "Ann"), ("Two", "Bo")):
        for n in (1, 2):
            write_flac(root / album / f"{n}.flac", title=f"{album} {n}", artist=artist,
                       album=album, tracknumber=str(n))  # fmt: skip
    with Catalog(tmp_path / "catalog.sqlite3") as opened:
        assert len(scan(opened, root).added) == 4
        yield opened


def ids_by_title(catalog: Catalog) -> dict[str, int]:
    return {t.title: t.id for t in catalog.list_tracks()}


def test_tracks_keep_order_and_repeats_and_skip_the_missing(catalog: Catalog) -> None:
    ids = ids_by_title(catalog)
    wanted = [ids["Two 2"], 987654, ids["One 1"], ids["Two 2"]]
    assert [t.title for t in tracks_in_order(catalog, wanted)] == ["Two 2", "One 1", "Two 2"]
    catalog.remove_track(ids["One 1"])  # a rescan lost it
    assert [t.title for t in tracks_in_order(catalog, wanted)] == ["Two 2", "Two 2"]
    assert tracks_in_order(catalog, []) == []


def test_more_ids_than_one_query_takes(catalog: Catalog) -> None:
    ids = ids_by_title(catalog)
    wanted = [*range(10_000, 10_000 + MAX_IDS), ids["One 2"], ids["One 1"]]
    assert [t.title for t in tracks_in_order(catalog, wanted)] == ["One 2", "One 1"]


def test_albums_and_artists_keep_order_and_skip_the_missing(catalog: Catalog) -> None:
    tracks = {t.title: t for t in catalog.list_tracks()}
    one, two = tracks["One 1"].album_id, tracks["Two 1"].album_id
    assert [a["title"] for a in albums_in_order(catalog, [two, 987654, one])] == ["Two", "One"]
    ann, bo = tracks["One 1"].artist_id, tracks["Two 1"].artist_id
    assert [a["name"] for a in artists_in_order(catalog, [bo, 987654, ann])] == ["Bo", "Ann"]
    for title in ("Two 1", "Two 2"):
        catalog.remove_track(tracks[title].id)  # the album and its artist go with them
    assert [a["title"] for a in albums_in_order(catalog, [two, one])] == ["One"]
    assert [a["name"] for a in artists_in_order(catalog, [bo, ann])] == ["Ann"]
