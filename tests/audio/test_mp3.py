import numpy as np
import pytest

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.lame import DECODER_DELAY
from masterstream.audio.lossy import UnsupportedBitrateError, lossy_stream
from masterstream.audio.mp3 import FRAME_SAMPLES, mp3_sample_rate
from masterstream.audio.mp3_tag import crc16, split_frames
from masterstream.errors import InvalidRequestError
from tests.audio.lossy_checks import boundary_report, click_ratio, encode_stream, needs_ffmpeg
from tests.mastering.material import make_track

pytestmark = needs_ffmpeg

# every bitrate edge, both source rates, mono and stereo, chunk boundaries on and off the
# frame grid; a 7.3 s track always ends with a shorter chunk
CASES = [
    pytest.param((128, 44100, 2, 2.222), id="128k-44.1k-stereo"),
    pytest.param((320, 48000, 1, 2.5), id="320k-48k-mono"),
    pytest.param((None, 44100, 1, 3.0), id="default-44.1k-mono"),
    pytest.param((256, 48000, 2, 2.222), id="256k-48k-stereo"),
]


@pytest.fixture(scope="module", params=CASES)
def report(request, tmp_path_factory):
    bitrate, rate, channels, chunk_s = request.param
    audio = np.array(make_track("music", rate, 7.3, channels))
    return boundary_report("mp3", audio, rate, bitrate, tmp_path_factory.mktemp("mp3"), chunk_s)


def test_chunks_decode_to_exactly_the_tracks_samples(report):
    stream = report["stream"]
    assert report["rate"] == stream.output_sample_rate == stream.geometry.sample_rate
    assert stream.output_frames == stream.geometry.total_frames
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
    broken = report["decoded"].copy()
    at, rate = report["boundaries"][0], report["rate"]
    broken[at : at + round(0.002 * rate)] = 0
    assert click_ratio(broken - report["master"], at, rate) > 2 * report["continuous_click"][0]


def test_sizes_are_known_before_encoding(report):
    stream, data = report["stream"], report["chunked"]
    assert len(data) == stream.size_bytes
    header = stream.header()
    chunk_bytes = [stream.chunk_size_bytes(k) for k in range(stream.geometry.chunk_count)]
    assert len(header) + sum(chunk_bytes) == len(data)


def test_lame_tag_carries_the_gapless_fields(report):
    stream, data = report["stream"], report["chunked"]
    frames = split_frames(data)
    info = frames[0]
    at = 4 + (17 if stream.channels == 1 else 32)
    assert info[at : at + 4] == b"Info"
    flags, frame_count, byte_count = (int.from_bytes(info[at + 4 * i : at + 4 * i + 4], "big")
                                      for i in (1, 2, 3))  # fmt: skip
    assert (flags, frame_count, byte_count) == (0x0F, len(frames) - 1, len(data))
    lame = info[at + 120 : at + 156]
    assert lame.startswith(b"LAME")
    fields = int.from_bytes(lame[21:24], "big")
    delay, padding = fields >> 12, fields & 0xFFF
    assert delay == stream.encoder_delay
    assert frame_count * FRAME_SAMPLES - delay - padding == stream.output_frames
    assert padding >= DECODER_DELAY
    assert int.from_bytes(lame[34:36], "big") == crc16(info[: at + 154])


def test_every_frame_stands_alone(report):
    """CBR frames, bit reservoir off: main_data_begin is 0 in every audio frame."""
    stream = report["stream"]
    frames = split_frames(report["chunked"])[1:]
    assert {f[2] >> 4 for f in frames} == {frames[0][2] >> 4}  # one bitrate index
    assert all(f[1] & 1 for f in frames)  # no CRC: side info follows the header
    assert all((f[4] << 1 | f[5] >> 7) == 0 for f in frames)
    plain = 144000 * stream.bitrate_kbps // stream.output_sample_rate
    assert all(len(f) in (plain, plain + 1) for f in frames)


def test_chunks_are_deterministic_and_independent_of_encoding_order():
    audio = np.array(make_track("music", 44100, 7.0, 2))
    forward, stream = encode_stream("mp3", audio, 44100, 160, 2.5)
    backward, _ = encode_stream("mp3", audio, 44100, 160, 2.5, order=[2, 0, 1])
    assert forward == backward and forward.startswith(stream.header())


@pytest.mark.parametrize(("source", "encoded"), [(44100, 44100), (48000, 48000),
                                                 (32000, 32000), (96000, 48000), (22050, 44100),
                                                 (88200, 44100), (16000, 48000)])  # fmt: skip
def test_sources_are_encoded_at_an_mpeg1_rate(source, encoded):
    assert mp3_sample_rate(source) == encoded


def test_a_96k_source_is_resampled_and_stays_gapless(tmp_path):
    audio = np.array(make_track("music", 96000, 3.1, 2))
    report = boundary_report("mp3", audio, 96000, 192, tmp_path, 1.25)
    stream = report["stream"]
    assert report["rate"] == 48000 and report["decoded"].shape[0] == stream.output_frames
    assert stream.output_frames == audio.shape[0] // 2
    for chunked, whole in zip(
        report["boundary_error_db"], report["continuous_boundary_error_db"], strict=True
    ):
        assert chunked <= whole + 0.5


@pytest.mark.parametrize("bitrate", [64, 96, 127, 330, "192", 192.0])
def test_invalid_bitrates_list_the_allowed_ones(bitrate):
    with pytest.raises(UnsupportedBitrateError) as info:
        lossy_stream("mp3", ChunkGeometry(44100, 44100), 2, bitrate)
    assert isinstance(info.value, InvalidRequestError)
    assert "allowed: 128, 160, 192, 224, 256, 320" in str(info.value)
