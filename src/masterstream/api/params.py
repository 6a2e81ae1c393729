"""Query parameters shared by the chunk, stream and cache routes, validated once.

FastAPI checks types and bounds (documented in the OpenAPI schema); the mastering and
audio modules then validate the values themselves, so an API request and a CLI call
fail with the same errors. ``preset=original`` becomes ``None`` (the cache's spelling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from ..audio.encode import DEFAULT_FORMAT, get_encoder
from ..cache import ORIGINAL
from ..errors import InvalidIntensityError
from ..mastering import get_preset, validate_intensity

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


def parse_int(name: str, raw: str) -> int:
    """A path or query integer, or a 422 problem naming the parameter."""
    from .problems import ProblemError

    try:
        return int(raw)
    except ValueError:
        raise ProblemError(
            422, "validation-error", "Invalid request parameters",
            f"{name}: must be an integer, got {raw[:40]!r}",
        ) from None  # fmt: skip


def parse_intensity(raw: str) -> float:
    """The ``intensity`` query value as a float (range checked by ``make_variant``)."""
    try:
        return float(raw)
    except ValueError:
        raise InvalidIntensityError(raw[:40]) from None


def variant_from_query(query: Mapping[str, str]) -> Variant:
    """``make_variant`` from raw query parameters, for routes that parse by hand."""
    intensity = query.get("intensity")
    return make_variant(
        query.get("preset", DEFAULT_PRESET),
        1.0 if intensity is None else parse_intensity(intensity),
        query.get("format", DEFAULT_FORMAT),
    )


def variant_openapi_parameters() -> list[dict[str, object]]:
    """The OpenAPI description of ``preset``, ``intensity`` and ``format``."""
    return [
        {"name": "preset", "in": "query", "required": False,
         "schema": {"type": "string", "default": DEFAULT_PRESET, "maxLength": 64},
         "description": "Mastering preset (see /api/presets); 'original' = unprocessed."},
        {"name": "intensity", "in": "query", "required": False,
         "schema": {"type": "number", "default": 1.0, "minimum": 0, "maximum": 1},
         "description": "0 = original … 1 = fully mastered."},
        {"name": "format", "in": "query", "required": False,
         "schema": {"type": "string", "default": DEFAULT_FORMAT, "maxLength": 16},
         "description": "Output format: wav or flac."},
    ]  # fmt: skip


async def variant_params(
    preset: PresetQuery = DEFAULT_PRESET,
    intensity: IntensityQuery = 1.0,
    format: FormatQuery = DEFAULT_FORMAT,
) -> Variant:
    """FastAPI dependency for ``?preset=…&intensity=…&format=…``."""
    return make_variant(preset, intensity, format)
