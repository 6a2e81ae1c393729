"""``/api/search?q=``: artists, albums and tracks matching words as prefixes."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ...library import browse
from ..schemas import SearchResults
from ..state import ServerState, get_state
from .tracks import SEARCH_DESCRIPTION, track_summaries

router = APIRouter(tags=["library"])


@router.get(
    "/api/search", response_model=SearchResults, summary="Search artists, albums and tracks"
)
async def search(
    state: Annotated[ServerState, Depends(get_state)],
    q: Annotated[str, Query(min_length=1, max_length=200, description=SEARCH_DESCRIPTION)],
    limit: Annotated[int, Query(ge=1, le=100, description="Results of each kind.")] = 20,
) -> dict[str, Any]:
    found = await asyncio.to_thread(browse.search, state.engine.catalog, q, limit=limit)
    return {**found, "tracks": track_summaries(state, found["tracks"])}
