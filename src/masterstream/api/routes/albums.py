"""Albums: ``/api/albums`` (sorted, by artist, searched) and ``/api/albums/{album_id}``."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from ...library import browse
from ...service.request import MAX_ID
from ..params import AlbumIdParam
from ..schemas import AlbumDetail, AlbumPage
from ..state import ServerState, get_state
from .tracks import SEARCH_DESCRIPTION, track_summaries

router = APIRouter(tags=["library"])


@router.get("/api/albums", response_model=AlbumPage, summary="List, filter and search albums")
async def list_albums(
    state: Annotated[ServerState, Depends(get_state)],
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    sort: Annotated[
        Literal["name", "artist", "year", "recent"] | None,
        Query(description="Default: relevance with q, else name."),
    ] = None,
    artist_id: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="Albums of this album artist.")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description=SEARCH_DESCRIPTION)] = None,
) -> dict[str, Any]:
    page = await asyncio.to_thread(
        browse.list_albums, state.engine.catalog, sort=sort, artist_id=artist_id, q=q,
        offset=offset, limit=limit,
    )  # fmt: skip
    return {"items": page.items, "total": page.total, "offset": offset, "limit": limit}


@router.get(
    "/api/albums/{album_id}",
    response_model=AlbumDetail,
    summary="An album with its tracks in disc and track order",
)
async def get_album(
    album_id: AlbumIdParam, state: Annotated[ServerState, Depends(get_state)]
) -> dict[str, Any]:
    album, tracks = await asyncio.to_thread(browse.get_album, state.engine.catalog, album_id)
    return {**album, "tracks": track_summaries(state, tracks)}
