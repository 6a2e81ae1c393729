import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masterstream.audio.chunks import ChunkGeometry

RATES = st.sampled_from([44100, 48000, 88200, 96000, 22050, 32000])


@given(
    total_frames=st.integers(1, 96000 * 600),
    sample_rate=RATES,
    chunk_duration_s=st.sampled_from([0.5, 1.0, 2.5, 3.3, 10.0, 15.0, 30.0]),
)
def test_chunks_tile_the_track_exactly(total_frames, sample_rate, chunk_duration_s):
    g = ChunkGeometry(total_frames, sample_rate, chunk_duration_s)
    spans = [g.chunk_span(k) for k in range(g.chunk_count)]
    assert spans[0][0] == 0
    assert spans[-1][1] == total_frames
    for (_, stop), (start, _) in itertools.pairwise(spans):
        assert stop == start  # no gap, no overlap
    assert sum(stop - start for start, stop in spans) == total_frames
    assert all(stop - start == g.chunk_frames for start, stop in spans[:-1])
    assert 0 < spans[-1][1] - spans[-1][0] <= g.chunk_frames
    assert g.chunk_count == math.ceil(total_frames / g.chunk_frames)


@given(
    total_frames=st.integers(1, 48000 * 300),
    sample_rate=RATES,
    frame=st.integers(-1000, 48000 * 400),
)
def test_chunk_for_frame_is_the_chunk_that_emits_it(total_frames, sample_rate, frame):
    g = ChunkGeometry(total_frames, sample_rate)
    k = g.chunk_for_frame(frame)
    start, stop = g.chunk_span(k)
    clamped = min(max(frame, 0), total_frames - 1)
    assert start <= clamped < stop


@given(total_frames=st.integers(1, 48000 * 300), sample_rate=RATES, data=st.data())
def test_render_window_contains_chunk_and_context(total_frames, sample_rate, data):
    g = ChunkGeometry(total_frames, sample_rate, preroll_s=2.0, postroll_s=0.1)
    k = data.draw(st.integers(0, g.chunk_count - 1))
    w = g.render_window(k)
    assert (w.emit_start, w.emit_stop) == g.chunk_span(k)
    assert 0 <= w.start <= w.emit_start < w.emit_stop <= w.stop <= total_frames
    assert w.emit_start - w.start == min(w.emit_start, round(2.0 * sample_rate))
    assert w.stop - w.emit_stop == min(total_frames - w.emit_stop, round(0.1 * sample_rate))
    assert w.emit_offset + w.emit_frames <= w.frames


def test_short_track_has_one_chunk():
    g = ChunkGeometry(44100 * 3, 44100)
    assert g.chunk_count == 1
    assert g.chunk_span(0) == (0, 44100 * 3)


def test_default_chunk_is_ten_seconds_and_last_is_shorter():
    g = ChunkGeometry(44100 * 25, 44100)
    assert g.chunk_count == 3
    assert g.chunk_span(1) == (441000, 882000)
    assert g.chunk_span(2) == (882000, 1102500)


def test_chunk_for_position_clamps_and_rejects_nan():
    g = ChunkGeometry(44100 * 25, 44100)
    assert g.chunk_for_position(0.0) == 0
    assert g.chunk_for_position(9.999) == 0
    assert g.chunk_for_position(10.0) == 1
    assert g.chunk_for_position(1e9) == 2
    with pytest.raises(ValueError):
        g.chunk_for_position(float("nan"))


@pytest.mark.parametrize("k", [-1, 3, 100])
def test_out_of_range_chunk_is_an_index_error(k):
    with pytest.raises(IndexError, match=r"valid chunks are 0\.\.2"):
        ChunkGeometry(44100 * 25, 44100).chunk_span(k)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"total_frames": 0, "sample_rate": 44100},
        {"total_frames": 10, "sample_rate": 0},
        {"total_frames": 10, "sample_rate": 44100, "chunk_duration_s": 0.0},
        {"total_frames": 10, "sample_rate": 44100, "chunk_duration_s": float("inf")},
        {"total_frames": 10, "sample_rate": 44100, "preroll_s": -1.0},
    ],
)
def test_invalid_geometry_is_rejected(kwargs):
    with pytest.raises(ValueError):
        ChunkGeometry(**kwargs)
