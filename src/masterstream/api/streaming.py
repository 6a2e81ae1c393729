"""One whole-track stream response for every entry point: :func:`track_stream_response`.

``/api/tracks/{id}/stream`` and the Subsonic ``/rest/stream`` both answer with it, so both
serve the same bytes, headers, ranges and errors. The stream is laid out by
:func:`~masterstream.service.streams.track_stream` (a header, then each chunk's bytes);
when every chunk's size is known (WAV, MP3, Opus once all its chunks are cached) the
length is exact and ``Range`` requests map to the chunks they cover (a seek renders at most
those); otherwise there is no ``Content-Length`` (or, asked for, an estimate the body is
padded to) and clients seek with ``start_s``. The source file is checked and the first
chunk fetched before the response starts, so an unavailable source is still an error
response; while one chunk is sent the next is being fetched (a FLAC stream is encoded
off the event loop as it goes); a chunk that fails mid-stream cuts the connection
(counted as an error), never pads it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from ..audio.formats import parse_token
from ..errors import InvalidParameterError
from ..service.request import ChunkRequest
from ..service.streams import track_stream
from .budgets import charge, refuse_if_exhausted
from .headers import cache_control, etag_matches, stream_etag
from .problems import ProblemError
from .ranges import ByteRange, RangeNotSatisfiable, SegmentSlice, parse_range, segment_slices
from .recording import STREAM_ENDPOINT

if TYPE_CHECKING:
    from ..service.chunks import ChunkService
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
    engine = state.engine
    service = engine.chunks
    record = engine.library.get(track_id)
    geometry = engine.library.geometry(record)
    first_request = ChunkRequest(track_id, 0, variant, fmt)
    cached_sizes = None
    if parse_token(fmt).name == "opus" and start_s == 0.0:
        cached_sizes = await _cached_sizes(service, first_request, geometry.chunk_count)
    try:
        layout = track_stream(geometry, record.channels, fmt, start_s=start_s,
                              cached_sizes=cached_sizes)  # fmt: skip
    except InvalidParameterError as exc:
        raise ProblemError(422, "start-out-of-range", "Start position out of range", str(exc),
                           duration_s=geometry.duration_s) from exc  # fmt: skip
    first_request = ChunkRequest(track_id, layout.first_chunk, variant, layout.chunk_fmt)
    if layout.start_s:
        etag_extra += f"@{layout.start_s:.6f}"
    if layout.chunk_fmt != fmt:
        etag_extra += f"/{fmt}"
    if layout.length is None and estimate_length:
        etag_extra += "~padded"  # other bytes than the unpadded body
    etag = stream_etag(service.key(first_request.at(0)).to_str() + etag_extra)
    current = request.query_params.get("v") == service.version(track_id)
    headers = {"ETag": etag, "Cache-Control": cache_control(immutable=current),
               "X-Content-Duration": f"{layout.duration_s:.3f}"}  # fmt: skip
    if layout.start_s:
        headers["X-Stream-Start"] = f"{layout.start_s:.6f}"
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    length = layout.length
    byte_range = None
    if length is None:
        headers["Accept-Ranges"] = "none"
        if estimate_length:
            headers["Content-Length"] = str(layout.estimated_length)
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
    cutter = layout.cutter()

    async def fetch(chunk_index: int) -> bytes:
        started_s = time.perf_counter()
        try:
            result = await service.get(first_request.at(chunk_index))
            charge(request, result)  # counted, never cut: the budget was checked up front
        except Exception:
            state.recorder.failure(STREAM_ENDPOINT, (time.perf_counter() - started_s) * 1000.0)
            raise
        state.recorder.chunk(STREAM_ENDPOINT, result)
        if layout.cpu_bound:
            payload = await asyncio.to_thread(cutter.cut, chunk_index, result.data)
        else:
            payload = cutter.cut(chunk_index, result.data)
        return layout.checked(chunk_index, payload)

    tail = None
    if layout.sizes is None:  # the whole stream, chunk after chunk
        chunks = range(layout.first_chunk, geometry.chunk_count)
        slices = [SegmentSlice(k + 1, 0, 2**62) for k in chunks]
        head = layout.header
        tail = cutter.tail
    else:
        sizes = (len(layout.header), *layout.sizes)
        slices = [SegmentSlice(s.segment + layout.first_chunk, s.start, s.stop)
                  for s in segment_slices(sizes, first, last)]  # fmt: skip
        head = b""
        if slices and slices[0].segment == layout.first_chunk:
            head = layout.header[slices[0].start : slices[0].stop]
            slices = slices[1:]
    if slices:  # 429 if the budget is used up and the first chunk needs a render
        refuse_if_exhausted(request, service, first_request.at(slices[0].segment - 1))
    first_payload = await fetch(slices[0].segment - 1) if slices else b""
    body = _body(head, first_payload, slices, fetch, track_id, tail)
    if length is None and estimate_length:
        body = _fitted(body, layout.estimated_length)
    return StreamingResponse(
        body, status_code=status, headers=headers, media_type=layout.media_type
    )


async def _cached_sizes(
    service: ChunkService, first_request: ChunkRequest, chunk_count: int
) -> list[int] | None:
    """Every chunk's bytes if all of them are cached (tier1 or tier2), else None; nothing
    is counted as a request."""
    cache = service.cache
    keys = [service.key(first_request.at(k)) for k in range(chunk_count)]
    if not all(key in cache.tier1 or key in cache.tier2 for key in keys):
        return None
    sizes = []
    for key in keys:
        data = cache.tier1.peek(key)
        if data is None:
            data = await asyncio.to_thread(cache.tier2.peek, key)
        if data is None:
            return None  # evicted meanwhile
        sizes.append(len(data))
    return sizes


async def _fitted(body: AsyncIterator[bytes], length: int) -> AsyncIterator[bytes]:
    """``body`` made exactly ``length`` bytes, the ``Content-Length`` estimated before it
    was encoded: cut there, or padded with zero bytes (which Ogg and FLAC readers skip)."""
    sent = 0
    async for part in body:
        if sent + len(part) >= length:
            yield part[: length - sent]
            return
        sent += len(part)
        yield part
    if sent < length:
        yield bytes(length - sent)


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
    tail: Callable[[], bytes] | None = None,
) -> AsyncIterator[bytes]:
    """``head``, then each slice of its chunk (segment k + 1 is chunk k), fetching the next
    chunk while one is sent, then ``tail()`` (an encoder's last bytes)."""
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
        if tail is not None:
            yield await asyncio.to_thread(tail)
    finally:
        if pending is not None:
            if pending.done():
                if not pending.cancelled():
                    pending.exception()  # retrieved: the client left before it was needed
            else:
                pending.cancel()
