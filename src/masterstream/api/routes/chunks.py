"""One mastered chunk: ``/api/tracks/{id}/chunks/{k}`` (bytes) and ``…/info`` (metadata).

The request is validated and keyed first (unknown track or chunk -> 404 before any
work), a matching ``If-None-Match`` is answered 304 without touching the cache, and
everything else goes through the cache's ``get_or_render`` wrapped by the seed's
``CacheAwareEndpoint`` (so it is timed and recorded in ``EndpointMetrics``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from ...audio.encode import get_encoder
from ...monitoring import ChunkCacheMetadata, create_cache_aware_response
from ..headers import cache_control, cache_status, etag_matches, server_timing, strong_etag
from ..params import (
    Variant,
    parse_int,
    variant_from_query,
    variant_openapi_parameters,
    variant_params,
)
from ..state import ServerState, get_state

router = APIRouter(tags=["chunks"])
TrackId = Annotated[int, Path(description="Catalog track id.")]
ChunkIdx = Annotated[int, Path(description="Chunk index, 0-based.")]

AUDIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {}, "audio/flac": {}}, "description": "The chunk's bytes."},
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
}


CHUNK_PARAMETERS: list[dict[str, Any]] = [
    {"name": "track_id", "in": "path", "required": True, "schema": {"type": "integer"},
     "description": "Catalog track id."},
    {"name": "chunk_idx", "in": "path", "required": True, "schema": {"type": "integer"},
     "description": "Chunk index, 0-based."},
    *variant_openapi_parameters(),
    {"name": "if-none-match", "in": "header", "required": False,
     "schema": {"type": "string", "maxLength": 1024}},
]  # fmt: skip


CHUNK_ROUTE = "/api/tracks/{track_id}/chunks/{chunk_idx}"


@router.get(
    CHUNK_ROUTE,
    summary="A mastered chunk's audio bytes",
    response_class=Response,
    responses=AUDIO_RESPONSES,
    openapi_extra={"parameters": CHUNK_PARAMETERS},
)
async def get_chunk(request: Request) -> Response:
    """Parameters are parsed by hand (same validation and errors as the other routes):
    FastAPI's per-parameter machinery costs more than a tier1 hit. Most requests never
    get here — :class:`~masterstream.api.fastpath.ChunkFastPath` serves them first."""
    return await serve_chunk(
        request.app.state.ms,
        request.path_params["track_id"],
        request.path_params["chunk_idx"],
        request.query_params,
        request.headers.get("if-none-match"),
    )


async def serve_chunk(
    state: ServerState,
    track_id_text: str,
    chunk_idx_text: str,
    query: Mapping[str, str],
    if_none_match: str | None,
) -> Response:
    """The chunk response (raises the masterstream/problem errors the app maps)."""
    track_id = parse_int("track_id", track_id_text)
    chunk_idx = parse_int("chunk_idx", chunk_idx_text)
    variant = variant_from_query(query)
    cache = state.engine.cache
    key = cache.make_key(track_id, chunk_idx, variant.preset, variant.intensity, variant.fmt)
    etag = strong_etag(key.digest)
    headers = {"ETag": etag, "Cache-Control": cache_control()}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    state.access.hit(key.to_str())

    async def handler() -> tuple[bytes, str]:
        return await cache.get_or_render(
            track_id, chunk_idx, variant.preset, variant.intensity, variant.fmt
        )

    envelope = await state.chunk_endpoint(handler)()
    source = str(envelope["cache_source"])
    headers["X-Cache-Source"] = source
    headers["Cache-Status"] = cache_status(source)
    headers["Server-Timing"] = server_timing(source, float(envelope["processing_time_ms"]))
    return Response(
        envelope["data"], media_type=get_encoder(variant.fmt).media_type, headers=headers
    )


@router.get(
    "/api/tracks/{track_id}/chunks/{chunk_idx}/info",
    summary="Where a chunk is cached (ChunkCacheMetadata), without its bytes",
)
async def get_chunk_info(
    track_id: TrackId,
    chunk_idx: ChunkIdx,
    variant: Annotated[Variant, Depends(variant_params)],
    state: Annotated[ServerState, Depends(get_state)],
) -> dict[str, Any]:
    cache = state.engine.cache
    key = cache.make_key(track_id, chunk_idx, variant.preset, variant.intensity, variant.fmt)
    if key in cache.tier1:
        source = "tier1"
    elif key in cache.tier2:
        source = "tier2"
    else:
        source = "miss"
    metadata = ChunkCacheMetadata(
        track_id=track_id,
        chunk_index=chunk_idx,
        preset=variant.preset,
        intensity=key.intensity,
        source=source,
        timestamp=datetime.now(UTC),
        access_count=state.access.get(key.to_str()),
    )
    return create_cache_aware_response(
        metadata.model_dump(mode="json"),
        cache_source=source,
        processing_time_ms=0.0,
        message=f"chunk {chunk_idx} of track {track_id} is "
        + ("not cached" if source == "miss" else f"in {source}"),
    )
