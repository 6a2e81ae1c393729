"""Request parameters at the HTTP edge, parsed by :mod:`masterstream.service.request`.

FastAPI dependencies for the routes that declare their parameters (track ids and the
``preset``/``intensity``/``format`` query), and the OpenAPI description of the chunk
route, which parses its own parameters. Every route parses ids with the same strict rule.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from ..audio.encode import DEFAULT_FORMAT
from ..audio.formats import FORMAT_NAMES
from ..service.request import DEFAULT_PRESET, ID_PATTERN, Variant, check_format, parse_int

ID_DESCRIPTION = "a non-negative integer in canonical decimal form"
FORMAT_DESCRIPTION = f"Output format: {', '.join(FORMAT_NAMES)} (see /api/formats)."
BITRATE_DESCRIPTION = "Bitrate in kbit/s of a lossy format (default: the format's own)."


def track_id_param(
    track_id: Annotated[
        str,
        Path(pattern=ID_PATTERN, max_length=19, description=f"Catalog track id: {ID_DESCRIPTION}."),
    ],
) -> int:
    """FastAPI dependency: the ``{track_id}`` path parameter."""
    return parse_int("track_id", track_id)


def chunk_idx_param(
    chunk_idx: Annotated[
        str, Path(pattern=ID_PATTERN, max_length=19, description=f"Chunk index: {ID_DESCRIPTION}.")
    ],
) -> int:
    """FastAPI dependency: the ``{chunk_idx}`` path parameter."""
    return parse_int("chunk_idx", chunk_idx)


def album_id_param(
    album_id: Annotated[
        str,
        Path(pattern=ID_PATTERN, max_length=19, description=f"Album id: {ID_DESCRIPTION}."),
    ],
) -> int:
    """FastAPI dependency: the ``{album_id}`` path parameter."""
    return parse_int("album_id", album_id)


def artist_id_param(
    artist_id: Annotated[
        str,
        Path(pattern=ID_PATTERN, max_length=19, description=f"Artist id: {ID_DESCRIPTION}."),
    ],
) -> int:
    """FastAPI dependency: the ``{artist_id}`` path parameter."""
    return parse_int("artist_id", artist_id)


TrackIdParam = Annotated[int, Depends(track_id_param)]
ChunkIdxParam = Annotated[int, Depends(chunk_idx_param)]
AlbumIdParam = Annotated[int, Depends(album_id_param)]
ArtistIdParam = Annotated[int, Depends(artist_id_param)]


async def variant_params(
    preset: Annotated[
        str, Query(max_length=64, description="Mastering preset (see /api/presets); 'original'.")
    ] = DEFAULT_PRESET,
    intensity: Annotated[
        float, Query(ge=0.0, le=1.0, description="0 = original … 1 = fully mastered.")
    ] = 1.0,
) -> Variant:
    """FastAPI dependency for ``?preset=…&intensity=…``."""
    return Variant.of(preset, intensity)


async def format_param(
    format: Annotated[str, Query(max_length=16, description=FORMAT_DESCRIPTION)] = DEFAULT_FORMAT,
    bitrate: Annotated[
        str | None, Query(pattern=ID_PATTERN, max_length=4, description=BITRATE_DESCRIPTION)
    ] = None,
) -> str:
    """FastAPI dependency for ``?format=…&bitrate=…``: the format's cache-key token."""
    return check_format(format, None if bitrate is None else parse_int("bitrate", bitrate))


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
        {"name": "format", "in": "query", "required": False,
         "schema": {"type": "string", "default": DEFAULT_FORMAT, "maxLength": 16},
         "description": FORMAT_DESCRIPTION},
        {"name": "bitrate", "in": "query", "required": False,
         "schema": {"type": "string", "pattern": ID_PATTERN, "maxLength": 4},
         "description": BITRATE_DESCRIPTION},
        {"name": "v", "in": "query", "required": False,
         "schema": {"type": "string", "maxLength": 32},
         "description": "The track's version token (`version` in track listings): with the "
                        "current token the response may be cached for good."},
        {"name": "if-none-match", "in": "header", "required": False,
         "schema": {"type": "string"}},
    ]  # fmt: skip
