"""The monitor's recent snapshots, oldest first: ``GET /api/cache/history``.

The dashboard seeds its charts from these on load, then follows ``cache_stats`` on /ws.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ..report_schemas import CacheHistory
from ..state import ServerState, get_state

router = APIRouter(tags=["cache"])


@router.get(
    "/api/cache/history",
    response_model=CacheHistory,
    summary="The monitor's recent cache snapshots, oldest first",
)
async def cache_history(
    state: Annotated[ServerState, Depends(get_state)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> dict[str, Any]:
    snapshots = state.monitor.metrics_history[-limit:]
    return {
        "interval_s": state.options.monitor_interval_s,
        "points": [{**asdict(m), "timestamp": m.timestamp.isoformat()} for m in snapshots],
    }
