"""Encoding rendered float audio to the bytes a client receives.

Encoders are registered by format name (``wav``, ``flac``); adding a format is one
entry in :data:`ENCODERS`. Conversion to 16-bit is ours, not the library's: round to
nearest with ``x * 32768`` and clip, the exact inverse of how 16-bit PCM is decoded,
so the ``original`` preset of a 16-bit source is bit-exact. Mastered audio gets
deterministic TPDF dither (seeded by the caller), so the same chunk always encodes to
the same bytes.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from ..errors import UnsupportedFormatError

WAV_HEADER_BYTES = 44
PCM16_SCALE = 32768.0


def to_pcm16(audio: np.ndarray, *, dither_seed: int | None = None) -> np.ndarray:
    """Float audio in [-1, 1) to int16, with TPDF dither when ``dither_seed`` is given."""
    scaled = np.asarray(audio, dtype=np.float64) * PCM16_SCALE
    if dither_seed is not None:
        rng = np.random.default_rng(dither_seed)
        scaled = scaled + rng.random(scaled.shape) - rng.random(scaled.shape)
    return np.clip(np.rint(scaled), -32768, 32767).astype("<i2")


def wav_header(data_bytes: int, sample_rate: int, channels: int) -> bytes:
    """A canonical 44-byte RIFF/WAVE header for 16-bit PCM."""
    block_align = channels * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + data_bytes, b"WAVE",
        b"fmt ", 16, 1, channels, sample_rate, sample_rate * block_align, block_align, 16,
        b"data", data_bytes,
    )  # fmt: skip


def encode_wav(audio: np.ndarray, sample_rate: int, *, dither_seed: int | None = None) -> bytes:
    pcm = to_pcm16(_as_2d(audio), dither_seed=dither_seed)
    return wav_header(pcm.nbytes, sample_rate, pcm.shape[1]) + pcm.tobytes()


def encode_flac(audio: np.ndarray, sample_rate: int, *, dither_seed: int | None = None) -> bytes:
    pcm = to_pcm16(_as_2d(audio), dither_seed=dither_seed)
    buffer = io.BytesIO()
    sf.write(buffer, pcm, sample_rate, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def _as_2d(audio: np.ndarray) -> np.ndarray:
    return audio[:, np.newaxis] if audio.ndim == 1 else audio


@dataclass(frozen=True, slots=True)
class Encoder:
    name: str
    media_type: str
    extension: str
    encode: Callable[..., bytes]


ENCODERS: dict[str, Encoder] = {
    "wav": Encoder("wav", "audio/wav", ".wav", encode_wav),
    "flac": Encoder("flac", "audio/flac", ".flac", encode_flac),
}
DEFAULT_FORMAT = "wav"


def get_encoder(fmt: str) -> Encoder:
    try:
        return ENCODERS[fmt]
    except KeyError:
        raise UnsupportedFormatError(fmt, ENCODERS) from None


def encode(
    audio: np.ndarray,
    sample_rate: int,
    fmt: str = DEFAULT_FORMAT,
    *,
    dither_seed: int | None = None,
) -> bytes:
    """Encode ``audio`` (float, ``(frames, channels)``) in format ``fmt``."""
    return get_encoder(fmt).encode(audio, sample_rate, dither_seed=dither_seed)
