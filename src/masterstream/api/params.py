"""Request parameters at the HTTP edge, parsed by :mod:`masterstream.service.request`.

FastAPI dependencies for the routes that declare their parameters (track ids, the
``preset``/``intensity``/``format`` query, and ``standalone`` for routes about one chunk),
and the OpenAPI description of the chunk route, which parses its own parameters. Every
route parses ids with the same strict rule.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import Depends, Path, Query

from ..audio.encode import DEFAULT_FORMAT
from ..audio.formats import FORMAT_NAMES
from ..service.request import (
    DEFAULT_PRESET,
    ID_PATTERN,
    Variant,
    check_format,
    parse_flag,
    parse_int,
)

ID_DESCRIPTION = "a non-negative integer in canonical decimal form"
FORMAT_DESCRIPTION = f"Output format: {', '.join(FORMAT_NAMES)} (see /api/formats)."
BITRATE_DESCRIPTION = "Bitrate in kbit/s of a lossy format (default: the format's own)."
LOUDNESS_DESCRIPTION = (
    "track: every track mastered to the preset's loudness target; album: the album as a "
    "whole on the target, its tracks' level differences kept (one album gain)."
)
STANDALONE_DESCRIPTION = (
    "true: a lossy chunk is a file of its own that decodes alone to exactly the chunk's "
    "samples (its own headers; encoder delay and padding in the Ogg pre-skip and end "
    "granule, or the MP3 LAME tag); false: a segment of the track's continuous stream. "
    "Lossless chunks are always files of their own."
)


def path_id(name: str, what: str) -> Any:
    """``Annotated[int, Depends(...)]`` for the ``{name}`` path parameter: a ``what`` parsed
    with the strict rule every id follows (documented as a pattern in the schema)."""

    def dependency(**values: str) -> int:
        return parse_int(name, values[name])

    schema = Path(pattern=ID_PATTERN, max_length=19, description=f"{what}: {ID_DESCRIPTION}.")
    parameter = inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[str, schema]
    )
    dependency.__signature__ = inspect.Signature([parameter])  # type: ignore[attr-defined]
    return Annotated[int, Depends(dependency)]


TrackIdParam = path_id("track_id", "Catalog track id")
ChunkIdxParam = path_id("chunk_idx", "Chunk index, 0-based")
AlbumIdParam = path_id("album_id", "Album id")
ArtistIdParam = path_id("artist_id", "Artist id")


async def variant_params(
    preset: Annotated[
        str, Query(max_length=64, description="Mastering preset (see /api/presets); 'original'.")
    ] = DEFAULT_PRESET,
    intensity: Annotated[
        float, Query(ge=0.0, le=1.0, description="0 = original … 1 = fully mastered.")
    ] = 1.0,
    loudness: Annotated[str, Query(max_length=16, description=LOUDNESS_DESCRIPTION)] = "track",
) -> Variant:
    """FastAPI dependency for ``?preset=…&intensity=…&loudness=…``."""
    return Variant.of(preset, intensity, loudness)


FormatQuery = Annotated[str, Query(max_length=16, description=FORMAT_DESCRIPTION)]
BitrateQuery = Annotated[
    str | None, Query(pattern=ID_PATTERN, max_length=4, description=BITRATE_DESCRIPTION)
]
StandaloneQuery = Annotated[
    str | None, Query(pattern="^(true|false|1|0)$", description=STANDALONE_DESCRIPTION)
]


async def format_param(format: FormatQuery = DEFAULT_FORMAT, bitrate: BitrateQuery = None) -> str:
    """FastAPI dependency for ``?format=…&bitrate=…``: the format's cache-key token."""
    return check_format(format, None if bitrate is None else parse_int("bitrate", bitrate))


async def chunk_format_param(
    format: FormatQuery = DEFAULT_FORMAT,
    bitrate: BitrateQuery = None,
    standalone: StandaloneQuery = None,
) -> str:
    """FastAPI dependency for one chunk's ``?format=…&bitrate=…&standalone=…``."""
    bitrate_kbps = None if bitrate is None else parse_int("bitrate", bitrate)
    return check_format(format, bitrate_kbps, parse_flag("standalone", standalone))


def chunk_openapi_parameters() -> list[dict[str, object]]:
    """The OpenAPI description of the chunk route's parameters (it parses them itself)."""
    id_schema = {"type": "string", "pattern": ID_PATTERN, "maxLength": 19}
    return [
        {"name": "track_id", "in": "path", "required": True, "schema": id_schema,
         "description": f"Catalog track id: {ID_DESCRIPTION}."},
        {"name": "chunk_idx", "in": "path", "required": True, "schema": id_schema,
         "description": f"Chunk index, 0-based: {ID_DESCRIPTION}."},
        {"name": "preset", "in": "query", "required": False,
         "schema": {"type": "string", "default": DEFAULT_PRESET, "maxLength": 64},
         "description": "Mastering preset (see /api/presets); 'original' = unprocessed."},
        {"name": "intensity", "in": "query", "required": False,
         "schema": {"type": "number", "default": 1.0, "minimum": 0, "maximum": 1},
         "description": "0 = original … 1 = fully mastered."},
        {"name": "loudness", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["track", "album"], "default": "track"},
         "description": LOUDNESS_DESCRIPTION},
        {"name": "format", "in": "query", "required": False,
         "schema": {"type": "string", "default": DEFAULT_FORMAT, "maxLength": 16},
         "description": FORMAT_DESCRIPTION},
        {"name": "bitrate", "in": "query", "required": False,
         "schema": {"type": "string", "pattern": ID_PATTERN, "maxLength": 4},
         "description": BITRATE_DESCRIPTION},
        {"name": "standalone", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["true", "false", "1", "0"], "default": "false"},
         "description": STANDALONE_DESCRIPTION},
        {"name": "v", "in": "query", "required": False,
         "schema": {"type": "string", "maxLength": 32},
         "description": "The track's version token (`version` in track listings): with the "
                        "current token the response may be cached for good."},
        {"name": "if-none-match", "in": "header", "required": False,
         "schema": {"type": "string"}},
    ]  # fmt: skip
