"""The whole mastered track as one continuous stream: ``/api/tracks/{id}/stream``.

WAV, MP3 or Opus (``format=``, ``bitrate=``), laid out by
:func:`~masterstream.service.streams.track_stream`: a header, then each chunk's bytes. When
every chunk's size is known before rendering (WAV, CBR MP3) the length is exact and
``Range`` requests map to the chunks they cover (a seek renders at most those); an Opus
stream (VBR) is sent whole, with its duration in ``X-Content-Duration``. The source file
is checked and the first chunk fetched before the response starts, so an unavailable
source is still a problem response; while one chunk is sent the next is being fetched; a
chunk that fails mid-stream cuts the connection (counted as an error), never pads it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from ...service.request import ChunkRequest, Variant
from ...service.streams import track_stream
from ..budgets import charge, refuse_if_exhausted
from ..headers import cache_control, etag_matches, stream_etag
from ..params import TrackIdParam, format_param, variant_params
from ..problems import ProblemError
from ..ranges import RangeNotSatisfiable, SegmentSlice, parse_range, segment_slices
from ..recording import STREAM_ENDPOINT
from ..state import ServerState, get_state

log = logging.getLogger("masterstream.api")
router = APIRouter(tags=["stream"])
MAX_IF_RANGE_CHARS = 256
MEDIA = {"audio/wav": {}, "audio/mpeg": {}, "audio/ogg; codecs=opus": {}}
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": MEDIA, "description": "The whole track as one stream."},
    206: {"content": MEDIA, "description": "The requested byte range (WAV, MP3)."},
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


async def stream_track(
    request: Request,
    track_id: TrackIdParam,
    variant: Annotated[Variant, Depends(variant_params)],
    fmt: Annotated[str, Depends(format_param)],
    state: Annotated[ServerState, Depends(get_state)],
) -> Response:
    engine = state.engine
    service = engine.chunks
    record = engine.library.get(track_id)
    layout = track_stream(engine.library.geometry(record), record.channels, fmt)
    first_request = ChunkRequest(track_id, 0, variant, fmt)
    etag = stream_etag(service.key(first_request).to_str())
    current = request.query_params.get("v") == service.version(track_id)
    headers = {"ETag": etag, "Cache-Control": cache_control(immutable=current),
               "X-Content-Duration": f"{layout.duration_s:.3f}"}  # fmt: skip
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    length = layout.length
    byte_range = None
    if length is None:
        headers["Accept-Ranges"] = "none"
    else:
        headers["Accept-Ranges"] = "bytes"
        try:
            byte_range = parse_range(request.headers.get("range"), length)
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
            byte_range = None  # the client's copy is stale (or unrecognisable): all of it
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = byte_range.content_range()
    if length is not None:
        first, last = (0, length - 1) if byte_range is None else (byte_range.first, byte_range.last)
        headers["Content-Length"] = str(last - first + 1)
    service.check_source(track_id)  # a missing or changed file is a problem, not a cut stream
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=layout.media_type)

    async def fetch(chunk_index: int) -> bytes:
        started_s = time.perf_counter()
        try:
            result = await service.get(first_request.at(chunk_index))
            charge(request, result)  # counted, never cut: the budget was checked up front
        except Exception:
            state.recorder.failure(STREAM_ENDPOINT, (time.perf_counter() - started_s) * 1000.0)
            raise
        state.recorder.chunk(STREAM_ENDPOINT, result)
        return layout.payload(chunk_index, result.data)

    if layout.sizes is None:  # the whole stream, chunk after chunk
        chunk_count = engine.library.geometry(record).chunk_count
        slices = [SegmentSlice(k + 1, 0, sys.maxsize) for k in range(chunk_count)]
        head = layout.header
    else:
        slices = segment_slices((len(layout.header), *layout.sizes), first, last)
        head = b""
        if slices and slices[0].segment == 0:
            head = layout.header[slices[0].start : slices[0].stop]
            slices = slices[1:]
    if slices:  # 429 if the budget is used up and the first chunk needs a render
        refuse_if_exhausted(request, service, first_request.at(slices[0].segment - 1))
    first_payload = await fetch(slices[0].segment - 1) if slices else b""
    body = _body(head, first_payload, slices, fetch, track_id)
    return StreamingResponse(
        body, status_code=status, headers=headers, media_type=layout.media_type
    )


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
    slices: list[SegmentSlice],
    fetch: Callable[[int], Awaitable[bytes]],
    track_id: int,
) -> AsyncIterator[bytes]:
    """``head``, then each slice of its chunk (segment k + 1 is chunk k), fetching the next
    chunk while one is sent."""
    if head:
        yield head
    pending: asyncio.Future[bytes] | None = None
    try:
        for i, part in enumerate(slices):
            try:
                payload = first_payload if i == 0 else await pending  # type: ignore[misc]
            except Exception as exc:
                log.warning("stream of track %s cut at chunk %s: %s", track_id,
                            part.segment - 1, exc)  # fmt: skip
                raise StreamAborted(str(exc)) from exc
            if i + 1 < len(slices):
                pending = asyncio.ensure_future(fetch(slices[i + 1].segment - 1))
            yield payload[part.start : part.stop]
    finally:
        if pending is not None:
            if pending.done():
                if not pending.cancelled():
                    pending.exception()  # retrieved: the client left before it was needed
            else:
                pending.cancel()
