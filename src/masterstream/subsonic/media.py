"""``stream`` and ``download``: a song's audio, mastered or as the original file.

``stream`` is the same code path as ``/api/tracks/{id}/stream``
(:func:`~masterstream.api.streaming.track_stream_response`): the same chunk cache, render
budget, metrics and dashboard. Its variant is ``preset``/``intensity`` (our extension)
or the user's defaults; its format follows :mod:`.transcoding`; ``timeOffset`` starts it
that many seconds in. ``raw`` and ``download`` send the original file untouched, with
``Range`` support. Errors come before any audio: an unknown song is error 70, a bad
format or offset error 0. A used-up render budget keeps HTTP 429 with ``Retry-After``
(Subsonic has no code for it; clients retry on 429) around a Subsonic error body.
"""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import FileResponse, Response

from ..api.problems import ProblemError
from ..api.streaming import track_stream_response
from ..service.request import Variant, check_format
from .call import Method, SubsonicCall
from .envelope import render_error
from .errors import GENERIC, SubsonicError
from .ids import parse_id
from .listening import listening_of, user_settings
from .transcoding import choose_format

if TYPE_CHECKING:
    from ..library.records import TrackRecord
    from ..users import UserSettings

KEPT_STATUSES = (416, 429)  # HTTP answers clients act on: kept, with their headers


async def _track(call: SubsonicCall) -> TrackRecord:
    track_id = parse_id(call, "id", "track")
    return await asyncio.to_thread(call.state.engine.library.get, track_id)


def _variant(call: SubsonicCall, settings: UserSettings) -> Variant:
    """The user's default variant, or the ``preset``/``intensity`` asked for."""
    default = listening_of(settings).variant
    preset = call.get("preset") or default.preset
    intensity = call.get_float("intensity", default.intensity, minimum=0.0, maximum=1.0)
    return Variant.of(preset, intensity)


async def original_file(call: SubsonicCall, track: TrackRecord, *, attachment: bool) -> Response:
    """The track's source file as indexed (error if it changed or went), ``Range`` honoured."""
    await asyncio.to_thread(call.state.engine.chunks.check_source, track.id)
    path = Path(track.path)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(
        path, media_type=media_type, filename=path.name if attachment else None,
        content_disposition_type="attachment" if attachment else "inline",
    )  # fmt: skip


async def stream(call: SubsonicCall) -> Response:
    track = await _track(call)
    store = call.request.app.state.auth.store
    settings = await asyncio.to_thread(user_settings, store, call.user)
    max_kbps = call.get_int("maxBitRate", 0, minimum=0) or 0
    chosen = choose_format(call.get("format"), max_kbps, settings, track)
    if chosen.raw:
        return await original_file(call, track, attachment=False)
    fmt = check_format(chosen.name, chosen.bitrate_kbps)
    variant = _variant(call, settings)
    start_s = call.get_float("timeOffset", 0.0, minimum=0.0) or 0.0
    if start_s >= track.duration_s:
        raise SubsonicError(GENERIC, f"timeOffset must be below the song's "
                            f"{track.duration_s:.1f} s")  # fmt: skip
    estimate = bool(call.get_bool("estimateContentLength", False))
    try:
        return await track_stream_response(
            call.request, call.state, track.id, variant, fmt, start_s=start_s,
            estimate_length=estimate,
        )  # fmt: skip
    except ProblemError as exc:
        return _problem_answer(exc, call.format)


async def download(call: SubsonicCall) -> Response:
    return await original_file(call, await _track(call), attachment=True)


def _problem_answer(exc: ProblemError, fmt: str) -> Response:
    """A problem from the stream function as a Subsonic error, keeping a 416 or 429."""
    answer = render_error(SubsonicError(GENERIC, f"{exc.title}: {exc.detail}"), fmt)
    if exc.status in KEPT_STATUSES:
        answer.status_code = exc.status
        answer.headers.update(exc.headers)
    return answer


METHODS: dict[str, Any] = {"stream": Method(stream), "download": Method(download)}
