"""Grouping keys and names taken from paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from masterstream.library.names import PathNames, name_key, names_from_path

ROOT = Path("/music")


def test_name_key_ignores_case_diacritics_and_spacing():
    assert name_key("Beyoncé") == name_key("BEYONCE") == name_key("  beyonce ") == "beyonce"
    assert name_key("Sigur  Rós") == name_key("sigur ros")
    assert name_key("Motörhead") != name_key("Motorhead X")
    assert name_key("Straße") == "strasse"  # casefold, not lower


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("Artist/Album/01 - Title.flac", PathNames("Title", "Artist", "Album", 1)),
        ("Artist/Album/1-03 Title.flac", PathNames("Title", "Artist", "Album", 3, 1)),
        ("Artist/Album/07. Title Two.mp3", PathNames("Title Two", "Artist", "Album", 7)),
        ("Artist - Album/02 Song.flac", PathNames("Song", "Artist", "Album", 2)),
        ("Loose Album/Song_Name.ogg", PathNames("Song Name", None, "Loose Album")),
        ("Genre/Artist/Album/04 - Artist - Song.flac", PathNames("Song", "Artist", "Album", 4)),
        ("2001 A Space Odyssey.wav", PathNames("2001 A Space Odyssey")),
        ("track.wav", PathNames("track")),
    ],
)
def test_names_from_path(relative, expected):
    assert names_from_path(ROOT / relative, ROOT) == expected


def test_a_file_outside_the_root_is_named_by_its_file_name_only():
    assert names_from_path(Path("/elsewhere/Artist/Album/03 - X.flac"), ROOT) == PathNames(
        "X", track_number=3
    )
