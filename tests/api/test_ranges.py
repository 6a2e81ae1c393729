"""Range parsing and the byte-range -> chunk mapping of a whole-track WAV."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masterstream.api.ranges import (
    ByteRange,
    RangeNotSatisfiable,
    parse_range,
    segment_slices,
)


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
    sizes=st.lists(st.integers(0, 50), min_size=1, max_size=30),
    data=st.data(),
)
def test_range_slices_tile_exactly_the_requested_bytes(sizes, data):
    length = sum(sizes)
    if length == 0:
        assert segment_slices(sizes, 0, 0) == []
        return
    first = data.draw(st.integers(0, length - 1))
    last = data.draw(st.integers(first, length - 1))
    slices = segment_slices(sizes, first, last)
    # rebuild the requested bytes from a body where every byte encodes its own offset
    offsets = [sum(sizes[:i]) for i in range(len(sizes))]
    rebuilt = []
    for part in slices:
        assert 0 <= part.start < part.stop <= sizes[part.segment]
        rebuilt += list(
            range(offsets[part.segment] + part.start, offsets[part.segment] + part.stop)
        )
    assert rebuilt == list(range(first, last + 1))
    indices = [p.segment for p in slices]
    assert indices == sorted(set(indices))  # each covered segment once, in order
