"""Range parsing and the byte-range -> chunk mapping of a whole-track WAV."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masterstream.api.ranges import (
    ByteRange,
    RangeNotSatisfiable,
    chunks_for_range,
    parse_range,
    wav_stream_length,
)
from masterstream.audio.chunks import ChunkGeometry
from masterstream.audio.encode import WAV_HEADER_BYTES


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-10", (990, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("BYTES = 5-5", (5, 5)),
    ],
)
def test_single_ranges(header, expected):
    got = parse_range(header, 1000)
    assert got == ByteRange(*expected, 1000)
    assert got.content_range() == f"bytes {expected[0]}-{expected[1]}/1000"


def test_no_header_and_several_ranges_mean_the_whole_body():
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-1,4-5", 10) is None


@pytest.mark.parametrize(
    "header",
    ["bytes=abc", "bytes=5-1", "bytes=1000-", "bytes=-0", "items=0-1", "bytes=-", "0-10",
     "bytes=0-1,x", ""],
)  # fmt: skip
def test_malformed_or_unsatisfiable(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


@given(
    total_frames=st.integers(1, 5000),
    chunk_frames=st.integers(1, 700),
    channels=st.sampled_from([1, 2]),
    data=st.data(),
)
def test_range_slices_tile_exactly_the_requested_bytes(total_frames, chunk_frames, channels, data):
    geometry = ChunkGeometry(total_frames, 1000, chunk_duration_s=chunk_frames / 1000)
    length = wav_stream_length(geometry, channels)
    first = data.draw(st.integers(0, length - 1))
    last = data.draw(st.integers(first, length - 1))
    header, slices = chunks_for_range(geometry, channels, first, last)
    # rebuild the requested bytes from a body where every byte encodes its own offset
    block = channels * 2
    body = list(range(length))
    rebuilt = list(body[header[0] : header[1]]) if header else []
    for part in slices:
        start, stop = geometry.chunk_span(part.chunk_index)
        payload = body[WAV_HEADER_BYTES + start * block : WAV_HEADER_BYTES + stop * block]
        assert 0 <= part.start < part.stop <= len(payload)
        rebuilt += payload[part.start : part.stop]
    assert rebuilt == body[first : last + 1]
    indices = [p.chunk_index for p in slices]
    assert indices == sorted(set(indices))  # each covered chunk once, in order
