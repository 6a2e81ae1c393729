"""How ``/rest/stream`` picks its format and bitrate from format, maxBitRate and defaults."""

from __future__ import annotations

import pytest

from masterstream.library.records import TrackRecord
from masterstream.subsonic.errors import GENERIC, SubsonicError
from masterstream.subsonic.transcoding import StreamFormat, choose_format
from masterstream.users import UserSettings

CD = TrackRecord(
    id=1, path="/music/a.flac", signature="s", size_bytes=30_000_000, mtime_ns=0,
    frames=44_100 * 240, sample_rate=44_100, channels=2, title="a", artist="b",
    fingerprint=None,
)  # fmt: skip  # a 4-min CD-quality FLAC of 30 MB: 1000 kbit/s on average
WAV_USER = UserSettings()
OPUS_USER = UserSettings(default_format="opus", default_bitrate_kbps=160)


@pytest.mark.parametrize(
    ("requested", "max_kbps", "settings", "expected"),
    [
        (None, 0, WAV_USER, StreamFormat("wav")),
        ("", 0, OPUS_USER, StreamFormat("opus", 160)),
        ("mp3", 0, WAV_USER, StreamFormat("mp3", 192)),  # the format's default bitrate
        ("mp3", 128, WAV_USER, StreamFormat("mp3", 128)),
        ("mp3", 200, WAV_USER, StreamFormat("mp3", 192)),
        ("mp3", 64, WAV_USER, StreamFormat("mp3", 128)),  # nothing lower: the lowest
        ("opus", 100, OPUS_USER, StreamFormat("opus", 96)),
        (None, 128, OPUS_USER, StreamFormat("opus", 128)),
        (None, 320, WAV_USER, StreamFormat("mp3", 192)),  # lossless default over the cap
        (None, 2000, WAV_USER, StreamFormat("wav")),  # 1411 kbit/s fits
        ("wav", 128, WAV_USER, StreamFormat("wav")),  # asked for explicitly: honoured
        ("raw", 128, OPUS_USER, StreamFormat("raw")),
        ("flac", 0, OPUS_USER, StreamFormat("flac")),
    ],
)
def test_choice(
    requested: str | None, max_kbps: int, settings: UserSettings, expected: StreamFormat
) -> None:
    assert choose_format(requested, max_kbps, settings, CD) == expected


def test_raw_default_falls_back_by_the_file_bitrate() -> None:
    raw_user = UserSettings(default_format="raw", default_bitrate_kbps=256)
    assert choose_format(None, 1200, raw_user, CD) == StreamFormat("raw")  # 1000 kbit/s
    assert choose_format(None, 900, raw_user, CD) == StreamFormat("mp3", 256)


def test_unknown_format_is_error_0_listing_the_formats() -> None:
    with pytest.raises(SubsonicError) as caught:
        choose_format("aac", 0, WAV_USER, CD)
    assert caught.value.code == GENERIC
    assert "mp3, opus, flac, wav, raw" in caught.value.message
