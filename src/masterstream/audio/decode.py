"""Decoding: track info, windows of frames and whole files block by block.

libsndfile (via soundfile) reads WAV, FLAC, OGG/Vorbis, Opus and MP3 at their native
sample rate; nothing is resampled. Audio comes back as float32 ``(frames, channels)``.
Analysis reads a file with :func:`read_blocks`, so memory never grows with its length.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import SourceUnavailableError, UnsupportedAudioError

SUPPORTED_EXTENSIONS = frozenset({".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3"})
DEFAULT_BLOCK_FRAMES = 1 << 16


@dataclass(frozen=True, slots=True)
class TrackInfo:
    """What a file holds, read from its header."""

    path: str
    frames: int
    sample_rate: int
    channels: int
    format: str
    subtype: str
    title: str | None = None
    artist: str | None = None

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate


def _open(path: str | Path) -> sf.SoundFile:
    p = Path(path)
    if not p.is_file():
        raise SourceUnavailableError(f"audio file not found: {p}", path=p)
    try:
        return sf.SoundFile(p)
    except PermissionError as exc:
        raise SourceUnavailableError(f"audio file is not readable: {p}", path=p) from exc
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise UnsupportedAudioError(f"not a decodable audio file: {p} ({exc})", path=p) from exc


def read_info(path: str | Path) -> TrackInfo:
    """Header information of ``path``; decodes no audio."""
    with _open(path) as f:
        if f.frames <= 0:
            raise UnsupportedAudioError(f"audio file has no frames: {path}", path=path)
        if f.channels not in (1, 2):
            raise UnsupportedAudioError(
                f"only mono and stereo are supported, {path} has {f.channels} channels", path=path
            )
        return TrackInfo(
            path=str(path),
            frames=int(f.frames),
            sample_rate=int(f.samplerate),
            channels=int(f.channels),
            format=f.format,
            subtype=f.subtype,
            title=f.title or None,
            artist=f.artist or None,
        )


def read_window(path: str | Path, start: int, stop: int) -> np.ndarray:
    """Frames ``[start, stop)`` of ``path`` as float32 ``(frames, channels)``.

    Seeks instead of decoding from the beginning. A file that turns out shorter than
    its header promised (truncated on disk) raises :class:`SourceUnavailableError`.
    """
    if start < 0 or stop < start:
        raise ValueError(f"invalid frame window [{start}, {stop})")
    try:
        with _open(path) as f:
            f.seek(start)
            data = f.read(stop - start, dtype="float32", always_2d=True)
    except sf.LibsndfileError as exc:
        raise SourceUnavailableError(f"failed to decode {path}: {exc}", path=path) from exc
    if data.shape[0] != stop - start:
        raise SourceUnavailableError(
            f"{path} ended early: wanted frames [{start}, {stop}), got {data.shape[0]}", path=path
        )
    return data


def read_blocks(
    path: str | Path, block_frames: int = DEFAULT_BLOCK_FRAMES, dtype: str = "float32"
) -> Iterator[np.ndarray]:
    """The whole of ``path`` as consecutive ``(frames, channels)`` blocks of
    ``block_frames`` frames (the last one shorter), decoded one at a time.

    ``dtype`` is float32 (full scale 1.0) or, for a 16-bit source, int16: half the memory,
    and ``int16 / 32768`` is exactly the float32 decode. Yields exactly the frames the
    header promises; a file that ends early (truncated on disk) or fails to decode
    part-way raises :class:`SourceUnavailableError`.
    """
    if block_frames <= 0:
        raise ValueError(f"block_frames must be positive, got {block_frames}")
    frames = read_info(path).frames
    done = 0
    try:
        with _open(path) as f:
            while done < frames:
                want = min(block_frames, frames - done)
                block = f.read(want, dtype=dtype, always_2d=True)
                if block.shape[0] == 0:
                    break
                done += block.shape[0]
                yield block
    except sf.LibsndfileError as exc:
        raise SourceUnavailableError(f"failed to decode {path}: {exc}", path=path) from exc
    if done != frames:
        raise SourceUnavailableError(
            f"{path} ended early: its header promises {frames} frames, got {done}", path=path
        )


def read_all(path: str | Path) -> tuple[np.ndarray, int]:
    """The whole file as float32 ``(frames, channels)`` and its sample rate."""
    info = read_info(path)
    return read_window(path, 0, info.frames), info.sample_rate
