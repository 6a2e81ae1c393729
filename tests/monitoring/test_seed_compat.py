"""Code written against the seed document's API runs unchanged.

Each test is written the way someone porting code from the seed's cache-integration
layer would write it: seed names imported from the package root, ``AsyncMock`` cache
managers, plain-dict stats, ``datetime.utcnow()`` timestamps and the seed's argument names.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from unittest.mock import AsyncMock

import pytest
from pydantic import ValidationError

from masterstream import (
    CacheAwareEndpoint,
    CacheHealthResponse,
    CacheMonitor,
    CacheQueryBuilder,
    CacheSource,
    ChunkCacheMetadata,
    EndpointMetrics,
    HealthStatus,
    create_cache_aware_handler,
    estimate_cache_completion_time,
)
from masterstream.errors import MonitoringError


class PortedCacheManager:
    """A manager as older code has it: per-tier rates and sizes, no counters per tier."""

    def __init__(self, tier1_size_mb: float, tier2_size_mb: float, hits: int, misses: int):
        self.tier1_size_mb, self.tier2_size_mb = tier1_size_mb, tier2_size_mb
        self.hits, self.misses = hits, misses

    def get_stats(self) -> dict:
        rate = self.hits / max(1, self.hits + self.misses)
        return {
            "tier1": {"hit_rate": rate, "size_mb": self.tier1_size_mb, "chunks": 4},
            "tier2": {"hit_rate": rate, "size_mb": self.tier2_size_mb, "chunks": 120,
                      "tracks_cached": 3},
            "overall": {"overall_hit_rate": rate,
                        "total_size_mb": self.tier1_size_mb + self.tier2_size_mb,
                        "total_hits": self.hits, "total_misses": self.misses},
        }  # fmt: skip


HEALTH_FIGURES = dict(tier1_size_mb=6.0, tier2_size_mb=200.0, total_size_mb=206.0,
                      tier1_hit_rate=0.95, overall_hit_rate=0.9)  # fmt: skip


async def test_track_request_returns_a_wrapper_that_is_awaited_later() -> None:
    endpoint = CacheAwareEndpoint(AsyncMock())

    async def handler():
        return {"title": "Song"}, "tier1"

    wrapped = endpoint.track_request(handler)
    assert callable(wrapped) and not inspect.isawaitable(wrapped)
    result = await wrapped()
    assert result["data"] == {"title": "Song"}
    assert (result["cache_source"], result["cache_hit"]) == ("tier1", True)
    assert result["processing_time_ms"] >= 0
    again = await wrapped()  # a wrapper, not a one-shot coroutine
    assert again["cache_source"] == "tier1"


async def test_track_request_awaits_an_async_monitor_and_reraises_handler_errors() -> None:
    monitor = AsyncMock()
    endpoint = CacheAwareEndpoint(AsyncMock(), monitor=monitor)

    async def hit():
        return b"pcm", "tier2"

    async def broken():
        raise ValueError("decoder gave up")

    assert (await endpoint.track_request(hit)())["cache_source"] == "tier2"
    monitor.update_metrics.assert_awaited_once()
    with pytest.raises(ValueError, match="decoder gave up"):
        await endpoint.track_request(broken)()
    assert endpoint.metrics.summary["total_requests"] == 2


async def test_create_cache_aware_handler_returns_an_awaitable_wrapper() -> None:
    metrics = EndpointMetrics()

    async def handler():
        return {"chunk": 3}, "miss"

    wrapped = create_cache_aware_handler(AsyncMock(), handler, metrics)
    result = await wrapped()
    assert (result["data"], result["cache_hit"]) == ({"chunk": 3}, False)
    assert metrics.summary["total_requests"] == 1 and metrics.summary["cache_misses"] == 1


async def test_get_with_cache_calls_get_chunk_with_keyword_arguments() -> None:
    cache_manager = AsyncMock()
    cache_manager.get_chunk = AsyncMock(return_value=(b"cached chunk", "tier2"))
    builder = CacheQueryBuilder(cache_manager, AsyncMock())
    data, source = await builder.get_with_cache(
        cache_key="chunk_4_2", track_id=4, chunk_idx=2, preset="warm", intensity=0.8
    )
    assert (data, source) == (b"cached chunk", "tier2")
    cache_manager.get_chunk.assert_awaited_once_with(
        track_id=4, chunk_idx=2, preset="warm", intensity=0.8
    )


async def test_get_with_cache_miss_asks_the_handler_and_stores_with_keywords() -> None:
    cache_manager = AsyncMock()
    cache_manager.get_chunk = AsyncMock(return_value=(None, "miss"))
    db_handler = AsyncMock(return_value=b"rendered")
    builder = CacheQueryBuilder(cache_manager, db_handler)
    result = await builder.get_with_cache(cache_key="k9", track_id=9, chunk_idx=0, preset=None)
    assert result == (b"rendered", "miss")
    db_handler.assert_awaited_once_with("k9", 9, 0)
    cache_manager.get_chunk.assert_awaited_once_with(
        track_id=9, chunk_idx=0, preset=None, intensity=1.0
    )
    cache_manager.put_chunk.assert_awaited_once_with(
        track_id=9, chunk_idx=0, data=b"rendered", preset=None, intensity=1.0
    )


def test_estimate_takes_the_seeds_argument_name() -> None:
    estimate = estimate_cache_completion_time(
        cached_chunks=35, total_chunks=50, avg_processing_time_per_chunk=0.3
    )
    assert estimate == 4.5  # 15 chunks x 0.3 s
    assert estimate_cache_completion_time(35, 50, avg_chunk_time_s=0.3) == 4.5  # the alias
    assert estimate_cache_completion_time(cached_chunks=50, total_chunks=50) is None
    with pytest.raises(MonitoringError, match="avg_chunk_time_s"):
        estimate_cache_completion_time(1, 2, avg_processing_time_per_chunk=1, avg_chunk_time_s=1)


@pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")
def test_chunk_metadata_takes_a_naive_utc_timestamp() -> None:
    now = datetime.utcnow()
    metadata = ChunkCacheMetadata(
        track_id=123, chunk_index=0, preset="adaptive", intensity=1.0,
        source=CacheSource.TIER1, timestamp=now, access_count=5,
    )  # fmt: skip
    assert metadata.timestamp.tzinfo is UTC
    assert metadata.timestamp == now.replace(tzinfo=UTC)  # taken as UTC, not local time
    assert metadata.model_dump(mode="json")["timestamp"].endswith("Z")


def test_health_response_derives_its_status_from_healthy() -> None:
    unhealthy = CacheHealthResponse(
        healthy=False, tier1_healthy=False, tier2_healthy=True, memory_healthy=False,
        **HEALTH_FIGURES,
    )  # fmt: skip
    assert unhealthy.healthy is False and unhealthy.status is HealthStatus.CRITICAL
    low_hit_rate = CacheHealthResponse(
        healthy=False, tier1_healthy=True, tier2_healthy=True, memory_healthy=True,
        **HEALTH_FIGURES,
    )  # fmt: skip
    assert low_hit_rate.status is HealthStatus.WARNING
    fine = CacheHealthResponse(healthy=True, tier1_healthy=True, tier2_healthy=True,
                               memory_healthy=True, **HEALTH_FIGURES)  # fmt: skip
    assert fine.status is HealthStatus.HEALTHY
    with pytest.raises(ValidationError, match="contradicts"):
        CacheHealthResponse(healthy=False, status="healthy", tier1_healthy=True,
                            tier2_healthy=True, memory_healthy=True, **HEALTH_FIGURES)  # fmt: skip


def test_monitor_summary_has_health_status_beside_the_tiers() -> None:
    manager = PortedCacheManager(tier1_size_mb=6.0, tier2_size_mb=200.0, hits=150, misses=10)
    monitor = CacheMonitor(manager)
    metrics = monitor.update_metrics()
    assert (metrics.tier1_size_mb, metrics.total_requests) == (6.0, 160)
    summary = monitor.get_summary()
    assert {"health_status", "tier1", "tier2", "overall"} <= set(summary)
    assert summary["health_status"] == "healthy" == summary["status"]
    assert (summary["tier1"]["size_mb"], summary["tier2"]["size_mb"]) == (6.0, 200.0)
    assert summary["tier1"]["hit_rate"] == pytest.approx(150 / 160)  # as the manager said

    manager.tier1_size_mb = 20.0  # over the seed's 15 MB limit
    monitor.update_metrics()
    assert monitor.get_summary()["health_status"] == "critical"
