"""The whole mastered track as one continuous stream: ``/api/tracks/{id}/stream``.

WAV, FLAC, MP3 or Opus (``format=``, ``bitrate=``), from the start or from ``start_s=``
seconds; the response is built by
:func:`~masterstream.api.streaming.track_stream_response`, which the Subsonic
``/rest/stream`` shares.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from ...service.request import Variant, parse_number
from ..params import TrackIdParam, format_param, variant_params
from ..state import ServerState, get_state
from ..streaming import track_stream_response

router = APIRouter(tags=["stream"])
MEDIA = {"audio/wav": {}, "audio/flac": {}, "audio/mpeg": {}, "audio/ogg; codecs=opus": {}}
START_DESCRIPTION = (
    "Start the stream here, in seconds (0 <= start_s < duration; Subsonic's timeOffset). "
    "WAV and FLAC start at that sample, Opus at that 48 kHz sample (pre-skip), MP3 at that "
    "sample for decoders that read the LAME tag (else up to two frames, 52 ms, early; a "
    "start in the last 26 ms moves back to 26 ms before the end). X-Stream-Start says "
    "where it starts, X-Content-Duration how long it plays."
)
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": MEDIA, "description": "The whole track as one stream."},
    206: {
        "content": MEDIA,
        "description": "The requested byte range (WAV, MP3; Opus once cached).",
    },
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


async def stream_track(
    request: Request,
    track_id: TrackIdParam,
    variant: Annotated[Variant, Depends(variant_params)],
    fmt: Annotated[str, Depends(format_param)],
    state: Annotated[ServerState, Depends(get_state)],
    start_s: Annotated[str, Query(max_length=24, description=START_DESCRIPTION)] = "0",
) -> Response:
    start = parse_number("start_s", start_s)
    return await track_stream_response(request, state, track_id, variant, fmt, start_s=start)


router.add_api_route(
    "/api/tracks/{track_id}/stream", stream_track, methods=["GET"],
    summary="The whole mastered track as one stream, with Range support and start_s",
    response_class=Response, responses=STREAM_RESPONSES,
    openapi_extra={"parameters": STREAM_HEADERS},
)  # fmt: skip
# HEAD shares the handler; it stays out of the schema, where it would repeat GET's
# operation id (FastAPI names operations per route, not per method).
router.add_api_route(
    "/api/tracks/{track_id}/stream", stream_track, methods=["HEAD"], include_in_schema=False,
    response_class=Response,
)  # fmt: skip
