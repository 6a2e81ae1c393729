"""Artists: ``/api/artists`` and ``/api/artists/{artist_id}`` (with their albums)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ...library import browse
from ..params import ArtistIdParam
from ..schemas import ArtistDetail, ArtistPage
from ..state import ServerState, get_state
from .tracks import SEARCH_DESCRIPTION

router = APIRouter(tags=["library"])


@router.get("/api/artists", response_model=ArtistPage, summary="List artists by name")
async def list_artists(
    state: Annotated[ServerState, Depends(get_state)],
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    q: Annotated[str | None, Query(max_length=200, description=SEARCH_DESCRIPTION)] = None,
) -> dict[str, Any]:
    page = await asyncio.to_thread(
        browse.list_artists, state.engine.catalog, q=q, offset=offset, limit=limit
    )
    return {"items": page.items, "total": page.total, "offset": offset, "limit": limit}


@router.get(
    "/api/artists/{artist_id}",
    response_model=ArtistDetail,
    summary="An artist with their albums and the albums they appear on",
)
async def get_artist(
    artist_id: ArtistIdParam, state: Annotated[ServerState, Depends(get_state)]
) -> dict[str, Any]:
    return await asyncio.to_thread(browse.get_artist, state.engine.catalog, artist_id)
