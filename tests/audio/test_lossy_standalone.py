"""Chunks encoded as files of their own (``standalone=True``): each decodes to exactly its
chunk's samples, and the decoded chunks queued back to back match the continuous encode
at every boundary, as a player that decodes chunk by chunk would hear them."""

import numpy as np
import pytest

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.lossy import lossy_stream
from tests.audio.lossy_checks import (
    click_ratio,
    encode_stream,
    ffmpeg_decode,
    needs_ffmpeg,
    window_errors_db,
)
from tests.mastering.material import make_track

pytestmark = needs_ffmpeg
CASES = [
    ("opus", 128, 44100, 2, 2.222),
    ("opus", 64, 48000, 1, 2.5),
    ("mp3", 192, 44100, 2, 2.222),
    ("mp3", 320, 48000, 1, 2.5),
]


@pytest.mark.parametrize(("fmt", "bitrate", "rate", "channels", "chunk_s"), CASES)
def test_standalone_chunks_decode_exactly_and_queue_gaplessly(
    tmp_path, fmt, bitrate, rate, channels, chunk_s
):
    audio = np.array(make_track("music", rate, 7.3, channels))
    geometry = ChunkGeometry(audio.shape[0], rate, chunk_duration_s=chunk_s)
    stream = lossy_stream(fmt, geometry, channels, bitrate)
    pieces = []
    for k in range(geometry.chunk_count):
        start, stop = stream.input_span(k)
        data = stream.encode_chunk(audio[start:stop], k, start_frame=start, standalone=True)
        decoded, out_rate = ffmpeg_decode(data, tmp_path / f"{k}.{fmt}", channels)
        emit_start, emit_stop = (stream.resampler.out_index(f) for f in geometry.chunk_span(k))
        assert decoded.shape[0] == emit_stop - emit_start
        pieces.append(decoded)
    queued = np.concatenate(pieces)

    whole, _ = encode_stream(fmt, audio, rate, bitrate, audio.shape[0] / rate)
    continuous, _ = ffmpeg_decode(whole, tmp_path / f"whole.{fmt}", channels)
    master = stream.resampler.convert(audio, 0, audio.shape[0], 0, stream.output_frames)
    assert queued.shape == continuous.shape
    boundaries = [stream.resampler.out_index(geometry.chunk_span(k)[0])
                  for k in range(1, geometry.chunk_count)]  # fmt: skip
    half = round(0.01 * out_rate)
    queued_db = window_errors_db(queued, master, boundaries, half)
    continuous_db = window_errors_db(continuous, master, boundaries, half)
    for at, queued_error, continuous_error in zip(
        boundaries, queued_db, continuous_db, strict=True
    ):
        assert queued_error <= continuous_error + 1.0
        click, reference = (click_ratio(x - master, at, out_rate) for x in (queued, continuous))
        assert click <= 1.2 * reference + 1.0
