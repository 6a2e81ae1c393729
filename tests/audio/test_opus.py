import struct

import numpy as np
import pytest

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.lossy import UnsupportedBitrateError, lossy_stream
from masterstream.audio.ogg import FLAG_BOS, FLAG_EOS, read_pages
from masterstream.audio.opus import FRAME_SAMPLES
from masterstream.errors import InvalidRequestError
from tests.audio.lossy_checks import boundary_report, click_ratio, encode_stream, needs_ffmpeg
from tests.mastering.material import make_track

pytestmark = needs_ffmpeg

# every bitrate edge, both source rates, mono and stereo, chunk boundaries on and off the
# 48 kHz packet grid; a 7.3 s track always ends with a shorter chunk
CASES = [
    pytest.param((64, 44100, 2, 2.222), id="64k-44.1k-stereo"),
    pytest.param((256, 48000, 1, 2.5), id="256k-48k-mono"),
    pytest.param((None, 44100, 1, 3.0), id="default-44.1k-mono"),
    pytest.param((128, 48000, 2, 2.222), id="128k-48k-stereo"),
]


@pytest.fixture(scope="module", params=CASES)
def report(request, tmp_path_factory):
    bitrate, rate, channels, chunk_s = request.param
    audio = np.array(make_track("music", rate, 7.3, channels))
    return boundary_report("opus", audio, rate, bitrate, tmp_path_factory.mktemp("opus"), chunk_s)


def test_chunks_decode_to_exactly_the_tracks_samples(report):
    stream = report["stream"]
    source_frames, source_rate = stream.geometry.total_frames, stream.geometry.sample_rate
    assert stream.output_frames == -(-source_frames * 48000 // source_rate)
    assert report["decoded"].shape[0] == report["continuous"].shape[0] == stream.output_frames


def test_boundaries_are_no_worse_than_the_continuous_encode(report):
    for chunked, whole in zip(
        report["boundary_error_db"], report["continuous_boundary_error_db"], strict=True
    ):
        assert chunked <= whole + 0.5
    assert max(report["boundary_error_db"]) <= max(report["elsewhere_error_db"])


def test_no_click_at_any_boundary(report):
    for chunked, whole in zip(report["click"], report["continuous_click"], strict=True):
        assert chunked <= 1.2 * whole + 1.0


def test_a_real_dropout_would_be_caught(report):
    """The click detector fires on 2 ms of lost audio at a boundary."""
    broken = report["decoded"].copy()
    at, rate = report["boundaries"][0], report["rate"]
    broken[at : at + round(0.002 * rate)] = 0
    assert click_ratio(broken - report["master"], at, rate) > 2 * report["continuous_click"][0]


def test_stream_is_one_logical_bitstream(report):
    stream, pages = report["stream"], list(read_pages(report["chunked"]))
    assert len({p.serial for p in pages}) == 1
    assert [p.sequence for p in pages] == list(range(len(pages)))
    head, tags, audio = pages[0], pages[1], pages[2:]
    assert head.flags == FLAG_BOS and head.packets[0].startswith(b"OpusHead")
    assert tags.packets[0].startswith(b"OpusTags") and tags.granule == 0
    assert all(p.flags == 0 for p in audio[:-1]) and audio[-1].flags == FLAG_EOS
    pre_skip = struct.unpack_from("<H", head.packets[0], 10)[0]
    assert pre_skip == stream.pre_skip
    granules = [p.granule for p in audio]
    assert granules == sorted(granules)
    packets = [len(p.packets) for p in audio]
    assert granules[:-1] == list(np.cumsum(packets)[:-1] * FRAME_SAMPLES)
    assert granules[-1] == stream.output_frames + pre_skip  # end trim
    assert (sum(packets) - 1) * FRAME_SAMPLES < granules[-1] <= sum(packets) * FRAME_SAMPLES
    assert not any(p.continued_last for p in pages)


def test_chunks_are_deterministic_and_independent_of_encoding_order():
    audio = np.array(make_track("music", 44100, 7.0, 2))
    forward, stream = encode_stream("opus", audio, 44100, 96, 2.5)
    backward, _ = encode_stream("opus", audio, 44100, 96, 2.5, order=[2, 0, 1])
    assert forward == backward
    assert forward.startswith(stream.header())


def test_encoder_needs_the_whole_input_span():
    audio = np.array(make_track("music", 44100, 7.0, 2))
    geometry = ChunkGeometry(audio.shape[0], 44100, chunk_duration_s=2.5)
    stream = lossy_stream("opus", geometry, 2)
    start, stop = stream.input_span(1)
    assert start < geometry.chunk_span(1)[0] and stop > geometry.chunk_span(1)[1]  # context
    with pytest.raises(ValueError, match="frames"):
        stream.encode_chunk(audio[start + 100 : stop], 1, start_frame=start + 100)


@pytest.mark.parametrize("bitrate", [32, 63, 65, 300, "128", 128.0, True])
def test_invalid_bitrates_list_the_allowed_ones(bitrate):
    geometry = ChunkGeometry(44100, 44100)
    with pytest.raises(UnsupportedBitrateError) as info:
        lossy_stream("opus", geometry, 2, bitrate)
    assert isinstance(info.value, InvalidRequestError)
    assert "64, 96, 128, 160, 192, 256" in str(info.value)
    assert info.value.valid == [64, 96, 128, 160, 192, 256]
