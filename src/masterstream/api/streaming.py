"""One whole-track stream response for every entry point: :func:`track_stream_response`.

``/api/tracks/{id}/stream`` and the Subsonic ``/rest/stream`` both answer with it, so both
serve the same bytes, headers, ranges and errors. The stream is laid out by
:func:`~masterstream.service.streams.track_stream` (a header, then each chunk's bytes);
when every chunk's size is known the length is exact and ``Range`` requests map to the
chunks they cover (a seek renders at most those). The source file is checked and the first
chunk fetched before the response starts, so an unavailable source is still an error
response; while one chunk is sent the next is being fetched; a chunk that fails
mid-stream cuts the connection (counted as an error), never pads it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from ..service.request import ChunkRequest
from ..service.streams import track_stream
from .budgets import charge, refuse_if_exhausted
from .headers import cache_control, etag_matches, stream_etag
from .problems import ProblemError
from .ranges import ByteRange, RangeNotSatisfiable, SegmentSlice, parse_range, segment_slices
from .recording import STREAM_ENDPOINT

if TYPE_CHECKING:
    from ..service.request import Variant
    from .state import ServerState

log = logging.getLogger("masterstream.api")
MAX_IF_RANGE_CHARS = 256


class StreamAborted(Exception):
    """A chunk failed after the response started: the connection is cut, never padded."""


async def track_stream_response(
    request: Request,
    state: ServerState,
    track_id: int,
    variant: Variant,
    fmt: str,
    *,
    start_s: float = 0.0,
    estimate_length: bool = False,
    etag_extra: str = "",
) -> Response:
    """The response to a whole-track stream request (GET or HEAD, ``Range`` honoured).

    ``fmt`` is a validated format token (``wav``, ``opus-128``: see
    :func:`~masterstream.service.request.check_format`), ``variant`` a validated
    :class:`~masterstream.service.request.Variant`. ``start_s`` starts the stream at that
    position (Subsonic's ``timeOffset``); ``estimate_length`` sends an estimated
    ``Content-Length`` when the exact one is unknown (Subsonic's ``estimateContentLength``);
    ``etag_extra`` is mixed into the ETag (a caller whose bytes differ for the same track,
    variant and format). Raises :class:`ProblemError` for a bad ``start_s`` or ``Range``;
    masterstream errors (``TrackNotFoundError``, ``SourceUnavailableError``, ...) propagate
    and map to their status with :func:`~masterstream.api.problems.status_for`.
    """
    if start_s != 0.0:
        raise ProblemError(422, "validation-error", "Invalid request parameters",
                           "start_s is not supported yet")  # fmt: skip
    engine = state.engine
    service = engine.chunks
    record = engine.library.get(track_id)
    geometry = engine.library.geometry(record)
    layout = track_stream(geometry, record.channels, fmt)
    first_request = ChunkRequest(track_id, 0, variant, fmt)
    etag = stream_etag(service.key(first_request).to_str() + etag_extra)
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
        byte_range = _byte_range(request, length, etag, headers)
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
        slices = [SegmentSlice(k + 1, 0, 2**62) for k in range(geometry.chunk_count)]
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


def _byte_range(
    request: Request, length: int, etag: str, headers: dict[str, str]
) -> ByteRange | None:
    """The ``Range`` asked for (None: the whole body; a stale ``If-Range``: the whole body)."""
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
        return None  # the client's copy is stale (or unrecognisable): all of it
    return byte_range


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
