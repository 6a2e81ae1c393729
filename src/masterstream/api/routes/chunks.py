"""One mastered chunk: ``/api/tracks/{id}/chunks/{k}`` (bytes) and ``…/info`` (metadata).

The bytes route is the hottest path of the server, so it is a
:class:`~masterstream.api.direct_routes.DirectRoute`: its endpoint receives the request and
parses the parameters itself with the service's strict parser (documented in the OpenAPI
schema by hand), and the app serves it through its own middleware only, skipping the
framework's generic layers, which cost more than a tier1 hit. The key is built once; a matching
``If-None-Match`` is answered 304 before the cache is asked; everything else is one
:meth:`ChunkService.get <masterstream.service.chunks.ChunkService.get>`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from ...monitoring import CacheAwareResponse, ChunkCacheMetadata, create_cache_aware_response
from ...service.request import ChunkRequest, Variant
from ..budgets import charge, refuse_if_exhausted
from ..direct_routes import DirectRoute
from ..headers import cache_control, cache_status, etag_matches, server_timing, strong_etag
from ..params import (
    ChunkIdxParam,
    TrackIdParam,
    chunk_format_param,
    chunk_openapi_parameters,
    variant_params,
)
from ..recording import CHUNK_ENDPOINT
from ..state import ServerState, get_state

router = APIRouter(tags=["chunks"])
AUDIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media: {} for media in ("audio/wav", "audio/flac", "audio/ogg", "audio/mpeg")},
        "description": "The chunk's bytes: a file of its own (WAV, FLAC, and Opus or MP3 "
        "with standalone=true), or a segment of the track's continuous Opus or MP3 stream.",
    },
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
}


async def get_chunk(request: Request) -> Response:
    state: ServerState = request.app.state.ms
    chunk_request = ChunkRequest.parse(
        request.path_params["track_id"], request.path_params["chunk_idx"], request.query_params
    )
    service = state.engine.chunks
    key = service.key(chunk_request)
    etag = strong_etag(key.digest)
    token = request.query_params.get("v")  # the version is computed only for a token
    current = token is not None and token == service.version(key.track_id)
    headers = {"ETag": etag, "Cache-Control": cache_control(immutable=current)}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    refuse_if_exhausted(request, service, chunk_request)  # 429 for a miss over budget only
    started_s = time.perf_counter()
    try:
        result = await service.get(chunk_request, key)
        charge(request, result)
    except Exception:
        state.recorder.failure(CHUNK_ENDPOINT, (time.perf_counter() - started_s) * 1000.0)
        raise
    state.recorder.chunk(CHUNK_ENDPOINT, result)
    request.state.cache_source = result.source
    headers["X-Cache-Source"] = result.source
    headers["Cache-Status"] = cache_status(result.source)
    headers["Server-Timing"] = server_timing(result.source, result.timings)
    return Response(result.data, media_type=result.media_type, headers=headers)


router.add_api_route(
    CHUNK_ENDPOINT, get_chunk, methods=["GET"], route_class_override=DirectRoute,
    summary="A mastered chunk's audio bytes", response_class=Response,
    responses=AUDIO_RESPONSES, openapi_extra={"parameters": chunk_openapi_parameters()},
)  # fmt: skip
# HEAD shares the endpoint; it stays out of the schema, where it would repeat GET's
# operation id (FastAPI names operations per route, not per method).
router.add_api_route(
    CHUNK_ENDPOINT, get_chunk, methods=["HEAD"], route_class_override=DirectRoute,
    include_in_schema=False, response_class=Response,
)  # fmt: skip


@router.get(
    CHUNK_ENDPOINT + "/info",
    response_model=CacheAwareResponse[ChunkCacheMetadata],
    summary="Where a chunk is cached (ChunkCacheMetadata), without its bytes",
)
async def get_chunk_info(
    track_id: TrackIdParam,
    chunk_idx: ChunkIdxParam,
    variant: Annotated[Variant, Depends(variant_params)],
    fmt: Annotated[str, Depends(chunk_format_param)],
    state: Annotated[ServerState, Depends(get_state)],
) -> dict[str, Any]:
    service = state.engine.chunks
    chunk_request = ChunkRequest(track_id, chunk_idx, variant, fmt)
    source = service.cached_source(chunk_request)
    metadata = ChunkCacheMetadata(
        track_id=track_id,
        chunk_index=chunk_idx,
        preset=variant.preset,
        intensity=variant.intensity,
        source=source,
        timestamp=datetime.now(UTC),
        access_count=service.recent.count(service.key(chunk_request)),
    )
    return create_cache_aware_response(
        metadata.model_dump(mode="json"),
        cache_source=source,
        processing_time_ms=0.0,
        message=f"chunk {chunk_idx} of track {track_id} is "
        + ("not cached" if source == "miss" else f"in {source}"),
    )
