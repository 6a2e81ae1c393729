"""The lossy encoders fed the way the server will feed them: each chunk's input span
mastered on its own from the file (mastering context around it), then encoded; the
concatenated stream must match the track mastered in one pass as well as a continuous
encode of that does."""

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.decode import read_window
from masterstream.audio.lossy import lossy_stream
from masterstream.mastering import compute_fingerprint, plan_mastering, render_track
from masterstream.mastering.chain import master_window
from tests.audio.lossy_checks import ffmpeg_decode, needs_ffmpeg, window_errors_db
from tests.mastering.material import make_track

pytestmark = needs_ffmpeg
RATE = 44100


def render_span(path, geometry, plan, start, stop):
    """Frames ``[start, stop)`` of the mastered track, rendered with the chunk geometry's
    pre-roll and post-roll around them (what a renderer does for an encoder's span)."""
    preroll = round(geometry.preroll_s * geometry.sample_rate)
    postroll = round(geometry.postroll_s * geometry.sample_rate)
    lo, hi = max(0, start - preroll), min(geometry.total_frames, stop + postroll)
    window = read_window(path, lo, hi)
    return master_window(window, geometry.sample_rate, plan, 1.0, start - lo, stop - start)


@pytest.mark.parametrize(("fmt", "bitrate"), [("opus", 128), ("mp3", 192)])
def test_chunks_mastered_separately_stream_gaplessly(tmp_path, fmt, bitrate):
    audio = make_track("music", RATE, 9.5, 2)
    path = tmp_path / "track.wav"
    sf.write(path, audio, RATE, subtype="FLOAT")
    plan = plan_mastering("warm", compute_fingerprint(np.array(audio), RATE), audio, RATE)
    geometry = ChunkGeometry(audio.shape[0], RATE, chunk_duration_s=3.0)
    stream = lossy_stream(fmt, geometry, 2, bitrate)
    chunks = []
    for k in range(geometry.chunk_count):
        start, stop = stream.input_span(k)
        pcm = render_span(path, geometry, plan, start, stop)
        chunks.append(stream.encode_chunk(pcm, k, start_frame=start))
    decoded, rate = ffmpeg_decode(
        stream.header() + b"".join(chunks), tmp_path / f"chunked.{fmt}", 2
    )

    mastered = render_track(np.array(audio), RATE, plan, 1.0)
    whole = lossy_stream(fmt, ChunkGeometry(audio.shape[0], RATE, chunk_duration_s=10), 2,
                         bitrate)  # fmt: skip
    start, stop = whole.input_span(0)
    one_piece = whole.header() + whole.encode_chunk(mastered[start:stop], 0, start_frame=start)
    continuous, _ = ffmpeg_decode(one_piece, tmp_path / f"whole.{fmt}", 2)

    assert decoded.shape[0] == continuous.shape[0] == stream.output_frames
    master = stream.resampler.convert(mastered, 0, mastered.shape[0], 0, stream.output_frames)
    boundaries = [stream.resampler.out_index(geometry.chunk_span(k)[0])
                  for k in range(1, geometry.chunk_count)]  # fmt: skip
    half = round(0.01 * rate)
    chunked_db = window_errors_db(decoded, master, boundaries, half)
    continuous_db = window_errors_db(continuous, master, boundaries, half)
    for chunked, one in zip(chunked_db, continuous_db, strict=True):
        assert chunked <= one + 1.0
