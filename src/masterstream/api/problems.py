"""RFC 9457 problem details: the one place where errors become HTTP responses.

Every error masterstream raises on purpose maps to a status here; request validation
errors become 422 problems listing the offending fields; anything unexpected becomes a
500 problem without internals (and is logged), so no handler ever answers with HTML or
a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..audio.lossy import UnsupportedBitrateError
from ..errors import (
    AlbumNotFoundError,
    ArtistNotFoundError,
    AudioError,
    CacheError,
    CatalogError,
    ChunkOutOfRangeError,
    InvalidIntensityError,
    InvalidParameterError,
    InvalidRequestError,
    MasterstreamError,
    RenderError,
    SourceUnavailableError,
    TrackNotFoundError,
    UnknownMetricError,
    UnknownPresetError,
    UnsupportedAudioError,
    UnsupportedFormatError,
)
from ..logs import REQUEST_ID
from ..users.errors import LastAdminError, UserExistsError, UserNotFoundError
from .route_table import allowed_methods

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://masterstream.invalid/problems/"
log = logging.getLogger("masterstream.api")

# (exception class, HTTP status, problem slug, title); the first matching class wins.
_MAPPING: list[tuple[type[MasterstreamError], int, str, str]] = [
    (TrackNotFoundError, 404, "track-not-found", "Track not found"),
    (UserNotFoundError, 404, "user-not-found", "User not found"),
    (UserExistsError, 409, "user-exists", "User exists"),
    (LastAdminError, 409, "last-admin", "The last admin stays"),
    (AlbumNotFoundError, 404, "album-not-found", "Album not found"),
    (ArtistNotFoundError, 404, "artist-not-found", "Artist not found"),
    (ChunkOutOfRangeError, 404, "chunk-out-of-range", "Chunk index out of range"),
    (UnknownPresetError, 422, "unknown-preset", "Unknown preset"),
    (InvalidIntensityError, 422, "invalid-intensity", "Invalid intensity"),
    (UnsupportedFormatError, 422, "unsupported-format", "Unsupported format"),
    (UnsupportedBitrateError, 422, "unsupported-bitrate", "Unsupported bitrate"),
    (UnknownMetricError, 422, "unknown-metric", "Unknown metric"),
    (InvalidParameterError, 422, "validation-error", "Invalid request parameters"),
    (InvalidRequestError, 422, "invalid-request", "Invalid request"),
    (UnsupportedAudioError, 422, "unsupported-audio", "Source audio cannot be decoded"),
    (SourceUnavailableError, 503, "source-unavailable", "Source audio unavailable"),
    (AudioError, 422, "audio-error", "Audio error"),
    (RenderError, 503, "render-failed", "Rendering failed"),
    (CatalogError, 503, "catalog-unavailable", "Catalog unavailable"),
    (CacheError, 503, "cache-unavailable", "Cache unavailable"),
    (MasterstreamError, 400, "error", "Request failed"),
]


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error of the JSON API is answered."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request, for a person.")
    instance: str | None = Field(None, description="The request path.")
    request_id: str | None = Field(
        None, description="The request's X-Request-ID: find it in the server's log."
    )


class ProblemError(Exception):
    """An HTTP problem raised by the API layer itself (auth, ranges, bad parameters)."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    request_id = REQUEST_ID.get()
    if request_id is not None:
        body["request_id"] = request_id  # find this request in the server's log
    body.update(extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def status_for(exc: MasterstreamError) -> tuple[int, str, str]:
    """``(status, slug, title)`` for a masterstream error."""
    for cls, status, slug, title in _MAPPING:
        if isinstance(exc, cls):
            return status, slug, title
    return 400, "error", "Request failed"  # unreachable: MasterstreamError is mapped


def _extensions(exc: MasterstreamError) -> dict[str, Any]:
    """The machine-readable context an error carries (track id, valid values …)."""
    out: dict[str, Any] = {}
    if isinstance(exc, TrackNotFoundError | ChunkOutOfRangeError):
        out["track_id"] = exc.track_id
    if isinstance(exc, AlbumNotFoundError):
        out["album_id"] = exc.album_id
    if isinstance(exc, ArtistNotFoundError):
        out["artist_id"] = exc.artist_id
    if isinstance(exc, ChunkOutOfRangeError):
        out["chunk_index"] = exc.chunk_index
        out["valid_range"] = [0, exc.chunk_count - 1]
    if isinstance(exc, UnknownPresetError):
        out["valid_presets"] = exc.valid
    if isinstance(exc, UnsupportedFormatError):
        out["valid_formats"] = exc.valid
    if isinstance(exc, UnknownMetricError):
        out["valid_metrics"] = exc.valid
    if isinstance(exc, UnsupportedBitrateError):
        out["valid_bitrates_kbps"] = exc.valid
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


async def _masterstream_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, MasterstreamError):  # pragma: no cover - registration guarantees
        raise exc
    status, slug, title = status_for(exc)
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        status, slug, title, str(exc), instance=request.url.path, **_extensions(exc)
    )


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ProblemError):  # pragma: no cover
        raise exc
    return problem_response(
        exc.status, exc.slug, exc.title, exc.detail, instance=request.url.path,
        headers=exc.headers, **exc.extensions,
    )  # fmt: skip


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    invalid = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
        for e in errors
    ]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in invalid) or "invalid request"
    return problem_response(
        422, "validation-error", "Invalid request parameters", detail,
        instance=request.url.path, invalid_params=_jsonable(invalid),
    )  # fmt: skip


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
        raise exc
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # one route's methods: the path may have several routes
        headers["Allow"] = ", ".join(allowed_methods(request.app.router.routes, request.scope))
    return problem_response(
        exc.status_code, f"http-{exc.status_code}", detail, detail,
        instance=request.url.path, headers=headers,
    )  # fmt: skip


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        500, "internal-error", "Internal server error",
        "the server failed unexpectedly; the error was logged", instance=request.url.path,
    )  # fmt: skip


async def problem_for(request: Request, exc: Exception) -> JSONResponse:
    """The problem response the app's handlers give ``exc`` (for code outside routing)."""
    if isinstance(exc, MasterstreamError):
        return await _masterstream_error(request, exc)
    if isinstance(exc, ProblemError):
        return await _problem_error(request, exc)
    return await _unexpected_error(request, exc)


def install_problem_handlers(app: FastAPI) -> None:
    """Register every exception handler on ``app``."""
    app.add_exception_handler(MasterstreamError, _masterstream_error)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
