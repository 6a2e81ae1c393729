"""Albums, artists, listing and search over a real scanned folder of tagged files."""

from __future__ import annotations

import pytest

from masterstream.errors import AlbumNotFoundError, ArtistNotFoundError
from masterstream.library import browse
from masterstream.library.catalog import Catalog
from masterstream.library.scanner import scan
from tests.conftest import write_tone
from tests.library.tagged import write_flac


@pytest.fixture
def music(tmp_path):
    root = tmp_path / "music"
    # one album over two folders (two discs), written out of order
    write_flac(root / "Post CD2" / "01.flac", title="Headphones", artist="Björk", album="Post",
               albumartist="Björk", discnumber="2", tracknumber="1", date="1995")  # fmt: skip
    write_flac(root / "Post" / "02.flac", title="Hyperballad", artist="Björk", album="Post",
               albumartist="Björk", discnumber="1", tracknumber="2", date="1995")  # fmt: skip
    write_flac(root / "Post" / "01.flac", title="Army of Me", artist="Björk", album="Post",
               albumartist="Björk", discnumber="1", tracknumber="1", date="1995")  # fmt: skip
    # the same artist spelt otherwise, no album artist tag
    write_flac(root / "Debut" / "01.flac", title="Human Behaviour", artist="BJORK",
               album="Debut", tracknumber="1", date="1993")  # fmt: skip
    # a compilation tagged as such, without an album artist
    for n, artist in enumerate(["Sigur Rós", "Múm"], start=1):
        write_flac(root / "Nordic" / f"{n:02d}.flac", title=f"Song {n}", artist=artist,
                   album="Nordic Sounds", compilation="1", tracknumber=str(n),
                   date="2004")  # fmt: skip
    # two albums of one name by different artists
    write_flac(root / "GH1" / "01.flac", title="Hit A", artist="Queen", album="Greatest Hits")
    write_flac(root / "GH2" / "01.flac", title="Hit B", artist="ABBA", album="Greatest Hits")
    # no tags at all: names from the path
    (root / "Artist X" / "Album Y").mkdir(parents=True)
    write_tone(root / "Artist X" / "Album Y" / "02 - Untitled Song.wav", duration_s=0.5)
    return root


@pytest.fixture
def catalog(tmp_path, music, catalog_target):
    with Catalog(catalog_target) as catalog:
        report = scan(catalog, music)
        assert len(report.added) == 9 and not report.skipped
        yield catalog


def _album(catalog, title, artist=None):
    items = browse.list_albums(catalog, limit=500).items
    found = [a for a in items if a["title"] == title and (artist is None or a["artist"] == artist)]
    assert len(found) == 1, found
    return found[0]


def test_albums_group_by_album_artist_and_title_not_by_folder(catalog):
    albums = browse.list_albums(catalog).items
    assert sorted((a["title"], a["artist"]) for a in albums) == [
        ("Album Y", "Artist X"), ("Debut", "Björk"), ("Greatest Hits", "ABBA"),
        ("Greatest Hits", "Queen"), ("Nordic Sounds", "Various Artists"), ("Post", "Björk"),
    ]  # fmt: skip
    post, tracks = browse.get_album(catalog, _album(catalog, "Post")["id"])
    assert [(t.disc_number, t.track_number, t.title) for t in tracks] == [
        (1, 1, "Army of Me"), (1, 2, "Hyperballad"), (2, 1, "Headphones"),
    ]  # fmt: skip
    assert post["track_count"] == 3 and post["year"] == 1995
    assert post["duration_s"] == pytest.approx(1.5, abs=0.01)


def test_artists_are_one_whatever_the_case_and_accents(catalog):
    names = [a["name"] for a in browse.list_artists(catalog).items]
    assert sum(n.casefold() in ("björk", "bjork") for n in names) == 1
    bjork = next(a for a in browse.list_artists(catalog).items if a["name"] == "Björk")
    detail = browse.get_artist(catalog, bjork["id"])
    assert detail["track_count"] == 4
    assert {a["title"] for a in detail["albums"]} == {"Post", "Debut"}


def test_compilations_belong_to_various_artists_and_appear_on_their_artists(catalog):
    nordic = _album(catalog, "Nordic Sounds")
    assert nordic["compilation"] and nordic["artist"] == "Various Artists"
    _, tracks = browse.get_album(catalog, nordic["id"])
    assert [t.artist for t in tracks] == ["Sigur Rós", "Múm"]
    assert {t.album_artist for t in tracks} == {"Various Artists"}
    sigur = browse.list_artists(catalog, q="sigur").items[0]
    detail = browse.get_artist(catalog, sigur["id"])
    assert detail["albums"] == [] and [a["title"] for a in detail["appears_on"]] == [
        "Nordic Sounds"
    ]


def test_untagged_files_are_named_from_their_path(catalog):
    album = _album(catalog, "Album Y", "Artist X")
    _, tracks = browse.get_album(catalog, album["id"])
    assert [(t.title, t.artist, t.track_number) for t in tracks] == [
        ("Untitled Song", "Artist X", 2)
    ]


def test_album_sorts_and_filters(catalog):
    by = {s: [a["title"] for a in browse.list_albums(catalog, sort=s).items]
          for s in browse.ALBUM_SORTS}  # fmt: skip
    assert by["name"] == ["Album Y", "Debut", "Greatest Hits", "Greatest Hits", "Nordic Sounds",
                          "Post"]  # fmt: skip
    assert by["artist"][:2] == ["Greatest Hits", "Album Y"]  # ABBA, Artist X
    assert by["year"][:3] == ["Debut", "Post", "Nordic Sounds"]  # undated albums last
    assert sorted(by["recent"]) == sorted(by["name"])
    page = browse.list_albums(catalog, sort="name", offset=1, limit=2)
    assert page.total == 6 and [a["title"] for a in page.items] == by["name"][1:3]
    queen = next(a for a in browse.list_artists(catalog).items if a["name"] == "Queen")
    assert [a["artist"] for a in browse.list_albums(catalog, artist_id=queen["id"]).items] == [
        "Queen"
    ]


def test_track_listing_filters_and_sorts_in_sql(catalog):
    all_tracks = browse.list_tracks(catalog, limit=3)
    assert all_tracks.total == 9 and len(all_tracks.items) == 3
    titles = [t.title for t in browse.list_tracks(catalog, sort="title").items]
    assert titles == sorted(titles, key=str.casefold)
    post = _album(catalog, "Post")
    in_album = browse.list_tracks(catalog, album_id=post["id"], sort="album").items
    assert [t.title for t in in_album] == ["Army of Me", "Hyperballad", "Headphones"]
    va = _album(catalog, "Nordic Sounds")["artist_id"]
    assert browse.list_tracks(catalog, artist_id=va).total == 2  # as album artist
    years = [t.year for t in browse.list_tracks(catalog, sort="year").items]
    assert years == [1993, 1995, 1995, 1995, 2004, 2004, None, None, None]
    recent = browse.list_tracks(catalog, sort="recent").items
    assert [t.id for t in recent] == sorted((t.id for t in recent), reverse=True)


def test_search_matches_prefixes_without_diacritics(catalog):
    found = browse.search(catalog, "bjo")
    assert [a["name"] for a in found["artists"]] == ["Björk"]
    assert {t.title for t in found["tracks"]} == {"Army of Me", "Hyperballad", "Headphones",
                                                  "Human Behaviour"}  # fmt: skip
    assert {a["title"] for a in found["albums"]} == {"Post", "Debut"}  # by their album artist
    assert [t.title for t in browse.search(catalog, "SIGUR ros")["tracks"]] == ["Song 1"]
    assert [t.title for t in browse.search(catalog, "mum")["tracks"]] == ["Song 2"]
    assert [t.title for t in browse.search(catalog, "hyper post")["tracks"]] == ["Hyperballad"]
    for hostile in ('"army*"', "army*)", "^army", "army:"):  # FTS5 syntax is not interpreted
        assert browse.search(catalog, hostile) == browse.search(catalog, "army")
    assert browse.search(catalog, "  ¿? ") == {"artists": [], "albums": [], "tracks": []}
    assert browse.list_tracks(catalog, q=" ").total == 9  # an empty box filters nothing
    assert browse.list_tracks(catalog, q="?!").total == 0  # punctuation matches nothing
    nordic = browse.list_albums(catalog, q="nord").items
    assert [a["title"] for a in nordic] == ["Nordic Sounds"]


def test_removing_the_last_track_removes_its_album_and_artist(catalog, music):
    for path in (music / "GH1").iterdir():
        path.unlink()
    report = scan(catalog, music)
    assert len(report.removed) == 1
    assert [a["artist"] for a in browse.list_albums(catalog, q="greatest").items] == ["ABBA"]
    assert "Queen" not in [a["name"] for a in browse.list_artists(catalog).items]
    assert browse.search(catalog, "queen")["artists"] == []


def test_retagging_moves_a_track_to_another_album(catalog, music):
    path = music / "Debut" / "01.flac"
    write_flac(path, title="Human Behaviour", artist="Björk", album="Post", albumartist="Björk",
               tracknumber="9", discnumber="1")  # fmt: skip
    report = scan(catalog, music)
    assert len(report.updated) == 1
    assert _album(catalog, "Post")["track_count"] == 4
    assert "Debut" not in [a["title"] for a in browse.list_albums(catalog).items]


def test_unknown_ids_raise_not_found(catalog):
    with pytest.raises(AlbumNotFoundError):
        browse.get_album(catalog, 999)
    with pytest.raises(ArtistNotFoundError):
        browse.get_artist(catalog, 999)


def test_broad_queries_come_in_catalog_order_with_the_right_total(catalog, monkeypatch):
    ranked = browse.list_tracks(catalog, q="bjo")
    monkeypatch.setattr(browse, "RANK_LIMIT", 2)
    broad = browse.list_tracks(catalog, q="bjo")
    assert broad.total == ranked.total == 4
    assert [t.id for t in broad.items] == sorted(t.id for t in ranked.items)
    assert browse.list_tracks(catalog, q="bjo", offset=3, limit=5).items == broad.items[3:]
