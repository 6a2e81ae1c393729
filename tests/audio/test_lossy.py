import numpy as np
import pytest

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.lossy import (
    LOSSY_FORMATS,
    UnsupportedChannelsError,
    lossy_stream,
)
from masterstream.errors import InvalidRequestError, UnsupportedFormatError
from tests.audio.lossy_checks import encode_stream, ffmpeg_decode, needs_ffmpeg
from tests.mastering.material import make_track


def test_formats_offer_the_issue_bitrates_and_defaults():
    opus, mp3 = LOSSY_FORMATS["opus"], LOSSY_FORMATS["mp3"]
    assert (opus.bitrates_kbps[0], opus.bitrates_kbps[-1], opus.default_bitrate_kbps) == (
        64,
        256,
        128,
    )
    assert (mp3.bitrates_kbps[0], mp3.bitrates_kbps[-1], mp3.default_bitrate_kbps) == (
        128,
        320,
        192,
    )
    assert opus.media_type == "audio/ogg; codecs=opus" and mp3.media_type == "audio/mpeg"
    assert mp3.sizes_known_before_encoding and not opus.sizes_known_before_encoding


@pytest.mark.parametrize("fmt", sorted(LOSSY_FORMATS))
def test_default_bitrate_is_used_when_none_is_asked_for(fmt):
    stream = lossy_stream(fmt, ChunkGeometry(44100, 44100), 2)
    assert stream.bitrate_kbps == LOSSY_FORMATS[fmt].default_bitrate_kbps


def test_unknown_format_lists_the_lossy_ones():
    with pytest.raises(UnsupportedFormatError, match="mp3, opus"):
        lossy_stream("aac", ChunkGeometry(44100, 44100), 2)


@pytest.mark.parametrize("fmt", sorted(LOSSY_FORMATS))
def test_more_than_two_channels_is_a_clear_request_error(fmt):
    with pytest.raises(UnsupportedChannelsError, match="6 channels") as info:
        lossy_stream(fmt, ChunkGeometry(44100, 44100), 6)
    assert isinstance(info.value, InvalidRequestError)


@pytest.mark.parametrize(("fmt", "tolerance"), [("opus", 0.15), ("mp3", 0.0)])
def test_size_estimates_before_encoding(fmt, tolerance):
    """MP3 (CBR) sizes are exact before encoding; Opus (VBR) sizes are nominal."""
    audio = np.array(make_track("music", 44100, 7.0, 2))
    data, stream = encode_stream(fmt, audio, 44100, None, 2.5)
    assert abs(len(data) - stream.estimated_size_bytes) <= tolerance * len(data)
    chunk = stream.encode_chunk(audio, 1, start_frame=0)
    assert abs(len(chunk) - stream.estimated_chunk_bytes(1)) <= tolerance * len(chunk)


@needs_ffmpeg
@pytest.mark.parametrize("fmt", sorted(LOSSY_FORMATS))
@pytest.mark.parametrize(("frames", "chunk_s"), [(1, 1.0), (100, 1.0), (2000, 0.01)])
def test_tiny_tracks_and_chunks_decode_exactly(tmp_path, fmt, frames, chunk_s):
    audio = np.random.default_rng(frames).uniform(-0.3, 0.3, (frames, 2)).astype(np.float32)
    data, stream = encode_stream(fmt, audio, 44100, None, chunk_s)
    decoded, _ = ffmpeg_decode(data, tmp_path / f"tiny.{fmt}", 2)
    assert decoded.shape[0] == stream.output_frames
