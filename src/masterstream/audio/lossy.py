"""Lossy stream formats (Opus, MP3): their names, bitrates, and one track's stream in each.

A lossy format is encoded chunk by chunk, each chunk on its own (so chunks can be cached
and rendered in any order), into bytes that continue one stream: ``header()`` followed by
every chunk's bytes in order is a complete, gapless file whose decoded length is exactly
the track's (resampled to :attr:`LossyStream.output_sample_rate`). The encoder needs audio
around the chunk (pre-roll, and post-roll for resampling and MP3), so a caller asks
:meth:`LossyStream.input_span` which track frames to render, renders them, and passes them
to :meth:`LossyStream.encode_chunk`::

    stream = lossy_stream("opus", geometry, channels, bitrate_kbps=128)
    start, stop = stream.input_span(k)
    data = stream.encode_chunk(render(start, stop), k, start_frame=start)

The encoders take float audio as rendered (no dither: the codec's noise dominates it).
A whole-track response is ``header()`` then the chunks; its length is
``len(header()) + sum(chunk sizes)``, known before encoding for CBR MP3
(:attr:`LossyFormat.sizes_known_before_encoding`) and estimated for VBR Opus. A chunk's
bytes are a stream segment, not a file of their own; ``encode_chunk(..., standalone=True)``
makes the chunk a file that decodes to exactly its samples (for a player that decodes
chunks one by one and queues them), from the same encode.

A stream may also start later in the track (``start_s``): ``start_at(sample)`` says where,
``header(start)`` is that stream's header and ``chunk_from(data, k, start)`` turns chunk
``k``'s cached bytes into that stream's bytes; ``sizes_from(start)`` lists the chunks'
stream bytes when they are known before encoding (CBR MP3), else None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import InvalidRequestError, UnsupportedFormatError

if TYPE_CHECKING:
    import numpy as np

    from .chunks import ChunkGeometry


class StreamStart(Protocol):
    """Where a stream that starts later in the track begins (see ``start_at``)."""

    @property
    def chunk_index(self) -> int: ...

    @property
    def sample(self) -> int: ...


class LossyStream(Protocol):
    """One track's stream in a lossy format (see :class:`~.opus.OpusStream`)."""

    bitrate_kbps: int
    output_sample_rate: int

    @property
    def output_frames(self) -> int: ...

    @property
    def duration_s(self) -> float: ...

    def input_span(self, chunk_index: int) -> tuple[int, int]: ...

    def encode_chunk(
        self, audio: np.ndarray, chunk_index: int, *, start_frame: int, standalone: bool = False
    ) -> bytes: ...

    def header(self, start: Any = None) -> bytes: ...

    def start_at(self, sample: int) -> StreamStart: ...

    def chunk_from(self, data: bytes, chunk_index: int, start: Any) -> bytes: ...

    def sizes_from(self, start: Any = None) -> tuple[int, ...] | None: ...

    def estimated_chunk_bytes(self, chunk_index: int) -> int: ...

    @property
    def estimated_size_bytes(self) -> int: ...


class UnsupportedBitrateError(InvalidRequestError):
    """A bitrate the format does not offer; ``valid`` lists the ones it does."""

    def __init__(self, fmt: str, bitrate: object, valid: Iterable[int]) -> None:
        self.format, self.bitrate, self.valid = fmt, bitrate, sorted(valid)
        allowed = ", ".join(map(str, self.valid))
        super().__init__(f"unsupported {fmt} bitrate {bitrate!r} kbit/s; allowed: {allowed}")


class UnsupportedChannelsError(InvalidRequestError):
    def __init__(self, fmt: str, channels: int) -> None:
        self.format, self.channels = fmt, channels
        super().__init__(f"{fmt} streams carry mono or stereo; this track has {channels} channels")


def _opus(geometry: ChunkGeometry, channels: int, bitrate_kbps: int) -> LossyStream:
    from .opus import OpusStream  # PyAV loads on first use, not with the package

    return OpusStream(geometry, channels, bitrate_kbps)


def _mp3(geometry: ChunkGeometry, channels: int, bitrate_kbps: int) -> LossyStream:
    from .mp3 import Mp3Stream

    return Mp3Stream(geometry, channels, bitrate_kbps)


@dataclass(frozen=True, slots=True)
class LossyFormat:
    """A lossy format: what it is called and served as, and the bitrates it offers."""

    name: str
    media_type: str
    extension: str
    bitrates_kbps: tuple[int, ...]
    default_bitrate_kbps: int
    sizes_known_before_encoding: bool  # CBR: every chunk's size follows from the geometry
    factory: Callable[[ChunkGeometry, int, int], LossyStream]
    headroom_db_by_kbps: tuple[tuple[int, float], ...]  # (from this bitrate up, headroom)

    def peak_headroom_db(self, bitrate_kbps: int) -> float:
        """How far below the preset's true-peak ceiling to limit audio bound for this
        format: decoding raises peaks (tests/audio/test_lossy_loudness.py measures it)."""
        bitrate = self.check_bitrate(bitrate_kbps)
        return next(db for kbps, db in reversed(self.headroom_db_by_kbps) if bitrate >= kbps)

    def check_bitrate(self, bitrate_kbps: object = None) -> int:
        """``bitrate_kbps`` if offered (``None``: the default), else
        :class:`UnsupportedBitrateError`."""
        if bitrate_kbps is None:
            return self.default_bitrate_kbps
        is_int = isinstance(bitrate_kbps, int) and not isinstance(bitrate_kbps, bool)
        if is_int and bitrate_kbps in self.bitrates_kbps:
            return bitrate_kbps
        raise UnsupportedBitrateError(self.name, bitrate_kbps, self.bitrates_kbps)


LOSSY_FORMATS: dict[str, LossyFormat] = {
    "opus": LossyFormat("opus", "audio/ogg; codecs=opus", ".opus",
                        (64, 96, 128, 160, 192, 256), 128, False, _opus,
                        ((64, 3.0), (96, 1.0))),
    "mp3": LossyFormat("mp3", "audio/mpeg", ".mp3",
                       (128, 160, 192, 224, 256, 320), 192, True, _mp3, ((128, 1.0),)),
}  # fmt: skip


def lossy_stream(
    fmt: str, geometry: ChunkGeometry, channels: int, bitrate_kbps: object = None
) -> LossyStream:
    """The ``fmt`` stream of a track cut by ``geometry`` with ``channels`` channels."""
    if fmt not in LOSSY_FORMATS:
        raise UnsupportedFormatError(fmt, LOSSY_FORMATS)
    spec = LOSSY_FORMATS[fmt]
    bitrate = spec.check_bitrate(bitrate_kbps)
    if channels not in (1, 2):
        raise UnsupportedChannelsError(fmt, channels)
    return spec.factory(geometry, channels, bitrate)
