"""Tracks and presets: ``/api/tracks``, ``/api/tracks/{track_id}``, ``/api/presets``."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from ...errors import TrackNotFoundError
from ...library import browse
from ...library.catalog import TrackRecord
from ...mastering import PRESETS
from ...monitoring import CacheAwareResponse
from ...service.request import MAX_ID
from ...service.tracks import fingerprint_file
from ..params import TrackIdParam
from ..report_schemas import PresetInfo
from ..schemas import TrackDetail, TrackPage
from ..state import ServerState, get_state

router = APIRouter(tags=["tracks"])
SEARCH_DESCRIPTION = "Words to match as prefixes, case and accents aside."
FINGERPRINT_SOURCES = {
    "tier1": "fingerprint from memory",
    "tier2": "fingerprint read from the catalog",
    "miss": "fingerprint computed now and stored in the catalog",
}


def track_summary(state: ServerState, record: TrackRecord) -> dict[str, Any]:
    geometry = state.engine.library.geometry(record)
    return {
        "id": record.id,
        "title": record.display_title,
        "artist": record.artist,
        "duration_s": round(record.duration_s, 3),
        "sample_rate": record.sample_rate,
        "channels": record.channels,
        "chunk_count": geometry.chunk_count,
        "chunk_duration_s": geometry.chunk_duration_s,
        "version": state.engine.chunks.version(record.id),
        "album_id": record.album_id,
        "artist_id": record.artist_id,
        "album": record.album,
        "album_artist": record.album_artist,
        "track_number": record.track_number,
        "disc_number": record.disc_number,
        "year": record.year,
        "genre": record.genre,
        "has_cover": record.has_cover,
    }


def track_summaries(state: ServerState, records: list[TrackRecord]) -> list[dict[str, Any]]:
    """Summaries of the records the server can play (a track the catalog has indexed but
    the running library has not loaded yet is left out)."""
    out = []
    for record in records:
        try:
            out.append(track_summary(state, record))
        except TrackNotFoundError:
            continue
    return out


@router.get("/api/tracks", response_model=TrackPage, summary="List, filter and search tracks")
async def list_tracks(
    state: Annotated[ServerState, Depends(get_state)],
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    q: Annotated[str | None, Query(max_length=200, description=SEARCH_DESCRIPTION)] = None,
    album_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    artist_id: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="As track artist or album artist.")
    ] = None,
    sort: Annotated[
        Literal["id", "title", "artist", "album", "year", "recent"] | None,
        Query(description="Default: relevance with q, else id."),
    ] = None,
) -> dict[str, Any]:
    page = await asyncio.to_thread(
        browse.list_tracks, state.engine.catalog, q=q, album_id=album_id, artist_id=artist_id,
        sort=sort, offset=offset, limit=limit,
    )  # fmt: skip
    return {
        "items": track_summaries(state, page.items),
        "total": page.total,
        "offset": offset,
        "limit": limit,
    }


async def _fingerprint(state: ServerState, record: TrackRecord) -> tuple[dict[str, Any], str]:
    """The track's fingerprint and where it came from: memory, the catalog, or computed now."""
    if record.fingerprint is not None:
        return record.fingerprint, "tier1"
    library = state.engine.library
    stored = await asyncio.to_thread(library.catalog.get_track, record.id)
    if stored.fingerprint is not None:
        await asyncio.to_thread(library.reload)
        return stored.fingerprint, "tier2"
    fingerprint = await asyncio.to_thread(fingerprint_file, record.path)
    await asyncio.to_thread(library.catalog.set_fingerprint, record.id, fingerprint)
    await asyncio.to_thread(library.reload)
    return fingerprint, "miss"


@router.get(
    "/api/tracks/{track_id}",
    response_model=CacheAwareResponse[TrackDetail],
    summary="Track info and fingerprint (cache-aware envelope)",
)
async def get_track(
    track_id: TrackIdParam, state: Annotated[ServerState, Depends(get_state)]
) -> dict[str, Any]:
    started = time.perf_counter()
    record = state.engine.library.get(track_id)

    async def handler() -> tuple[dict[str, Any], str]:
        fingerprint, source = await _fingerprint(state, record)
        detail = TrackDetail(
            **track_summary(state, record), signature=record.signature, fingerprint=fingerprint
        )
        return detail.model_dump(mode="json"), source

    envelope = await state.recorder.track.track_request(handler)()
    envelope["message"] = FINGERPRINT_SOURCES[str(envelope["cache_source"])]
    envelope.setdefault("processing_time_ms", round((time.perf_counter() - started) * 1e3, 3))
    return envelope


@router.get(
    "/api/presets",
    response_model=list[PresetInfo],
    response_model_exclude_unset=True,
    summary="Mastering presets with descriptions and targets",
)
async def list_presets() -> list[dict[str, Any]]:
    return [preset.to_dict() for preset in PRESETS.values()]
