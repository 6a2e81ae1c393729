"""Cover art: ``/api/albums/{album_id}/cover`` and ``/api/tracks/{track_id}/cover``.

JPEG or WebP thumbnails of ``size`` pixels (the longer side), resized once and kept
under the data directory (:mod:`masterstream.library.thumbnails`); a generated
placeholder when there is no cover. ETags name the bytes, so revalidation is a 304.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from ...library import browse
from ...library.covers import CoverSource, cover_source
from ...library.thumbnails import DEFAULT_SIZE_PX, MAX_SIZE_PX, MIN_SIZE_PX, ThumbnailStore
from ..headers import cache_control, etag_matches, strong_etag
from ..params import AlbumIdParam, TrackIdParam
from ..state import ServerState, get_state

router = APIRouter(tags=["library"])
SizeParam = Annotated[
    int,
    Query(
        ge=MIN_SIZE_PX,
        le=MAX_SIZE_PX,
        description="Longer side in pixels (served at the next size up of a fixed ladder).",
    ),
]
FormatParam = Annotated[
    Literal["jpeg", "webp"] | None,
    Query(description="Default: WebP if the Accept header names it, else JPEG."),
]
RESPONSES = {
    200: {"content": {"image/jpeg": {}, "image/webp": {}}, "description": "The thumbnail."},
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
}


def thumbnail_store(state: ServerState) -> ThumbnailStore:
    return ThumbnailStore(state.settings.data_dir / "covers")


async def cover_response(
    request: Request, state: ServerState, source: CoverSource | None, *, name: str,
    size: int, fmt: str | None,
) -> Response:  # fmt: skip
    """The thumbnail of ``source`` (a placeholder named ``name`` without one), with its
    ETag; WebP when ``fmt`` is None and the Accept header names it, else JPEG."""
    negotiated = fmt is None
    if fmt is None:
        fmt = "webp" if "image/webp" in request.headers.get("accept", "") else "jpeg"
    thumb = await asyncio.to_thread(
        thumbnail_store(state).thumbnail, source, size_px=size, fmt=fmt, name=name
    )
    etag = strong_etag(thumb.etag)
    headers = {"ETag": etag, "Cache-Control": cache_control(immutable=False)}
    if negotiated:
        headers["Vary"] = "Accept"
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    headers["X-Cover"] = "placeholder" if thumb.placeholder else "art"
    return Response(thumb.data, media_type=thumb.media_type, headers=headers)


@router.get("/api/albums/{album_id}/cover", responses=RESPONSES, response_class=Response,
            summary="An album's cover art (or a placeholder)")  # fmt: skip
async def album_cover(
    request: Request, album_id: AlbumIdParam, state: Annotated[ServerState, Depends(get_state)],
    size: SizeParam = DEFAULT_SIZE_PX, format: FormatParam = None,
) -> Response:  # fmt: skip
    catalog = state.engine.catalog
    album, cover_track_id = await asyncio.to_thread(browse.album_cover_track, catalog, album_id)
    source = None
    if cover_track_id is not None:
        source = cover_source(await asyncio.to_thread(catalog.get_track, cover_track_id))
    name = f"{album['title']} {album['artist']}"
    return await cover_response(request, state, source, name=name, size=size, fmt=format)


@router.get("/api/tracks/{track_id}/cover", responses=RESPONSES, response_class=Response,
            summary="A track's cover art: its folder's or its own (or a placeholder)")  # fmt: skip
async def track_cover(
    request: Request, track_id: TrackIdParam, state: Annotated[ServerState, Depends(get_state)],
    size: SizeParam = DEFAULT_SIZE_PX, format: FormatParam = None,
) -> Response:  # fmt: skip
    record = await asyncio.to_thread(state.engine.catalog.get_track, track_id)
    name = f"{record.album or record.display_title} {record.album_artist or ''}".strip()
    return await cover_response(
        request, state, cover_source(record), name=name, size=size, fmt=format
    )
