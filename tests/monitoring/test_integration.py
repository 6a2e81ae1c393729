"""The real ChunkCache (memory tier + disk tier in tmp_path) driven through the seed's
endpoint helpers; the monitor's health and stats must match what happened."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from masterstream.cache import (
    ChunkCache,
    ChunkKey,
    DiskTier,
    MemoryTier,
    Priority,
    TrackCacheInfo,
)
from masterstream.errors import RenderError, TrackNotFoundError
from masterstream.monitoring import (
    CacheAwareEndpoint,
    CacheMonitor,
    CacheQueryBuilder,
    CacheStatsResponse,
    EndpointMetrics,
    HealthStatus,
    build_cache_registry,
    format_cache_stats,
)
from tests.clock import FakeClock

CHUNK_BYTES = 50_000
TRACKS = {1: 8, 2: 3}  # track id -> chunk count
BROKEN_TRACK = 2


class Resolver:
    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        if track_id not in TRACKS:
            raise TrackNotFoundError(track_id)
        return TrackCacheInfo(f"sig{track_id}", TRACKS[track_id], 10.0)


def chunk_payload(track_id: int, chunk_idx: int) -> bytes:
    return bytes([track_id, chunk_idx]) * (CHUNK_BYTES // 2)


async def render(key: ChunkKey, priority: Priority) -> bytes:
    """The cache's render function (used by ``get_or_render``)."""
    if key.track_id == BROKEN_TRACK:
        raise RenderError(f"cannot render {key}")
    return chunk_payload(key.track_id, key.chunk_index)


async def db_handler(cache_key: str, track_id: int, chunk_idx: int) -> bytes:
    """The query builder's fallback: the renderer."""
    if track_id == BROKEN_TRACK:
        raise RenderError(f"cannot render {cache_key}")
    return chunk_payload(track_id, chunk_idx)


@pytest.fixture
async def cache(tmp_path: Path) -> AsyncIterator[ChunkCache]:
    cache = ChunkCache(
        MemoryTier(1_000_000),
        DiskTier(tmp_path / "tier2", 5_000_000, fsync=False),
        resolver=Resolver(),
        render=render,
        pipeline_version="1",
    )
    yield cache
    await cache.aclose()


@pytest.fixture
def monitor(cache: ChunkCache) -> CacheMonitor:
    # Limits scaled to the test: tier1 holds 8 chunks (~0.4 MB) against a 0.3 MB limit.
    return CacheMonitor(cache, clock=FakeClock(), tier1_size_limit_mb=0.3,
                        tier2_size_limit_mb=5.0, total_size_limit_mb=5.3,
                        min_requests=10)  # fmt: skip


async def test_query_builder_through_endpoint_matches_monitor_and_stats(
    cache: ChunkCache, monitor: CacheMonitor
) -> None:
    metrics = EndpointMetrics()
    endpoint = CacheAwareEndpoint(cache, monitor, metrics, endpoint="/api/chunk")
    builder = CacheQueryBuilder(cache, db_handler)
    sources: Counter[str] = Counter()

    async def fetch(chunk_idx: int) -> None:
        envelope = await endpoint.track_request(builder.get_with_cache)(
            f"chunk_1_{chunk_idx}", 1, chunk_idx, "warm", 0.5
        )
        assert envelope["data"] == chunk_payload(1, chunk_idx)
        assert envelope["cache_hit"] == (envelope["cache_source"] != "miss")
        sources[envelope["cache_source"]] += 1

    for chunk_idx in range(8):  # cold: every chunk rendered and stored in tier1
        await fetch(chunk_idx)
    for chunk_idx in range(8):  # warm: all from memory
        await fetch(chunk_idx)
    assert sources == {"miss": 8, "tier1": 8}
    status, alerts = monitor.get_health_status()
    assert status is HealthStatus.CRITICAL
    assert {a.title for a in alerts} == {"Tier 1 size exceeded", "Cache hit rate critically low"}

    await cache.write_down()  # as on shutdown: the disk tier answers and refills memory
    for chunk_idx in range(4):
        await fetch(chunk_idx)
    assert sources == {"miss": 8, "tier1": 8, "tier2": 4}

    requests, hits = sum(sources.values()), sources["tier1"] + sources["tier2"]
    stats = cache.get_stats()
    latest = monitor.metrics_history[-1]
    assert len(monitor.metrics_history) == requests
    assert latest.total_requests == requests == stats["overall"]["requests"]
    assert latest.overall_hit_rate == pytest.approx(hits / requests, abs=1e-4)
    assert latest.tier1_chunks == 4 and latest.tier2_chunks == 4  # moved up: one tier each
    assert latest.tier1_size_mb == stats["tier1"]["size_bytes"] / 1e6 < monitor.tier1_size_limit_mb
    assert latest.tracks_cached == 1

    # 12 hits of 20 = 0.6: the size alert resolved, the hit-rate alert downgraded.
    health = monitor.get_health()
    assert (health.status, health.healthy, health.tier1_healthy) == ("warning", False, True)
    assert [a.title for a in health.alerts] == ["Cache hit rate low"]
    assert health.overall_hit_rate == pytest.approx(hits / requests, abs=1e-4)

    summary = metrics.get_summary()
    assert (summary["total_requests"], summary["cache_hits"], summary["cache_misses"]) == (
        requests, hits, sources["miss"])  # fmt: skip
    assert (summary["tier1_hits"], summary["tier2_hits"]) == (sources["tier1"], sources["tier2"])
    assert metrics.get_tier_stats()["hit_rate"] == pytest.approx(latest.overall_hit_rate, abs=1e-4)

    response = CacheStatsResponse(**format_cache_stats(stats))
    assert response.overall.total_hits == hits and response.overall.total_misses == sources["miss"]
    assert response.tracks[1].cached_processed == TRACKS[1]
    assert cache.track_status(1, "warm", 0.5)["fully_cached"] is True

    text = generate_latest(build_cache_registry(monitor=monitor, metrics=metrics)).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    scraped = {s.labels["tier"]: s.value for s in families["masterstream_cache_hits"].samples}
    assert scraped == {"tier1": sources["tier1"], "tier2": sources["tier2"]}


async def test_get_or_render_through_endpoint_and_failed_renders(
    cache: ChunkCache, monitor: CacheMonitor
) -> None:
    metrics = EndpointMetrics()
    endpoint = CacheAwareEndpoint(cache, monitor, metrics, endpoint="/api/tracks/chunks")
    render = endpoint.track_request(cache.get_or_render)
    seen = [(await render(1, idx % 3, "punchy", 1.0))["cache_source"] for idx in range(6)]
    assert seen == ["miss", "miss", "miss", "tier1", "tier1", "tier1"]
    with pytest.raises(RenderError, match="cannot render"):
        await render(BROKEN_TRACK, 0)
    builder = CacheQueryBuilder(cache, db_handler)
    with pytest.raises(RenderError):
        await endpoint.track_request(builder.get_with_cache)("k", BROKEN_TRACK, 1)

    summary = metrics.get_summary()
    assert (summary["total_requests"], summary["errors"], summary["cache_hits"]) == (8, 2, 3)
    stats = cache.get_stats()
    assert stats["render"]["count"] == 3 and stats["render"]["failures"] == 1
    assert BROKEN_TRACK not in stats["tracks"]  # a failed render caches nothing
    latest = monitor.metrics_history[-1]  # updated after each successful request only
    assert len(monitor.metrics_history) == 6
    assert latest.total_requests == 6 and latest.overall_hit_rate == pytest.approx(0.5)
