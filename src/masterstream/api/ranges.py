"""HTTP ``Range`` requests over a stream of known length, and their mapping to chunks.

Only single byte ranges are honoured (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``). A
request with several ranges gets the whole body (RFC 9110 lets a server ignore Range);
a malformed header or a range starting past the end is answered with 416.

A whole-track WAV is a 44-byte header followed by every chunk's PCM payload in order, so
byte ``b`` of the body is header byte ``b`` or frame ``(b - 44) // block_align`` of the
track; :func:`chunks_for_range` lists the chunks a range touches and what to cut of each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..audio.chunks import ChunkGeometry
from ..audio.encode import WAV_HEADER_BYTES

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


def wav_stream_length(geometry: ChunkGeometry, channels: int) -> int:
    """Bytes in the whole-track 16-bit WAV: header plus every frame."""
    return WAV_HEADER_BYTES + geometry.total_frames * channels * 2


@dataclass(frozen=True, slots=True)
class ChunkSlice:
    """Bytes ``[start, stop)`` of chunk ``chunk_index``'s PCM payload."""

    chunk_index: int
    start: int
    stop: int


def chunks_for_range(
    geometry: ChunkGeometry, channels: int, first: int, last: int
) -> tuple[tuple[int, int] | None, list[ChunkSlice]]:
    """``(header slice or None, chunk slices)`` covering body bytes ``[first, last]``."""
    block_align = channels * 2
    header = None
    if first < WAV_HEADER_BYTES:
        header = (first, min(last + 1, WAV_HEADER_BYTES))
    pcm_first = max(first, WAV_HEADER_BYTES) - WAV_HEADER_BYTES
    pcm_last = last - WAV_HEADER_BYTES
    slices: list[ChunkSlice] = []
    if pcm_last < pcm_first:
        return header, slices
    k_first = geometry.chunk_for_frame(pcm_first // block_align)
    k_last = geometry.chunk_for_frame(pcm_last // block_align)
    for k in range(k_first, k_last + 1):
        span_start, span_stop = geometry.chunk_span(k)
        chunk_first = span_start * block_align
        chunk_stop = span_stop * block_align
        lo = max(pcm_first, chunk_first) - chunk_first
        hi = min(pcm_last + 1, chunk_stop) - chunk_first
        slices.append(ChunkSlice(k, lo, hi))
    return header, slices
