"""Selections of the catalog for Subsonic lists: random picks, years, genres, ids."""

from __future__ import annotations

import pytest

from masterstream.library import selections
from masterstream.library.catalog import Catalog, FileStamp, IndexEntry

ALBUMS = [  # (album, artist, year, genre of its tracks)
    ("Dawn", "Ada", 1971, "Jazz"),
    ("Noon", "Ada", 1985, "rock"),
    ("Dusk", "Bo", 1990, "Rock"),
    ("Night", "Bo", None, None),
]


@pytest.fixture
def catalog(catalog_target) -> Catalog:
    with Catalog(catalog_target) as opened:
        for n, (album, artist, year, genre) in enumerate(ALBUMS):
            for track in (1, 2):
                path = f"/music/{album}/{track}.flac"
                opened.index_track(IndexEntry(
                    path=path, signature=f"sig-{n}-{track}", stamp=FileStamp(10, 1, 1, n),
                    frames=44100, sample_rate=44100, channels=2, format="FLAC",
                    title=f"{album} {track}", artists=(artist,), album=album,
                    track_number=track, year=year, genre=genre,
                ))  # fmt: skip
        yield opened


def titles(albums: list[dict]) -> list[str]:
    return [album["title"] for album in albums]


def test_albums_by_year_both_ways_and_paged(catalog):
    assert titles(selections.albums_by_year(catalog, 1970, 1990, offset=0, limit=10)) == [
        "Dawn", "Noon", "Dusk"]  # fmt: skip
    assert titles(selections.albums_by_year(catalog, 1990, 1970, offset=0, limit=10)) == [
        "Dusk", "Noon", "Dawn"]  # fmt: skip
    assert titles(selections.albums_by_year(catalog, 1970, 1990, offset=1, limit=1)) == ["Noon"]


def test_genres_ignore_case(catalog):
    assert titles(selections.albums_by_genre(catalog, "ROCK", offset=0, limit=10)) == [
        "Dusk", "Noon"]  # fmt: skip
    found = {g["name"].casefold(): g for g in selections.genres(catalog)}
    assert set(found) == {"jazz", "rock"}
    assert (found["rock"]["track_count"], found["rock"]["album_count"]) == (4, 2)
    albums = {a["title"]: a["id"] for a in selections.random_albums(catalog, limit=10)}
    by_album = selections.album_genres(catalog, list(albums.values()))
    assert by_album[albums["Dawn"]] == "Jazz" and albums["Night"] not in by_album


def test_random_picks_are_bounded_and_filtered(catalog):
    assert len(selections.random_albums(catalog, limit=2)) == 2
    assert len(selections.random_albums(catalog, limit=10)) == len(ALBUMS)
    rock = selections.random_tracks(catalog, limit=10, genre="rock")
    assert sorted(r.album for r in rock) == ["Dusk", "Dusk", "Noon", "Noon"]
    span = selections.random_tracks(catalog, limit=10, from_year=1980, to_year=1989)
    assert {r.album for r in span} == {"Noon"}
    assert len(selections.random_tracks(catalog, limit=3)) == 3


def test_items_by_id_keep_the_order_given_and_skip_the_missing(catalog):
    ids = [a["id"] for a in selections.random_albums(catalog, limit=10)]
    wanted = [ids[2], 999, ids[0]]
    assert [a["id"] for a in selections.albums_by_ids(catalog, wanted)] == [ids[2], ids[0]]
    tracks = selections.tracks_by_ids(catalog, [4, 999, 1])
    assert [t.id for t in tracks] == [4, 1]
