"""Output formats and their cache-key tokens: every format, bitrate and chunk form (stream
segment or standalone file) has a token of its own, read back to the same format."""

from __future__ import annotations

import pytest

from masterstream.audio.formats import describe_formats, output_format, parse_token
from masterstream.audio.lossy import LOSSY_FORMATS, UnsupportedBitrateError
from masterstream.errors import InvalidParameterError, UnsupportedFormatError
from masterstream.service.request import ChunkRequest, PlaybackPosition, check_format

ALL_FORMATS = [
    output_format(name, bitrate, standalone=standalone)
    for name, spec in LOSSY_FORMATS.items()
    for bitrate in spec.bitrates_kbps
    for standalone in (False, True)
] + [output_format("wav"), output_format("flac")]


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=lambda f: f.token)
def test_tokens_read_back_to_the_same_format(fmt):
    assert parse_token(fmt.token) == fmt


def test_tokens_are_distinct_per_format_bitrate_and_chunk_form():
    tokens = [f.token for f in ALL_FORMATS]
    assert len(set(tokens)) == len(tokens)
    assert output_format("opus", 128, standalone=True).token == "opus-128-standalone"
    assert output_format("mp3", None).token == "mp3-192"


def test_standalone_changes_nothing_for_lossless_chunks():
    assert output_format("flac", standalone=True) == output_format("flac")
    assert check_format("wav", None, True) == "wav"


def test_standalone_keeps_the_media_type():
    assert parse_token("opus-96-standalone").media_type == "audio/ogg; codecs=opus"
    assert parse_token("mp3-320-standalone").media_type == "audio/mpeg"


@pytest.mark.parametrize("token", ["opus-128-file", "opus-128-standalone-x", "ogg-128"])
def test_unknown_tokens_are_refused(token):
    with pytest.raises(UnsupportedFormatError):
        parse_token(token)


def test_chunk_requests_read_standalone_strictly():
    query = {"format": "opus", "bitrate": "64", "standalone": "true"}
    assert ChunkRequest.parse("1", "0", query).fmt == "opus-64-standalone"
    assert ChunkRequest.parse("1", "0", {**query, "standalone": "0"}).fmt == "opus-64"
    assert ChunkRequest.parse("1", "0", {"format": "mp3"}).fmt == "mp3-192"
    with pytest.raises(InvalidParameterError, match="standalone"):
        ChunkRequest.parse("1", "0", {**query, "standalone": "yes"})
    with pytest.raises(UnsupportedBitrateError):
        ChunkRequest.parse("1", "0", {**query, "bitrate": "100"})


def test_playback_reports_carry_the_chunk_form():
    fields = {"track_id": 3, "position_s": 1.5, "format": "mp3", "bitrate": 256}
    assert PlaybackPosition.parse({**fields, "standalone": True}).fmt == "mp3-256-standalone"
    assert PlaybackPosition.parse(fields).fmt == "mp3-256"
    with pytest.raises(InvalidParameterError, match="standalone"):
        PlaybackPosition.parse({**fields, "standalone": "true"})  # JSON booleans only


def test_every_format_says_its_chunks_can_be_standalone():
    described = {f["name"]: f for f in describe_formats(("wav", "mp3", "opus"), {})}
    assert all(f["standalone_chunks"] is True for f in described.values())
    assert set(described) == {"wav", "flac", "opus", "mp3"}
