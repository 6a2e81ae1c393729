"""Query parameters shared by the chunk, stream and cache routes, validated once.

FastAPI checks types and bounds (documented in the OpenAPI schema); the mastering and
audio modules then validate the values themselves, so an API request and a CLI call
fail with the same errors. ``preset=original`` becomes ``None`` (the cache's spelling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from ..audio.encode import DEFAULT_FORMAT, get_encoder
from ..mastering import get_preset, validate_intensity

ORIGINAL = "original"
DEFAULT_PRESET = "adaptive"

PresetQuery = Annotated[
    str, Query(max_length=64, description="Mastering preset (see /api/presets); 'original'.")
]
IntensityQuery = Annotated[
    float, Query(ge=0.0, le=1.0, description="0 = original … 1 = fully mastered.")
]
FormatQuery = Annotated[str, Query(max_length=16, description="Output format: wav or flac.")]


@dataclass(frozen=True, slots=True)
class Variant:
    """A validated (preset, intensity, format); ``preset`` is None for the original."""

    preset: str | None
    intensity: float
    fmt: str

    @property
    def preset_name(self) -> str:
        return ORIGINAL if self.preset is None else self.preset


def make_variant(preset: str, intensity: float, fmt: str) -> Variant:
    """Validate and normalise; raises the masterstream errors the API maps to 422."""
    get_preset(preset)
    level = validate_intensity(intensity)
    get_encoder(fmt)
    return Variant(None if preset == ORIGINAL else preset, level, fmt)


async def variant_params(
    preset: PresetQuery = DEFAULT_PRESET,
    intensity: IntensityQuery = 1.0,
    format: FormatQuery = DEFAULT_FORMAT,
) -> Variant:
    """FastAPI dependency for ``?preset=…&intensity=…&format=…``."""
    return make_variant(preset, intensity, format)
