"""The one cache key schema, shared by every tier (memory, disk, a future Redis tier).

A chunk is identified by everything that changes its bytes: the track id, the source
file's content signature, the render pipeline version, the preset, the intensity
(quantised to :data:`INTENSITY_STEP`), the chunk index and the output format. A changed
file, a new pipeline version or another format therefore can never hit an old entry.

``preset=None`` means the *original* (unmastered) audio; intensity does not apply to it
and is normalised to 1.0 so every request for the original shares one entry.

``loudness`` is :data:`TRACK_LOUDNESS` (every track mastered to its preset's target) or an
album token, ``album-<version>``, whose version changes with the album's tracks, so a
chunk made with an old album gain is never served once the album changed. Track-mode keys
keep their eight-part text form; an album key has a ninth part.

:meth:`ChunkKey.to_str` is the stable text form (also a Redis key); :attr:`ChunkKey.digest`
is a fixed-length hex name for files. :meth:`ChunkKey.from_str` parses the text form back.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

from ..errors import InvalidIntensityError

INTENSITY_STEP = 0.01
"""Intensities are stored in hundredths: 0.504 and 0.496 both become 0.50."""

_STEPS_PER_UNIT = round(1 / INTENSITY_STEP)
KEY_SCHEMA = "ck1"
ORIGINAL = "original"
_SEP = ":"
_TOKEN = re.compile(r"[^\s:]+")
TRACK_LOUDNESS = "track"
ALBUM_LOUDNESS_PREFIX = "album-"


def quantize_intensity(intensity: float) -> float:
    """Round ``intensity`` (a number in [0, 1]) to the nearest :data:`INTENSITY_STEP`."""
    if isinstance(intensity, bool) or not isinstance(intensity, int | float):
        raise InvalidIntensityError(intensity)
    try:
        value = float(intensity)
    except OverflowError:  # an int beyond float range
        raise InvalidIntensityError(intensity) from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InvalidIntensityError(intensity)
    return round(value * _STEPS_PER_UNIT) / _STEPS_PER_UNIT


def _check_token(name: str, value: str) -> None:
    if type(value) is not str or _TOKEN.fullmatch(value) is None:
        raise ValueError(f"{name} must be a non-empty string without ':' or spaces, got {value!r}")


@dataclass(frozen=True, slots=True)
class ChunkKey:
    """Identity of one rendered chunk. Construct freely; intensity is quantised on creation."""

    track_id: int
    signature: str
    pipeline_version: str
    preset: str | None
    intensity: float
    chunk_index: int
    fmt: str
    loudness: str = TRACK_LOUDNESS
    # computed once: every request looks its key up in several dicts, and names its ETag
    _hash: int = field(init=False, repr=False, compare=False)
    _digest: str | None = field(init=False, repr=False, compare=False, default=None)

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[ChunkKey], tuple[object, ...]]:
        """Pickled by its fields: another process hashes strings with another seed."""
        fields = (self.track_id, self.signature, self.pipeline_version, self.preset,
                  self.intensity, self.chunk_index, self.fmt, self.loudness)  # fmt: skip
        return (type(self), fields)

    def __post_init__(self) -> None:
        if isinstance(self.track_id, bool) or not isinstance(self.track_id, int):
            raise ValueError(f"track_id must be an int, got {self.track_id!r}")
        if isinstance(self.chunk_index, bool) or not isinstance(self.chunk_index, int):
            raise ValueError(f"chunk_index must be an int, got {self.chunk_index!r}")
        if self.chunk_index < 0:
            raise ValueError(f"chunk_index must not be negative, got {self.chunk_index}")
        _check_token("signature", self.signature)
        _check_token("pipeline_version", self.pipeline_version)
        _check_token("fmt", self.fmt)
        if self.preset is not None:
            _check_token("preset", self.preset)
            if self.preset == ORIGINAL:
                raise ValueError(f"preset {ORIGINAL!r} is spelled None in a ChunkKey")
            object.__setattr__(self, "intensity", quantize_intensity(self.intensity))
        else:
            object.__setattr__(self, "intensity", 1.0)
            object.__setattr__(self, "loudness", TRACK_LOUDNESS)
        _check_token("loudness", self.loudness)
        if self.loudness != TRACK_LOUDNESS and (
            not self.loudness.startswith(ALBUM_LOUDNESS_PREFIX)
            or self.loudness == ALBUM_LOUDNESS_PREFIX
        ):
            raise ValueError(
                f"loudness must be {TRACK_LOUDNESS!r} or {ALBUM_LOUDNESS_PREFIX}<version>, "
                f"got {self.loudness!r}"
            )
        object.__setattr__(self, "_hash", hash((
            self.track_id, self.signature, self.pipeline_version, self.preset, self.intensity,
            self.chunk_index, self.fmt, self.loudness,
        )))  # fmt: skip

    def to_str(self) -> str:
        """Stable text form, e.g. ``ck1:12:ab12..:1:warm:0.50:3:wav`` (album mode appends
        ``:album-<version>``)."""
        preset = ORIGINAL if self.preset is None else self.preset
        parts = [
            KEY_SCHEMA,
            str(self.track_id),
            self.signature,
            self.pipeline_version,
            preset,
            f"{self.intensity:.2f}",
            str(self.chunk_index),
            self.fmt,
        ]
        if self.loudness != TRACK_LOUDNESS:
            parts.append(self.loudness)
        return _SEP.join(parts)

    @property
    def digest(self) -> str:
        """40 hex characters naming this key's file (blake2b-160 of :meth:`to_str`)."""
        if self._digest is None:
            digest = hashlib.blake2b(self.to_str().encode(), digest_size=20).hexdigest()
            object.__setattr__(self, "_digest", digest)
        return self._digest  # type: ignore[return-value]

    @classmethod
    def from_str(cls, text: str) -> ChunkKey:
        """Parse :meth:`to_str` output; raises ``ValueError`` on anything else."""
        parts = text.split(_SEP)
        if len(parts) not in (8, 9) or parts[0] != KEY_SCHEMA:
            raise ValueError(f"not a {KEY_SCHEMA} chunk key: {text!r}")
        _, track, signature, version, preset, intensity, index, fmt = parts[:8]
        loudness = parts[8] if len(parts) == 9 else TRACK_LOUDNESS
        if len(parts) == 9 and loudness == TRACK_LOUDNESS:  # one spelling per key
            raise ValueError(f"a track-mode key has eight parts: {text!r}")
        return cls(
            track_id=int(track),
            signature=signature,
            pipeline_version=version,
            preset=None if preset == ORIGINAL else preset,
            intensity=float(intensity),
            chunk_index=int(index),
            fmt=fmt,
            loudness=loudness,
        )
