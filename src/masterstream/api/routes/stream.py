"""The whole mastered track as one continuous WAV: ``/api/tracks/{id}/stream``.

The body is a canonical 44-byte header followed by every chunk's PCM payload, so its
length is known from the geometry before anything is rendered. ``Range`` requests map to
the chunks they cover (a seek renders at most those); the first chunk is fetched before
the response starts, so an unavailable source is still a problem response; while one
chunk is sent the next is already being fetched.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from ...audio.encode import WAV_HEADER_BYTES, wav_header
from ...errors import RenderError, UnsupportedFormatError
from ...service.request import ChunkRequest, Variant
from ..budgets import charge, refuse_if_exhausted
from ..headers import cache_control, etag_matches, stream_etag
from ..params import TrackIdParam, format_param, variant_params
from ..problems import ProblemError
from ..ranges import RangeNotSatisfiable, chunks_for_range, parse_range, wav_stream_length
from ..recording import STREAM_ENDPOINT
from ..state import ServerState, get_state

log = logging.getLogger("masterstream.api")
router = APIRouter(tags=["stream"])
STREAM_FORMATS = ("wav",)
MAX_IF_RANGE_CHARS = 256
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {}}, "description": "The whole track as one WAV."},
    206: {"content": {"audio/wav": {}}, "description": "The requested byte range."},
    304: {"description": "Not modified."},
    416: {"description": "Malformed or unsatisfiable Range."},
}
STREAM_HEADERS: list[dict[str, Any]] = [
    {"name": "range", "in": "header", "required": False, "schema": {"type": "string"},
     "description": "One byte range, e.g. bytes=0-1023 (several ranges: the whole body)."},
    {"name": "if-range", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "if-none-match", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "v", "in": "query", "required": False,
     "schema": {"type": "string", "maxLength": 32},
     "description": "The track's version token: with the current one, cacheable for good."},
]  # fmt: skip


class StreamAborted(Exception):
    """A chunk failed after the response started: the connection is cut, never padded."""


def pcm_payload(wav: bytes, expected_frames: int, block_align: int) -> bytes:
    """The PCM data of one chunk's WAV, checked against the geometry."""
    expected = WAV_HEADER_BYTES + expected_frames * block_align
    if len(wav) != expected or wav[:4] != b"RIFF":
        raise RenderError(f"chunk WAV has {len(wav)} bytes, expected {expected}")
    return wav[WAV_HEADER_BYTES:]


async def stream_track(
    request: Request,
    track_id: TrackIdParam,
    variant: Annotated[Variant, Depends(variant_params)],
    fmt: Annotated[str, Depends(format_param)],
    state: Annotated[ServerState, Depends(get_state)],
) -> Response:
    if fmt not in STREAM_FORMATS:
        raise UnsupportedFormatError(fmt, STREAM_FORMATS)
    engine = state.engine
    service = engine.chunks
    record = engine.library.get(track_id)
    geometry = engine.library.geometry(record)
    channels, block_align = record.channels, record.channels * 2
    length = wav_stream_length(geometry, channels)
    first_request = ChunkRequest(track_id, 0, variant, "wav")
    etag = stream_etag(service.key(first_request).to_str())
    current = request.query_params.get("v") == service.version(track_id)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": cache_control(immutable=current),
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    range_header = request.headers.get("range")
    try:
        byte_range = parse_range(range_header, length)
    except RangeNotSatisfiable as exc:
        raise ProblemError(
            416, "range-not-satisfiable", "Range not satisfiable", str(exc),
            headers={"Content-Range": f"bytes */{length}", **headers}, length=length,
        ) from exc  # fmt: skip
    if_range = request.headers.get("if-range")
    if (
        byte_range is not None
        and if_range is not None
        and (len(if_range) > MAX_IF_RANGE_CHARS or if_range.strip() != etag)
    ):
        byte_range = None  # the client's copy is stale (or unrecognisable): the whole body
    first, last = (0, length - 1) if byte_range is None else (byte_range.first, byte_range.last)
    headers["Content-Length"] = str(last - first + 1)
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = byte_range.content_range()
    service.check_source(track_id)  # a missing or changed file is a problem, not a cut stream
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="audio/wav")

    header_slice, slices = chunks_for_range(geometry, channels, first, last)

    async def fetch(chunk_index: int) -> bytes:
        started_s = time.perf_counter()
        try:
            result = await service.get(first_request.at(chunk_index))
            charge(request, result)  # counted, never cut: the budget was checked up front
        except Exception:
            state.recorder.failure(STREAM_ENDPOINT, (time.perf_counter() - started_s) * 1000.0)
            raise
        state.recorder.chunk(STREAM_ENDPOINT, result)
        span_start, span_stop = geometry.chunk_span(chunk_index)
        return pcm_payload(result.data, span_stop - span_start, block_align)

    if slices:
        refuse_if_exhausted(request, service, first_request.at(slices[0].chunk_index))
    first_payload = await fetch(slices[0].chunk_index) if slices else b""
    data_bytes = geometry.total_frames * block_align
    head = b""
    if header_slice is not None:
        head = wav_header(data_bytes, record.sample_rate, channels)[slice(*header_slice)]
    body = _body(head, first_payload, slices, fetch, track_id)
    return StreamingResponse(body, status_code=status, headers=headers, media_type="audio/wav")


router.add_api_route(
    "/api/tracks/{track_id}/stream", stream_track, methods=["GET"],
    summary="The whole mastered track as one WAV, with Range support",
    response_class=Response, responses=STREAM_RESPONSES,
    openapi_extra={"parameters": STREAM_HEADERS},
)  # fmt: skip
# HEAD shares the handler; it stays out of the schema, where it would repeat GET's
# operation id (FastAPI names operations per route, not per method).
router.add_api_route(
    "/api/tracks/{track_id}/stream", stream_track, methods=["HEAD"], include_in_schema=False,
    response_class=Response,
)  # fmt: skip


async def _body(
    head: bytes,
    first_payload: bytes,
    slices: list[Any],
    fetch: Callable[[int], Awaitable[bytes]],
    track_id: int,
) -> AsyncIterator[bytes]:
    if head:
        yield head
    pending: asyncio.Future[bytes] | None = None
    try:
        for i, part in enumerate(slices):
            try:
                payload = first_payload if i == 0 else await pending  # type: ignore[misc]
            except Exception as exc:
                log.warning(
                    "stream of track %s cut at chunk %s: %s", track_id, part.chunk_index, exc
                )
                raise StreamAborted(str(exc)) from exc
            if i + 1 < len(slices):
                pending = asyncio.ensure_future(fetch(slices[i + 1].chunk_index))
            yield payload[part.start : part.stop]
    finally:
        if pending is not None:
            if pending.done():
                if not pending.cancelled():
                    pending.exception()  # retrieved: the client left before it was needed
            else:
                pending.cancel()
