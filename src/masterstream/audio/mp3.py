"""MPEG-1 Layer III (CBR) chunks that continue one gapless stream.

A track's MP3 stream is an Info frame carrying the LAME tag (:meth:`Mp3Stream.header`,
from :mod:`.mp3_tag`) followed by the frames of chunk 0, chunk 1, ... The LAME tag gives
the encoder delay and the padding of the whole stream, so decoders that honour it (ffmpeg,
hence mpv; Chromium) return exactly the track's samples.

Frames lie on one grid for the whole track: frame ``j`` decodes to output samples
``[1152 j, 1152 (j + 1))``, which are the track's samples ``delay`` later (LAME's encoder
delay plus the decoder's 529). Chunk ``k`` owns the frames whose first output sample
falls in its span. Each chunk is encoded by a fresh LAME that starts ``PREROLL_FRAMES``
frames early on the same grid and runs ``POSTROLL_SAMPLES`` past the chunk's last frame;
pre-roll and post-roll frames are dropped. The bit reservoir is off, so no frame borrows
bytes from another and every frame decodes on its own bytes (seeking anywhere works too).
CBR frames have known sizes (LAME's padding rule is reproduced), so every chunk's size,
and the stream's, is known before anything is encoded. A standalone chunk (a file of its
own) keeps its pre-roll frames behind its own Info frame, whose delay field skips them.

MPEG-1 has three sample rates; other sources are resampled to 48 or 44.1 kHz.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ..errors import RenderError
from .lame import DECODER_DELAY, LameEncoder, lame_version
from .mp3_tag import BITRATES_KBPS, frame_bytes, info_frame, split_frames
from .resample import Resampler

if TYPE_CHECKING:
    from .chunks import ChunkGeometry

FRAME_SAMPLES = 1152
MPEG1_RATES = (32000, 44100, 48000)
PREROLL_FRAMES = 4
POSTROLL_SAMPLES = 2 * FRAME_SAMPLES
QUALITY = 5  # LAME's algorithm quality: 0 best/slowest .. 9 worst/fastest


def mp3_sample_rate(source_rate: int) -> int:
    """The MPEG-1 rate a source is encoded at: its own, else 44.1 or 48 kHz."""
    if source_rate in MPEG1_RATES:
        return source_rate
    return 44100 if source_rate % 11025 == 0 else 48000


@lru_cache(maxsize=16)
def lame_encoder_delay(sample_rate: int, channels: int, bitrate_kbps: int) -> tuple[int, int]:
    """``(encoder delay, lowpass Hz)`` LAME uses at these settings."""
    with LameEncoder(sample_rate, channels, bitrate_kbps, QUALITY) as encoder:
        return encoder.encoder_delay, encoder.lowpass_hz


@dataclass(frozen=True, slots=True)
class Mp3Start:
    """Where a stream that starts later in the track begins: at ``frame`` (of chunk
    ``chunk_index``), its Info frame telling decoders to skip ``encoder_delay`` samples."""

    frame: int
    chunk_index: int
    encoder_delay: int
    sample: int  # the first sample it decodes to


class Mp3Stream:
    """The gapless CBR MP3 stream of one track (``geometry``, ``channels``)."""

    def __init__(self, geometry: ChunkGeometry, channels: int, bitrate_kbps: int) -> None:
        if bitrate_kbps not in BITRATES_KBPS:
            raise ValueError(f"{bitrate_kbps} kbps is not an MPEG-1 Layer III bitrate")
        self.geometry, self.channels, self.bitrate_kbps = geometry, channels, bitrate_kbps
        self.output_sample_rate = mp3_sample_rate(geometry.sample_rate)
        self.resampler = Resampler(geometry.sample_rate, self.output_sample_rate)
        self.encoder_delay, self.lowpass_hz = lame_encoder_delay(
            self.output_sample_rate, channels, bitrate_kbps
        )
        self.delay = self.encoder_delay + DECODER_DELAY

    @cached_property
    def output_frames(self) -> int:
        """Samples the decoded stream holds (at :attr:`output_sample_rate`)."""
        return self.resampler.out_index(self.geometry.total_frames)

    @property
    def duration_s(self) -> float:
        return self.output_frames / self.output_sample_rate

    @cached_property
    def _frame_bounds(self) -> tuple[int, ...]:
        """First frame of every chunk, then the total frame count."""
        # two frames at least: ffmpeg will not recognise a stream of one frame
        total = max(-(-(self.output_frames + self.delay) // FRAME_SAMPLES), 2)
        starts = [0]
        for k in range(1, self.geometry.chunk_count):
            first = self.resampler.out_index(self.geometry.chunk_span(k)[0]) + self.delay
            starts.append(min(-(-first // FRAME_SAMPLES), total - 1))
        return (*starts, total)

    def frame_range(self, chunk_index: int) -> tuple[int, int]:
        self.geometry.check_index(chunk_index)
        return self._frame_bounds[chunk_index], self._frame_bounds[chunk_index + 1]

    def _input_range(self, chunk_index: int) -> tuple[int, int]:
        """Encoder input ``[start, stop)`` (output-rate samples), pre- and post-roll included."""
        first, stop = self.frame_range(chunk_index)
        start = FRAME_SAMPLES * max(first - PREROLL_FRAMES, 0)
        return start, min(FRAME_SAMPLES * stop - self.delay + POSTROLL_SAMPLES, self.output_frames)

    def input_span(self, chunk_index: int) -> tuple[int, int]:
        """Track frames ``[start, stop)`` :meth:`encode_chunk` needs for ``chunk_index``."""
        start, stop = self.resampler.in_span(*self._input_range(chunk_index))
        return max(start, 0), min(stop, self.geometry.total_frames)

    def encode_chunk(
        self, audio: np.ndarray, chunk_index: int, *, start_frame: int, standalone: bool = False
    ) -> bytes:
        """The frames of ``chunk_index`` from float ``audio`` ``(frames, channels)`` that
        holds track frames ``[start_frame, start_frame + len(audio))`` ⊇ :meth:`input_span`.

        ``standalone``: a file of its own instead of a stream segment — an Info frame whose
        LAME tag skips the pre-roll frames (kept, so the decoder starts settled) and trims
        the end — that decodes to exactly the chunk's samples.
        """
        if audio.ndim != 2 or audio.shape[1] != self.channels:
            raise ValueError(f"expected (frames, {self.channels}) audio, got {audio.shape}")
        in_start, in_stop = self._input_range(chunk_index)
        samples = self.resampler.convert(
            audio, start_frame, self.geometry.total_frames, in_start, in_stop
        )
        with LameEncoder(
            self.output_sample_rate, self.channels, self.bitrate_kbps, QUALITY
        ) as encoder:
            frames = split_frames(encoder.encode(samples))
        first, stop = self.frame_range(chunk_index)
        skip = first - in_start // FRAME_SAMPLES
        if len(frames) < skip + stop - first:
            raise RenderError(f"LAME returned {len(frames)} frames, {skip + stop - first} needed")
        if not standalone:
            return b"".join(frames[skip : skip + stop - first])
        kept = frames[: skip + stop - first]
        emit_start, emit_stop = (self.resampler.out_index(f)
                                 for f in self.geometry.chunk_span(chunk_index))  # fmt: skip
        delay = emit_start - in_start + self.encoder_delay
        padding = len(kept) * FRAME_SAMPLES - delay - (emit_stop - emit_start)
        info_bytes = frame_bytes(self.bitrate_kbps, self.output_sample_rate, padding=False)
        total = info_bytes + sum(map(len, kept))
        return self._info(len(kept), total, delay, padding) + b"".join(kept)

    def _padded_frames(self, local_stop: int) -> int:
        """Padded frames among an encoder's first ``local_stop`` frames (LAME's rule)."""
        frac = 144000 * self.bitrate_kbps % self.output_sample_rate
        return -(-max(local_stop - 1, 0) * frac // self.output_sample_rate)

    def chunk_size_bytes(self, chunk_index: int) -> int:
        """Exact size of :meth:`encode_chunk`'s result, known without encoding."""
        return self.frames_bytes(chunk_index, self.frame_range(chunk_index)[0])

    def frames_bytes(self, chunk_index: int, from_frame: int) -> int:
        """Exact size of chunk ``chunk_index``'s frames from ``from_frame`` on."""
        first, stop = self.frame_range(chunk_index)
        skip = first - max(first - PREROLL_FRAMES, 0)
        local = skip + from_frame - first
        padded = self._padded_frames(skip + stop - first) - self._padded_frames(local)
        plain = frame_bytes(self.bitrate_kbps, self.output_sample_rate, padding=False)
        return (stop - from_frame) * plain + padded

    def start_at(self, sample: int) -> Mp3Start:
        """Where a stream whose first decoded sample is output sample ``sample`` begins: a
        frame before the one holding it (the decoder's overlap settles), the rest skipped
        by the Info frame's delay — exact for decoders that read the LAME tag, else the
        stream starts up to two frames early. A start in the last frame's worth of samples
        moves back to it (ffmpeg never trims a stream to less than about one frame)."""
        sample = max(min(sample, self.output_frames - FRAME_SAMPLES), 0)
        frame = max((sample + self.encoder_delay) // FRAME_SAMPLES - 1, 0)
        chunk = bisect.bisect_right(self._frame_bounds, frame, hi=self.geometry.chunk_count)
        delay = sample + self.encoder_delay - frame * FRAME_SAMPLES
        return Mp3Start(frame, chunk - 1, delay, sample)

    def sizes_from(self, start: Mp3Start | None = None) -> tuple[int, ...]:
        """Exact stream bytes of every chunk from ``start`` (None: the whole track) on."""
        first = 0 if start is None else start.chunk_index
        sizes = [self.chunk_size_bytes(k) for k in range(first, self.geometry.chunk_count)]
        if start is not None:
            sizes[0] = self.frames_bytes(first, start.frame)
        return tuple(sizes)

    def chunk_from(self, data: bytes, chunk_index: int, start: Mp3Start) -> bytes:
        """Chunk ``chunk_index``'s stream bytes in the stream that begins at ``start``."""
        if chunk_index != start.chunk_index:
            return data
        return data[len(data) - self.frames_bytes(chunk_index, start.frame) :]

    def stream_bytes(self, start: Mp3Start | None = None) -> int:
        """Exact size of the stream that begins at ``start`` (None: the whole track)."""
        if start is None:
            return self.size_bytes
        later = range(start.chunk_index + 1, self.geometry.chunk_count)
        info = frame_bytes(self.bitrate_kbps, self.output_sample_rate, padding=False)
        return (info + self.frames_bytes(start.chunk_index, start.frame)
                + sum(self.chunk_size_bytes(k) for k in later))  # fmt: skip

    def estimated_chunk_bytes(self, chunk_index: int) -> int:
        """:meth:`chunk_size_bytes`: for CBR the estimate is exact."""
        return self.chunk_size_bytes(chunk_index)

    @property
    def estimated_size_bytes(self) -> int:
        return self.size_bytes

    @cached_property
    def size_bytes(self) -> int:
        """Exact size of the whole stream, header included."""
        chunks = range(self.geometry.chunk_count)
        info = frame_bytes(self.bitrate_kbps, self.output_sample_rate, padding=False)
        return info + sum(self.chunk_size_bytes(k) for k in chunks)

    def header(self, start: Mp3Start | None = None) -> bytes:
        """The Info frame with the LAME tag: what precedes the first chunk's bytes."""
        total_frames = self._frame_bounds[-1]
        padding = total_frames * FRAME_SAMPLES - self.encoder_delay - self.output_frames
        if start is None:
            return self._info(total_frames, self.size_bytes, self.encoder_delay, padding)
        return self._info(total_frames - start.frame, self.stream_bytes(start),
                          start.encoder_delay, padding)  # fmt: skip

    def _info(self, frames: int, stream_bytes: int, delay: int, padding: int) -> bytes:
        return info_frame(
            bitrate_kbps=self.bitrate_kbps, sample_rate=self.output_sample_rate,
            channels=self.channels, frames=frames, stream_bytes=stream_bytes,
            encoder_delay=delay, padding=padding, lowpass_hz=self.lowpass_hz,
            source_rate=self.geometry.sample_rate, lame_version=lame_version(),
        )  # fmt: skip
