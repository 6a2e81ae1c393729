"""The whole mastered track as one continuous WAV: ``/api/tracks/{id}/stream``.

The body is a canonical 44-byte header followed by every chunk's PCM payload, so its
length is known from the geometry before anything is rendered. ``Range`` requests map to
the chunks they cover (a seek renders at most those); the first chunk is fetched before
the response starts, so an unavailable source is still a problem response; while one
chunk is sent the next is already being fetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.responses import StreamingResponse

from ...audio.encode import WAV_HEADER_BYTES, wav_header
from ...errors import RenderError, UnsupportedFormatError
from ..headers import cache_control, etag_matches, stream_etag
from ..params import Variant, variant_params
from ..problems import ProblemError
from ..ranges import RangeNotSatisfiable, chunks_for_range, parse_range, wav_stream_length
from ..state import ServerState, get_state

router = APIRouter(tags=["stream"])
STREAM_FORMATS = ("wav",)
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {}}, "description": "The whole track as one WAV."},
    206: {"content": {"audio/wav": {}}, "description": "The requested byte range."},
    304: {"description": "Not modified."},
    416: {"description": "Malformed or unsatisfiable Range."},
}


def pcm_payload(wav: bytes, expected_frames: int, block_align: int) -> bytes:
    """The PCM data of one chunk's WAV, checked against the geometry."""
    expected = WAV_HEADER_BYTES + expected_frames * block_align
    if len(wav) != expected or wav[:4] != b"RIFF":
        raise RenderError(f"chunk WAV has {len(wav)} bytes, expected {expected}")
    return wav[WAV_HEADER_BYTES:]


@router.get(
    "/api/tracks/{track_id}/stream",
    summary="The whole mastered track as one WAV, with Range support",
    response_class=Response,
    responses=STREAM_RESPONSES,
)
async def stream_track(
    request: Request,
    track_id: Annotated[int, Path(description="Catalog track id.")],
    variant: Annotated[Variant, Depends(variant_params)],
    state: Annotated[ServerState, Depends(get_state)],
    range_header: Annotated[
        str | None, Header(alias="range", max_length=256, description="e.g. bytes=0-1023")
    ] = None,
    if_range: Annotated[str | None, Header(max_length=256)] = None,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    if variant.fmt not in STREAM_FORMATS:
        raise UnsupportedFormatError(variant.fmt, STREAM_FORMATS)
    engine = state.engine
    record = engine.library.get(track_id)
    geometry = engine.library.geometry(record)
    channels, block_align = record.channels, record.channels * 2
    length = wav_stream_length(geometry, channels)
    first_key = engine.cache.make_key(track_id, 0, variant.preset, variant.intensity, "wav")
    etag = stream_etag(first_key.to_str())
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": cache_control()}
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    try:
        byte_range = parse_range(range_header, length)
    except RangeNotSatisfiable as exc:
        raise ProblemError(
            416, "range-not-satisfiable", "Range not satisfiable", str(exc),
            headers={"Content-Range": f"bytes */{length}", **headers}, length=length,
        ) from exc  # fmt: skip
    if byte_range is not None and if_range is not None and if_range.strip() != etag:
        byte_range = None  # the client's copy is stale: send the whole body
    first, last = (0, length - 1) if byte_range is None else (byte_range.first, byte_range.last)
    headers["Content-Length"] = str(last - first + 1)
    status = 200
    if byte_range is not None:
        status = 206
        headers["Content-Range"] = byte_range.content_range()
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="audio/wav")

    header_slice, slices = chunks_for_range(geometry, channels, first, last)

    async def fetch(chunk_index: int) -> bytes:
        async def handler() -> tuple[bytes, str]:
            return await engine.cache.get_or_render(
                track_id, chunk_index, variant.preset, variant.intensity, "wav"
            )

        envelope = await state.stream_endpoint(handler)()
        span_start, span_stop = geometry.chunk_span(chunk_index)
        return pcm_payload(envelope["data"], span_stop - span_start, block_align)

    first_payload = await fetch(slices[0].chunk_index) if slices else b""
    data_bytes = geometry.total_frames * block_align
    head = b""
    if header_slice is not None:
        head = wav_header(data_bytes, record.sample_rate, channels)[slice(*header_slice)]
    body = _body(head, first_payload, slices, fetch)
    return StreamingResponse(body, status_code=status, headers=headers, media_type="audio/wav")


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
) -> AsyncIterator[bytes]:
    if head:
        yield head
    pending: asyncio.Future[bytes] | None = None
    try:
        for i, part in enumerate(slices):
            payload = first_payload if i == 0 else await pending  # type: ignore[misc]
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
