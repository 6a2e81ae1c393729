"""Chunk geometry: the single source of truth for how a track is cut into chunks.

Chunk ``k`` emits the frames ``[k*N, min((k+1)*N, total))`` where ``N`` is the chunk
length in frames (``round(chunk_duration_s * sample_rate)``). Chunks therefore tile
the track exactly: no gap, no overlap, no lost frame; the last chunk is shorter and a
track shorter than one chunk has exactly one chunk.

A chunk is *rendered* over a wider window: ``preroll_s`` of audio before it, so filter
and compressor state has settled by the time the emitted frames start, and
``postroll_s`` after it, for the limiter's look-ahead. The context is trimmed off the
rendered window, so concatenating rendered chunks equals rendering the track in one pass.
All arithmetic is on integer frames, exact at every sample rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_CHUNK_DURATION_S = 10.0
DEFAULT_PREROLL_S = 1.0
DEFAULT_POSTROLL_S = 0.1


@dataclass(frozen=True, slots=True)
class RenderWindow:
    """The frames to decode and render for one chunk, and which of them to keep.

    ``start``/``stop`` bound the decoded window in track frames; the emitted chunk is
    ``window[emit_offset : emit_offset + emit_frames]``.
    """

    chunk_index: int
    start: int
    stop: int
    emit_start: int
    emit_stop: int

    @property
    def frames(self) -> int:
        return self.stop - self.start

    @property
    def emit_offset(self) -> int:
        return self.emit_start - self.start

    @property
    def emit_frames(self) -> int:
        return self.emit_stop - self.emit_start


@dataclass(frozen=True, slots=True)
class ChunkGeometry:
    """How one track (``total_frames`` at ``sample_rate``) is cut into chunks."""

    total_frames: int
    sample_rate: int
    chunk_duration_s: float = DEFAULT_CHUNK_DURATION_S
    preroll_s: float = DEFAULT_PREROLL_S
    postroll_s: float = DEFAULT_POSTROLL_S

    def __post_init__(self) -> None:
        if self.sample_rate <= 0:
            raise ValueError(f"sample_rate must be positive, got {self.sample_rate}")
        if self.total_frames <= 0:
            raise ValueError(f"a track needs at least one frame, got {self.total_frames}")
        if not self.chunk_duration_s > 0 or not math.isfinite(self.chunk_duration_s):
            raise ValueError(f"chunk_duration_s must be positive, got {self.chunk_duration_s}")
        if self.chunk_frames < 1:
            raise ValueError("chunk_duration_s is shorter than one frame")
        if self.preroll_s < 0 or self.postroll_s < 0:
            raise ValueError("preroll_s and postroll_s must not be negative")

    @property
    def chunk_frames(self) -> int:
        """Frames in every chunk but the last."""
        return round(self.chunk_duration_s * self.sample_rate)

    @property
    def duration_s(self) -> float:
        return self.total_frames / self.sample_rate

    @property
    def chunk_count(self) -> int:
        return -(-self.total_frames // self.chunk_frames)

    def check_index(self, chunk_index: int) -> None:
        if not 0 <= chunk_index < self.chunk_count:
            raise IndexError(
                f"chunk {chunk_index} out of range: valid chunks are 0..{self.chunk_count - 1}"
            )

    def chunk_span(self, chunk_index: int) -> tuple[int, int]:
        """``(start, stop)`` frames emitted by chunk ``chunk_index``."""
        self.check_index(chunk_index)
        start = chunk_index * self.chunk_frames
        return start, min(start + self.chunk_frames, self.total_frames)

    def chunk_for_frame(self, frame: int) -> int:
        """The chunk that emits ``frame`` (clamped to the track)."""
        return min(max(frame, 0) // self.chunk_frames, self.chunk_count - 1)

    def chunk_for_position(self, position_s: float) -> int:
        """The chunk playing at ``position_s`` seconds (clamped to the track)."""
        if not math.isfinite(position_s):
            raise ValueError(f"position must be a finite number of seconds, got {position_s}")
        return self.chunk_for_frame(math.floor(position_s * self.sample_rate))

    def context_span(self, start: int, stop: int) -> tuple[int, int]:
        """The frames to decode and render for emitting ``[start, stop)``: pre-roll before
        it and post-roll after it, clamped to the track."""
        preroll = round(self.preroll_s * self.sample_rate)
        postroll = round(self.postroll_s * self.sample_rate)
        return max(0, start - preroll), min(self.total_frames, stop + postroll)

    def render_window(self, chunk_index: int) -> RenderWindow:
        """The window to decode and render for ``chunk_index``, context included."""
        emit_start, emit_stop = self.chunk_span(chunk_index)
        start, stop = self.context_span(emit_start, emit_stop)
        return RenderWindow(
            chunk_index=chunk_index, start=start, stop=stop, emit_start=emit_start,
            emit_stop=emit_stop,
        )  # fmt: skip
