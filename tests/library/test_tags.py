"""Tags read with mutagen from real files: every format we index, and the edge cases."""

from __future__ import annotations

import pytest

from masterstream.library.tags import read_tags
from tests.conftest import write_tone
from tests.library.tagged import (
    flac_picture,
    musicbrainz_ufid,
    png,
    text_frame,
    txxx,
    write_flac,
    write_id3,
    write_ogg,
)

MB_RECORDING = "8f3471b5-7e6a-48da-86a9-c1c07a0f47ae"
MB_ALBUM = "a1b2c3d4-0000-4000-8000-000000000001"


def test_vorbis_comments_give_every_field(tmp_path):
    path = write_flac(
        tmp_path / "a.flac", title="Hyperballad", artist="Björk", album="Post",
        albumartist="Björk", tracknumber="3/11", discnumber="1", disctotal="2",
        date="1995-06-13", genre=["Electronic", "Art Pop"], replaygain_track_gain="-7.03 dB",
        replaygain_track_peak="0.988", replaygain_album_gain="-6.5 dB",
        musicbrainz_trackid=MB_RECORDING, musicbrainz_albumid=MB_ALBUM,
        pictures=(flac_picture(png((200, 10, 10))),),
    )  # fmt: skip
    tags = read_tags(path)
    assert (tags.title, tags.artist, tags.album, tags.album_artist) == (
        "Hyperballad", "Björk", "Post", "Björk"
    )  # fmt: skip
    assert (tags.track_number, tags.track_total, tags.disc_number, tags.disc_total) == (3, 11, 1, 2)
    assert tags.year == 1995 and tags.genres == ("Electronic", "Art Pop")
    assert tags.genre == "Electronic; Art Pop"
    assert tags.replaygain == {"track_gain": -7.03, "track_peak": 0.988, "album_gain": -6.5}
    assert tags.musicbrainz == {"recording_id": MB_RECORDING, "album_id": MB_ALBUM}
    assert tags.has_embedded_cover and not tags.compilation


def test_id3_in_mp3_gives_the_same_fields(tmp_path):
    frames = [
        text_frame("TIT2", "Teardrop"), text_frame("TPE1", "Massive Attack"),
        text_frame("TALB", "Mezzanine"), text_frame("TPE2", "Massive Attack"),
        text_frame("TRCK", "3/11"), text_frame("TPOS", "1/1"), text_frame("TDRC", "1998"),
        text_frame("TCON", "Trip Hop"), txxx("REPLAYGAIN_TRACK_GAIN", "-8.10 dB"),
        txxx("MusicBrainz Album Id", MB_ALBUM), musicbrainz_ufid(MB_RECORDING),
    ]  # fmt: skip
    tags = read_tags(
        write_id3(tmp_path / "t.mp3", fmt="MP3", frames=frames, picture=png((1, 2, 3)))
    )
    assert (tags.title, tags.artist, tags.album, tags.album_artist) == (
        "Teardrop", "Massive Attack", "Mezzanine", "Massive Attack"
    )  # fmt: skip
    assert (tags.track_number, tags.track_total, tags.disc_number, tags.disc_total) == (3, 11, 1, 1)
    assert tags.year == 1998 and tags.genres == ("Trip Hop",)
    assert tags.replaygain == {"track_gain": -8.1}
    assert tags.musicbrainz == {"recording_id": MB_RECORDING, "album_id": MB_ALBUM}
    assert tags.has_embedded_cover


def test_id3_in_wav_and_numeric_genre(tmp_path):
    frames = [text_frame("TIT2", "Song"), text_frame("TCON", "(17)"), text_frame("TCMP", "1")]
    tags = read_tags(write_id3(tmp_path / "s.wav", fmt="WAV", frames=frames))
    assert tags.title == "Song" and tags.genres == ("Rock",) and tags.compilation


def test_ogg_vorbis_with_a_metadata_block_picture(tmp_path):
    path = write_ogg(tmp_path / "o.ogg", title="Ogg", compilation="1", picture=png((0, 0, 0)))
    tags = read_tags(path)
    assert tags.title == "Ogg" and tags.compilation and tags.has_embedded_cover


def test_missing_tags_are_empty_not_errors(tmp_path):
    tags = read_tags(write_tone(tmp_path / "bare.wav", duration_s=0.2))
    assert tags.title is None and tags.artists == () and tags.album is None
    assert not tags.has_embedded_cover and tags.replaygain == {} and tags.musicbrainz == {}


def test_damaged_tags_do_not_fail(tmp_path):
    path = write_flac(tmp_path / "d.flac", title="x")
    data = bytearray(path.read_bytes())
    vendor = data.find(b"reference libFLAC")
    data[vendor - 4 : vendor] = b"\xff\xff\xff\x7f"  # the comment block claims 2 GiB
    path.write_bytes(bytes(data))
    assert read_tags(path) == read_tags(tmp_path / "no-such-file.flac")  # empty, no error
    assert read_tags(path).title is None


def test_unicode_survives_every_format(tmp_path):
    title = "Ça plane pour moi — 東京 ☃"
    flac = write_flac(tmp_path / "u.flac", title=title, artist="Plastic Bertrand")
    mp3 = write_id3(tmp_path / "u.mp3", fmt="MP3", frames=[text_frame("TIT2", title)])
    ogg = write_ogg(tmp_path / "u.ogg", title=title)
    assert {read_tags(p).title for p in (flac, mp3, ogg)} == {title}


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_multi_valued_title_takes_the_newest_value(tmp_path, fmt):
    """Three files whose tagger appended a TITLE after a stale shared one (as
    ``metaflac --set-tag`` does): each keeps its own title, not the shared first one."""
    titles = []
    for name in ("Echo Chamber", "Stalactite", "Underground River"):
        path = tmp_path / f"{name}.{fmt}"
        if fmt == "flac":
            write_flac(path, title=["Living Caves", name])
        else:
            write_id3(path, fmt="MP3", frames=[text_frame("TIT2", "Living Caves", name)])
        titles.append(read_tags(path).title)
    assert titles == ["Echo Chamber", "Stalactite", "Underground River"]


def test_multi_valued_artists_and_genres_keep_every_distinct_value(tmp_path):
    path = write_flac(
        tmp_path / "m.flac", artist=["Daft Punk", "Pharrell Williams", "Daft Punk", " "],
        genre=["Disco", "Funk"], album=["Old Name", "Random Access Memories"],
    )  # fmt: skip
    tags = read_tags(path)
    assert tags.artists == ("Daft Punk", "Pharrell Williams")
    assert tags.artist == "Daft Punk; Pharrell Williams"
    assert tags.genres == ("Disco", "Funk") and tags.album == "Random Access Memories"


def test_odd_numbers_and_dates(tmp_path):
    path = write_flac(tmp_path / "n.flac", tracknumber=" 07 ", tracktotal="12", discnumber="x",
                      date="Recorded 2003-2004")  # fmt: skip
    tags = read_tags(path)
    assert (tags.track_number, tags.track_total, tags.disc_number) == (7, 12, None)
    assert tags.year == 2003
