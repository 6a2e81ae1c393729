"""HTTP ``Range`` requests over a stream of known length, and their mapping to chunks.

Only single byte ranges are honoured (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``). A
request with several ranges gets the whole body (RFC 9110 lets a server ignore Range);
a malformed header or a range starting past the end is answered with 416.

A whole-track stream is a header followed by every chunk's bytes in order (a WAV header and
each chunk's PCM, or a lossy stream's header and its chunk segments); when every segment's
size is known, :func:`segment_slices` lists the segments a range touches and what to cut
of each.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

_SPEC = re.compile(r"^[ \t]*([0-9]*)[ \t]*-[ \t]*([0-9]*)[ \t]*$")
MAX_RANGE_HEADER_CHARS = 256


class RangeNotSatisfiable(Exception):
    """The Range header is malformed or starts past the end of the body."""

    def __init__(self, header: str, length: int, reason: str) -> None:
        super().__init__(f"cannot satisfy Range {header!r} for {length} bytes: {reason}")
        self.header = header
        self.length = length
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ByteRange:
    """An inclusive byte range ``[first, last]`` of a body of ``length`` bytes."""

    first: int
    last: int
    length: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.length}"


def parse_range(header: str | None, length: int) -> ByteRange | None:
    """The single range requested, or None for the whole body (no header or several ranges)."""
    if header is None:
        return None
    if len(header) > MAX_RANGE_HEADER_CHARS:
        raise RangeNotSatisfiable(header[:40] + "…", length, "the header is too long")
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        raise RangeNotSatisfiable(header, length, "only 'bytes=' ranges are supported")
    parts = spec.split(",")
    if len(parts) > 1:
        for part in parts:  # still reject garbage among several ranges
            if not _SPEC.match(part) or part.strip() == "-":
                raise RangeNotSatisfiable(header, length, "malformed range")
        return None
    match = _SPEC.match(parts[0])
    if match is None or (match[1] == "" and match[2] == ""):
        raise RangeNotSatisfiable(header, length, "malformed range")
    start, end = match[1], match[2]
    if start == "":  # suffix: the last n bytes
        n = int(end)
        if n == 0:
            raise RangeNotSatisfiable(header, length, "empty suffix range")
        return ByteRange(max(0, length - n), length - 1, length)
    first = int(start)
    last = length - 1 if end == "" else min(int(end), length - 1)
    if end != "" and int(end) < first:
        raise RangeNotSatisfiable(header, length, "range ends before it starts")
    if first >= length:
        raise RangeNotSatisfiable(header, length, "range starts past the end")
    return ByteRange(first, last, length)


@dataclass(frozen=True, slots=True)
class SegmentSlice:
    """Bytes ``[start, stop)`` of segment ``segment`` of a body (a stream's header, then
    each chunk's bytes)."""

    segment: int
    start: int
    stop: int


def segment_slices(sizes: Sequence[int], first: int, last: int) -> list[SegmentSlice]:
    """The slices of the segments (of ``sizes`` bytes, back to back) that make up body
    bytes ``[first, last]``, in order; empty segments are skipped."""
    offsets = list(itertools.accumulate(sizes, initial=0))
    out: list[SegmentSlice] = []
    segment = max(0, bisect.bisect_right(offsets, first) - 1)
    while segment < len(sizes) and offsets[segment] <= last:
        lo = max(first, offsets[segment]) - offsets[segment]
        hi = min(last + 1, offsets[segment + 1]) - offsets[segment]
        if hi > lo:
            out.append(SegmentSlice(segment, lo, hi))
        segment += 1
    return out
