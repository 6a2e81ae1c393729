"""Liveness, readiness and health: ``/livez``, ``/readyz``, ``/api/health``.

Readiness means the catalog answers and the cache can store bytes; health adds the
monitor's view. A low hit rate, a degraded disk tier or an unreachable shared (Redis) tier
is a warning (the server still serves, from its own tiers and renders); only a catalog that
cannot be read fails. A library scan in
progress is information (a ``library:scan`` check that passes), never a failure. A health
check of a degraded disk tier also probes it when a probe is due (off the event loop), so
the tier recovers even when nothing is written.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ..schemas import HealthCheck, Liveness, Readiness
from ..state import ServerState, get_state

PACKAGE = "masterstream"
router = APIRouter(tags=["health"])
HEALTH_MEDIA_TYPE = "application/health+json"


class HealthResponse(JSONResponse):
    media_type = HEALTH_MEDIA_TYPE  # so the OpenAPI document names it too


@router.get("/livez", response_model=Liveness, summary="The process is responsive")
async def livez() -> dict[str, str]:
    return {"status": "pass"}


async def _catalog_check(state: ServerState) -> tuple[str, str]:
    try:
        count = await asyncio.to_thread(state.engine.catalog.count_tracks)
    except Exception as exc:  # any failure here means "not ready", whatever its type
        return "fail", f"catalog unreadable: {exc}"
    return "pass", f"{count} tracks"


async def _cache_check(state: ServerState) -> tuple[str, str]:
    tier = state.engine.cache.tier2
    probe = getattr(tier, "probe", None)
    if probe is not None and tier.stats().degraded:
        await asyncio.to_thread(probe)
    tier2 = tier.stats()
    if tier2.degraded:
        return "warn", (f"disk tier degraded ({tier2.write_errors} writes failed or skipped; "
                        f"last error: {getattr(tier, 'last_error', None)}): serving from "
                        "memory and renders, probing the disk again")  # fmt: skip
    return "pass", (f"tier1 {state.engine.cache.tier1.stats().chunks} chunks, tier2 "
                    f"{tier2.chunks} chunks, {tier2.write_errors} write errors")  # fmt: skip


def _shared_check(state: ServerState) -> tuple[str, str] | None:
    """The shared tier's link: never a failure, since every request falls back to local."""
    cluster = state.engine.cache.shared
    if cluster is None:
        return None
    status = cluster.status()
    if not status["available"]:
        return "warn", (f"shared tier unreachable (breaker {status['breaker']}, "
                        f"{status['last_error'] or 'not connected'}): serving from local "
                        "tiers and local renders")  # fmt: skip
    if not status["maxmemory_bytes"]:
        return "warn", "shared tier has no maxmemory: its Redis is not bounded by bytes"
    return "pass", f"shared tier up (server {status['server_id']})"


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
    summary="Catalog open and cache usable",
)
async def readyz(state: Annotated[ServerState, Depends(get_state)]) -> JSONResponse:
    catalog_status, _ = await _catalog_check(state)
    cache_status, _ = await _cache_check(state)
    ok = catalog_status == "pass"
    body = {"status": "pass" if ok else "fail",
            "checks": {"catalog": catalog_status, "cache": cache_status}}  # fmt: skip
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get(
    "/api/health",
    response_model=HealthCheck,
    response_class=HealthResponse,
    responses={503: {"model": HealthCheck}},
    summary="Health (application/health+json): pass, warn or fail",
)
async def health(state: Annotated[ServerState, Depends(get_state)]) -> JSONResponse:
    catalog_status, catalog_output = await _catalog_check(state)
    cache_status, cache_output = await _cache_check(state)
    monitor_status, alerts = state.monitor.get_health_status()
    level = monitor_status.value
    monitor_check = "pass" if level == "healthy" else "warn"
    checks: dict[str, list[dict[str, Any]]] = {
        "catalog:responseTime": [{"status": catalog_status, "output": catalog_output}],
        "cache:tiers": [{"status": cache_status, "output": cache_output}],
        "library:scan": [
            {
                "status": "pass",
                "observedValue": state.engine.scanner.status.phase.value,
                "output": state.engine.scanner.status.describe(),
            }
        ],
        "cache:monitor": [
            {
                "status": monitor_check,
                "observedValue": level,
                "output": "; ".join(a.title for a in alerts),
            }
        ],
    }
    shared = _shared_check(state)
    if shared is not None:
        checks["cache:shared"] = [{"status": shared[0], "output": shared[1]}]
    statuses = {catalog_status, cache_status, monitor_check, *(shared[:1] if shared else ())}
    overall = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
    body = HealthCheck(
        status=overall,
        version="1",
        description=f"{PACKAGE} server",
        checks=checks,
        notes=["a low hit rate is a warning, never a failure"],
    )
    return HealthResponse(body.model_dump(), status_code=503 if overall == "fail" else 200)
