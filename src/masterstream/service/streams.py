"""A whole track as one stream of bytes, assembled from its chunks.

Every stream is a header followed by each chunk's bytes in order:

- ``wav``: a canonical 44-byte WAV header for the whole track, then each chunk's PCM (the
  chunk's WAV without its own header);
- ``mp3``/``opus``: the lossy stream's header, then each chunk's segment as rendered
  (see :mod:`masterstream.audio.lossy`): the chunks continue one stream.

:attr:`TrackStream.sizes` holds each chunk's size when it is known before anything is
rendered (WAV, CBR MP3) — then the body's length is exact and a byte range maps to the
chunks it covers — and is None otherwise (Opus: VBR).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audio.chunks import ChunkGeometry
from ..audio.encode import WAV_HEADER_BYTES, wav_header
from ..audio.formats import parse_token
from ..audio.lossy import lossy_stream
from ..errors import RenderError, UnsupportedFormatError

STREAM_FORMATS = ("wav", "mp3", "opus")


@dataclass(frozen=True, slots=True)
class TrackStream:
    """How one track's stream in one format is laid out."""

    media_type: str
    header: bytes
    sizes: tuple[int, ...] | None  # each chunk's bytes, when known before rendering
    duration_s: float
    strip_bytes: int  # leading bytes of each chunk's data that are not stream bytes

    @property
    def length(self) -> int | None:
        """The whole body's length in bytes, when known."""
        return None if self.sizes is None else len(self.header) + sum(self.sizes)

    def payload(self, chunk_index: int, data: bytes) -> bytes:
        """The stream bytes of chunk ``chunk_index`` from its rendered bytes (checked)."""
        payload = data[self.strip_bytes :] if self.strip_bytes else data
        if self.sizes is not None and len(payload) != self.sizes[chunk_index]:
            raise RenderError(
                f"chunk {chunk_index} has {len(payload)} stream bytes, "
                f"expected {self.sizes[chunk_index]}"
            )
        return payload


def track_stream(geometry: ChunkGeometry, channels: int, fmt_token: str) -> TrackStream:
    """The layout of a track's stream in ``fmt_token`` (``wav``, ``mp3-192``, ``opus-128``)."""
    fmt = parse_token(fmt_token)
    if fmt.name not in STREAM_FORMATS:
        raise UnsupportedFormatError(fmt.name, STREAM_FORMATS)
    duration_s = geometry.total_frames / geometry.sample_rate
    if fmt.lossy is None:
        block_align = channels * 2
        sizes = tuple(
            (stop - start) * block_align
            for start, stop in map(geometry.chunk_span, range(geometry.chunk_count))
        )
        header = wav_header(sum(sizes), geometry.sample_rate, channels)
        return TrackStream(fmt.media_type, header, sizes, duration_s, WAV_HEADER_BYTES)
    stream = lossy_stream(fmt.name, geometry, channels, fmt.bitrate_kbps)
    sizes = None
    if fmt.lossy.sizes_known_before_encoding:
        sizes = tuple(stream.estimated_chunk_bytes(k) for k in range(geometry.chunk_count))
    return TrackStream(fmt.media_type, stream.header(), sizes, stream.duration_s, 0)
