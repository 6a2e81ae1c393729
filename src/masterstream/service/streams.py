"""A whole track as one stream of bytes, assembled from its chunks, from any position.

Every stream is a header followed by the bytes of each chunk from the one holding the
start position, in order:

- ``wav``: a canonical 44-byte WAV header, then each chunk's PCM (the chunk's WAV without
  its own header), the first chunk's cut at the start sample;
- ``flac``: the same PCM (the cached WAV chunks) encoded as it is sent into one FLAC
  stream (:mod:`masterstream.audio.flac_stream`);
- ``mp3``/``opus``: the lossy stream's header, then each chunk's segment as rendered
  (see :mod:`masterstream.audio.lossy`): the chunks continue one stream. A later start
  cuts the first chunk at a frame (MP3) or packet (Opus) before the start sample and says
  how much to skip in the header (LAME delay, Opus pre-skip); Opus pages after it are
  renumbered and their granule positions moved, so the stream's clock starts at zero.

:attr:`TrackStream.sizes` holds each chunk's stream bytes when known before the chunks
are fetched (WAV, CBR MP3, or Opus whose chunks are all cached: ``cached_sizes``) — then
the body's length is exact and a byte range maps to the chunks it covers — and is None
otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..audio.chunks import ChunkGeometry
from ..audio.encode import WAV_HEADER_BYTES, wav_header
from ..audio.flac_stream import FlacStreamEncoder, flac_header
from ..audio.formats import parse_token
from ..audio.lossy import LossyStream, StreamStart, lossy_stream
from ..errors import InvalidParameterError, RenderError, UnsupportedFormatError

STREAM_FORMATS = ("wav", "flac", "mp3", "opus")
# An estimated Content-Length is met by padding (zeros, skipped by Ogg and FLAC readers)
# or cutting: VBR Opus measured 0.90-1.29x its nominal size, so estimate high, never cut.
VBR_ESTIMATE_MARGIN = 1.4
RANGE_SEEKABLE = {"wav": "always", "flac": "never", "mp3": "always", "opus": "when_cached"}


class ChunkCutter(Protocol):
    """Turns each fetched chunk's bytes into stream bytes, in order (one per response)."""

    def cut(self, chunk_index: int, data: bytes) -> bytes: ...

    def tail(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ByteCutter:
    """Drops ``strip`` leading bytes of every chunk and ``skip`` more of the first."""

    strip: int
    first_chunk: int
    skip: int

    def cut(self, chunk_index: int, data: bytes) -> bytes:
        start = self.strip + (self.skip if chunk_index == self.first_chunk else 0)
        return data[start:] if start else data

    def tail(self) -> bytes:
        return b""


class FlacCutter:
    """Encodes each WAV chunk's PCM (the first cut at ``skip_frames``) into one FLAC stream."""

    def __init__(self, sample_rate: int, channels: int, first_chunk: int, skip: int) -> None:
        self.encoder = FlacStreamEncoder(sample_rate, channels)
        self.channels, self.first_chunk, self.skip = channels, first_chunk, skip

    def cut(self, chunk_index: int, data: bytes) -> bytes:
        pcm = np.frombuffer(data, dtype="<i2", offset=WAV_HEADER_BYTES)
        pcm = pcm.reshape(-1, self.channels)
        return self.encoder.encode(pcm[self.skip :] if chunk_index == self.first_chunk else pcm)

    def tail(self) -> bytes:
        return self.encoder.finish()


@dataclass(frozen=True, slots=True)
class TrackStream:
    """How one track's stream in one format, from one position, is laid out."""

    media_type: str
    header: bytes
    chunk_fmt: str  # the format token of the chunks it is made of
    first_chunk: int
    sizes: tuple[int, ...] | None  # stream bytes of each chunk from first_chunk, if known
    duration_s: float  # of the stream, from its start
    start_s: float  # where in the track it starts
    estimated_length: int
    cutter: Callable[[], ChunkCutter]  # a fresh one per response
    cpu_bound: bool = False  # cutting encodes: keep it off the event loop

    @property
    def length(self) -> int | None:
        """The whole body's length in bytes, when known."""
        return None if self.sizes is None else len(self.header) + sum(self.sizes)

    def checked(self, chunk_index: int, payload: bytes) -> bytes:
        """``payload`` if it has the size the layout promised for ``chunk_index``."""
        if self.sizes is not None:
            expected = self.sizes[chunk_index - self.first_chunk]
            if len(payload) != expected:
                raise RenderError(
                    f"chunk {chunk_index} has {len(payload)} stream bytes, expected {expected}"
                )
        return payload

    def payload(self, chunk_index: int, data: bytes) -> bytes:
        """The stream bytes of chunk ``chunk_index`` from its rendered bytes (checked);
        only for formats whose cutter keeps no state (all but FLAC)."""
        return self.checked(chunk_index, self.cutter().cut(chunk_index, data))


def track_stream(
    geometry: ChunkGeometry, channels: int, fmt_token: str, *, start_s: float = 0.0,
    cached_sizes: Sequence[int] | None = None,
) -> TrackStream:  # fmt: skip
    """The layout of a track's stream in ``fmt_token`` (``wav``, ``flac``, ``mp3-192``,
    ``opus-128``) from ``start_s`` (0 <= start_s < duration). ``cached_sizes``: the bytes
    of every cached Opus chunk, which make a whole Opus stream's length exact."""
    fmt = parse_token(fmt_token)
    if fmt.name not in STREAM_FORMATS:
        raise UnsupportedFormatError(fmt.name, STREAM_FORMATS)
    if not 0.0 <= start_s < geometry.duration_s:
        raise InvalidParameterError(
            "start_s", f"must be in [0, {geometry.duration_s:.3f}) seconds, got {start_s:g}"
        )
    if fmt.lossy is None:
        return _lossless(geometry, channels, fmt.name, fmt.media_type, start_s)
    stream = lossy_stream(fmt.name, geometry, channels, fmt.bitrate_kbps)
    rate = stream.output_sample_rate
    sample = min(round(start_s * rate), stream.output_frames - 1)
    start = stream.start_at(sample) if sample else None
    sample = 0 if start is None else start.sample
    common = {"media_type": fmt.media_type, "chunk_fmt": fmt_token,
              "duration_s": (stream.output_frames - sample) / rate,
              "start_s": sample / rate}  # fmt: skip
    first = 0 if start is None else start.chunk_index
    sizes = stream.sizes_from(start)
    if sizes is None and start is None and cached_sizes is not None:
        sizes = tuple(cached_sizes) if len(cached_sizes) == geometry.chunk_count else None
    nominal = sum(stream.estimated_chunk_bytes(k) for k in range(first, geometry.chunk_count))
    estimate = len(stream.header()) + math.ceil(nominal * VBR_ESTIMATE_MARGIN)
    cutter: Callable[[], ChunkCutter] = lambda: ByteCutter(0, 0, 0)  # noqa: E731
    if start is not None:
        cutter = lambda: _LossyCutter(stream, start)  # noqa: E731
    return TrackStream(header=stream.header(start), first_chunk=first, sizes=sizes,
                       estimated_length=estimate, cutter=cutter, **common)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _LossyCutter:
    """Chunks of a lossy stream that starts later in the track."""

    stream: LossyStream
    start: StreamStart

    def cut(self, chunk_index: int, data: bytes) -> bytes:
        return self.stream.chunk_from(data, chunk_index, self.start)

    def tail(self) -> bytes:
        return b""


def _lossless(
    geometry: ChunkGeometry, channels: int, name: str, media_type: str, start_s: float
) -> TrackStream:
    """WAV (header, then PCM) or FLAC (encoded from the same PCM) from ``start_s``."""
    rate, block_align = geometry.sample_rate, channels * 2
    frame = min(round(start_s * rate), geometry.total_frames - 1)
    first = geometry.chunk_for_frame(frame)
    skip = frame - geometry.chunk_span(first)[0]
    frames = [
        stop - start for start, stop in map(geometry.chunk_span, range(first, geometry.chunk_count))
    ]
    frames[0] -= skip
    total = sum(frames)
    common = {"media_type": media_type, "chunk_fmt": "wav", "first_chunk": first,
              "duration_s": total / rate, "start_s": frame / rate}  # fmt: skip
    if name == "wav":
        sizes = tuple(n * block_align for n in frames)
        header = wav_header(sum(sizes), rate, channels)
        return TrackStream(header=header, sizes=sizes, estimated_length=len(header) + sum(sizes),
                           cutter=lambda: ByteCutter(WAV_HEADER_BYTES, first, skip * block_align),
                           **common)  # fmt: skip
    header = flac_header(rate, channels, total)  # estimate: PCM + FLAC frame headers (verbatim)
    return TrackStream(header=header, sizes=None,
                       estimated_length=len(header) + total * block_align + 32 * -(-total // 4096),
                       cutter=lambda: FlacCutter(rate, channels, first, skip), cpu_bound=True,
                       **common)  # fmt: skip
