"""Cache statistics, health, per-track status and trends, and the admin cache actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from ...monitoring import (
    CacheHealthResponse,
    CacheStatsResponse,
    TrackCacheStatusResponse,
    format_cache_stats,
)
from ...monitoring.snapshot import METRICS
from ...service.request import ChunkRequest, Variant, check_format
from ..auth import require_admin
from ..params import TrackIdParam, format_param, variant_params
from ..report_schemas import EndpointMetricsView, MetricTrend
from ..schemas import ClearResult, WarmAccepted, WarmRequest
from ..state import ServerState, get_state

router = APIRouter(tags=["cache"])
State = Annotated[ServerState, Depends(get_state)]
TREND_METRICS = METRICS  # what the monitor snapshots (unknown names -> 422 listing these)


@router.get("/api/cache/stats", response_model=CacheStatsResponse, summary="Cache statistics")
async def cache_stats(state: State) -> CacheStatsResponse:
    return CacheStatsResponse(**format_cache_stats(state.engine.cache.get_stats()))


@router.get(
    "/api/cache/health", response_model=CacheHealthResponse, summary="Cache health and alerts"
)
async def cache_health(state: State) -> CacheHealthResponse:
    state.monitor.update_metrics()
    return state.monitor.get_health()


@router.get(
    "/api/cache/tracks/{track_id}",
    response_model=TrackCacheStatusResponse,
    summary="How much of a track (one variant) is cached",
)
async def track_cache_status(
    track_id: TrackIdParam,
    variant: Annotated[Variant, Depends(variant_params)],
    fmt: Annotated[str, Depends(format_param)],
    state: State,
) -> TrackCacheStatusResponse:
    status = state.engine.cache.track_status(track_id, variant.key_preset, variant.intensity, fmt)
    return TrackCacheStatusResponse(**status)


@router.get(
    "/api/cache/trends", response_model=MetricTrend, summary="Trend of one monitored metric"
)
async def cache_trends(
    state: State,
    metric: Annotated[str, Query(max_length=64, description=f"One of {TREND_METRICS}")] = (
        "overall_hit_rate"
    ),
    window: Annotated[int, Query(ge=2, le=1000)] = 10,
) -> dict[str, Any]:
    return state.monitor.get_trend(metric, window)


@router.get(
    "/api/metrics/endpoints",
    response_model=EndpointMetricsView,
    summary="Per-endpoint request metrics",
)
async def endpoint_metrics(
    state: State, window: Annotated[int, Query(ge=1, le=1000)] = 10
) -> dict[str, Any]:
    metrics = state.metrics
    return {
        "summary": metrics.get_summary(),
        "tier_stats": metrics.get_tier_stats(),
        "trends": metrics.get_performance_trends(window),
    }


@router.post(
    "/api/cache/warm",
    status_code=202,
    response_model=WarmAccepted,
    dependencies=[Depends(require_admin)],
    summary="Warm a whole track into tier2 in the background (admin)",
)
async def warm_track(body: WarmRequest, state: State) -> JSONResponse:
    job = ChunkRequest(body.track_id, 0, Variant.of(body.preset, body.intensity),
                       check_format(body.format))  # fmt: skip
    info = state.engine.cache.track_info(body.track_id)
    started = state.engine.warming.start(job)
    payload = WarmAccepted(
        status="accepted" if started else "already_running",
        track_id=body.track_id,
        preset=job.variant.preset,
        intensity=job.variant.intensity,
        format=job.fmt,
        total_chunks=info.chunk_count,
    )
    return JSONResponse(payload.model_dump(), status_code=202)


@router.delete(
    "/api/cache/tracks/{track_id}",
    response_model=ClearResult,
    dependencies=[Depends(require_admin)],
    summary="Delete every cached chunk of a track (admin)",
)
async def clear_track(track_id: TrackIdParam, state: State) -> ClearResult:
    state.engine.library.get(track_id)
    failed_before = _delete_failures(state)
    removed = await state.engine.cache.clear_track(track_id)
    failed = _delete_failures(state) - failed_before
    state.hub.publish(None, "cache_cleared", {"track_id": track_id, "removed_entries": removed,
                                              "failed_entries": failed})  # fmt: skip
    return ClearResult(removed_entries=removed, failed_entries=failed, track_id=track_id)


@router.post(
    "/api/cache/clear",
    response_model=ClearResult,
    dependencies=[Depends(require_admin)],
    summary="Delete every cached chunk in every tier (admin)",
)
async def clear_cache(state: State) -> ClearResult:
    failed_before = _delete_failures(state)
    removed = await state.engine.cache.clear()
    failed = _delete_failures(state) - failed_before
    state.hub.publish(None, "cache_cleared", {"track_id": None, "removed_entries": removed,
                                              "failed_entries": failed})  # fmt: skip
    return ClearResult(removed_entries=removed, failed_entries=failed)


def _delete_failures(state: ServerState) -> int:
    """Entries the local tiers could not remove so far (files that stayed on disk)."""
    cache = state.engine.cache
    return sum(tier.stats().delete_failures for tier in (cache.tier1, cache.tier2))
