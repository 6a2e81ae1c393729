"""``POST /api/library/scan`` (admin): rescan the library folder.

Changed files get new content signatures, so their old chunks can never be served again
(the signature is part of every cache key); their old bytes and plans are dropped too.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends

from ...service.request import DEFAULT_PRESET
from ..auth import require_admin
from ..schemas import ScanResult
from ..state import ServerState, get_state

router = APIRouter(tags=["library"])


@router.post(
    "/api/library/scan",
    response_model=ScanResult,
    dependencies=[Depends(require_admin)],
    summary="Rescan the library folder (admin)",
)
async def scan_library(state: Annotated[ServerState, Depends(get_state)]) -> ScanResult:
    engine = state.engine
    root = state.settings.effective_library_dir
    report = await asyncio.to_thread(engine.library.scan, root)
    cleared = 0
    for track_id in (*report.updated, *report.removed):
        engine.plans.forget_track(track_id)
        cleared += await engine.cache.clear_track(track_id)
    summary = report.to_dict()
    result = ScanResult(**summary, tracks=len(engine.library), cleared_entries=cleared)
    state.hub.publish("tracks", "library_changed", result.model_dump())
    if state.options.prepare_plans and (report.added or report.updated):
        engine.plan_in_background(DEFAULT_PRESET)  # new and changed tracks play fast too
    return result
