"""Albums without album artist tags: the tracks of a folder and album title decide together."""

from __future__ import annotations

import pytest

from masterstream.library import browse
from masterstream.library.catalog import Catalog
from masterstream.library.scanner import scan
from tests.library.tagged import write_flac


@pytest.fixture
def catalog(tmp_path, catalog_target):
    with Catalog(catalog_target) as catalog:
        yield catalog


def _albums(catalog):
    found = []
    for album in browse.list_albums(catalog, sort="name").items:
        _, tracks = browse.get_album(catalog, album["id"])
        found.append((album["title"], album["artist"], album["compilation"], len(tracks)))
    return sorted(found)


def test_an_untagged_compilation_is_one_various_artists_album_in_any_order(tmp_path, catalog):
    music = tmp_path / "music"
    folder = music / "Summer Hits 1999"
    artists = ["Lou Bega", "Eiffel 65", "Ricky Martin", "Britney Spears"]
    write_flac(folder / "01.flac", title="Song 1", artist=artists[0], album="Summer Hits")
    scan(catalog, music)  # one file so far: its artist's album
    assert _albums(catalog) == [("Summer Hits", "Lou Bega", False, 1)]
    for n, artist in enumerate(artists[1:], start=2):
        write_flac(folder / f"{n:02d}.flac", title=f"Song {n}", artist=artist, album="Summer Hits")
    scan(catalog, music)
    assert _albums(catalog) == [("Summer Hits", "Various Artists", True, 4)]
    names = [a["name"] for a in browse.list_artists(catalog).items]
    assert "Various Artists" in names and set(artists) <= set(names)  # still track artists
    tracks = browse.list_tracks(catalog, sort="album").items
    assert {t.album_artist for t in tracks} == {"Various Artists"}


def test_guests_stay_on_the_album_of_the_artist_with_most_tracks(tmp_path, catalog):
    music = tmp_path / "music"
    for n in range(1, 9):
        artist = {3: "Nas feat. Lauryn Hill", 7: "Nas & AZ"}.get(n, "Nas")
        write_flac(music / "It Was Written" / f"{n:02d}.flac", title=f"T{n}", artist=artist,
                   album="It Was Written")  # fmt: skip
    scan(catalog, music)
    assert _albums(catalog) == [("It Was Written", "Nas", False, 8)]


def test_a_compilation_that_loses_tracks_goes_back_to_its_artists(tmp_path, catalog):
    music = tmp_path / "music"
    for n, artist in enumerate(["A", "B", "C"], start=1):
        write_flac(music / "Mix" / f"{n}.flac", title=f"S{n}", artist=artist, album="Mix")
    scan(catalog, music)
    assert _albums(catalog) == [("Mix", "Various Artists", True, 3)]
    (music / "Mix" / "3.flac").unlink()
    report = scan(catalog, music)
    assert len(report.removed) == 1
    assert _albums(catalog) == [("Mix", "A", False, 1), ("Mix", "B", False, 1)]
    assert "Various Artists" not in [a["name"] for a in browse.list_artists(catalog).items]


def test_tagged_album_artists_and_other_folders_are_left_alone(tmp_path, catalog):
    music = tmp_path / "music"
    for n, artist in enumerate(["A", "B", "C"], start=1):
        write_flac(music / "Split" / f"{n}.flac", title=f"S{n}", artist=artist, album="Split",
                   albumartist=artist)  # fmt: skip
        write_flac(music / f"Own {n}" / "1.flac", title=f"O{n}", artist=artist, album="Same Name")
    scan(catalog, music)
    assert _albums(catalog) == [
        ("Same Name", "A", False, 1), ("Same Name", "B", False, 1), ("Same Name", "C", False, 1),
        ("Split", "A", False, 1), ("Split", "B", False, 1), ("Split", "C", False, 1),
    ]  # fmt: skip
