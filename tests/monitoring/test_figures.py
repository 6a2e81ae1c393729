"""The one stats parser: a real cache's typed snapshot and its seed dict read alike;
seed-shaped dicts are completed or rejected; the typed snapshot is preferred."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from masterstream.cache import ChunkCache, DiskTier, MemoryTier, TrackCacheInfo
from masterstream.errors import MonitoringError
from masterstream.monitoring import (
    CacheMonitor,
    CacheStatsResponse,
    build_cache_registry,
    cache_figures,
    format_cache_stats,
    measured_chunk_time_s,
    read_figures,
)

from .fakes import FakeCacheManager


class Resolver:
    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        return TrackCacheInfo(f"sig{track_id}", 10, 10.0)


async def render(key, priority) -> bytes:
    return bytes([key.chunk_index]) * 12_345


@pytest.fixture
async def cache(tmp_path: Path) -> AsyncIterator[ChunkCache]:
    cache = ChunkCache(MemoryTier(50_000), DiskTier(tmp_path / "t2", 1_000_000, fsync=False),
                       resolver=Resolver(), render=render, pipeline_version="1")  # fmt: skip
    for track_id, index in [(1, 0), (1, 1), (2, 0), (1, 0), (3, 4), (1, 1), (2, 5)]:
        await cache.get_or_render(track_id, index)
    await cache.flush()
    yield cache
    await cache.aclose()


async def test_snapshot_and_seed_dict_of_one_cache_give_the_same_figures(cache) -> None:
    typed, parsed = cache_figures(cache.stats()), cache_figures(cache.get_stats())
    for name in ("tier1", "tier2"):
        a, b = getattr(typed, name), getattr(parsed, name)
        assert (a.name, a.chunks, a.hits, a.misses) == (b.name, b.chunks, b.hits, b.misses)
        assert (a.capacity_bytes, a.inserts, a.evictions) == (b.capacity_bytes, b.inserts,
                                                             b.evictions)  # fmt: skip
        assert a.size_mb == pytest.approx(b.size_mb, abs=1e-3)  # the dict rounds to 1 kB
        assert a.hit_rate == pytest.approx(b.hit_rate, abs=1e-4)
    assert typed.tier1.evictions > 0  # tier1 cannot hold all 5 chunks: real figures
    assert typed.overall.total_requests == parsed.overall.total_requests == 7
    assert typed.overall.tracks_cached == parsed.overall.tracks_cached == 3
    assert typed.overall.overall_hit_rate == pytest.approx(2 / 7)
    assert dict(typed.render) == dict(parsed.render)
    assert measured_chunk_time_s(cache.stats()) == measured_chunk_time_s(cache.get_stats())


async def test_monitor_and_scrape_read_the_snapshot_and_visit_no_key(cache, monkeypatch) -> None:
    def walk(*_args: object) -> None:
        raise AssertionError("a cached key was visited")

    monkeypatch.setattr(cache, "get_stats", lambda: pytest.fail("get_stats() was called"))
    for tier in (cache.tier1, cache.tier2):
        monkeypatch.setattr(tier, "keys", walk)
    assert read_figures(cache).tier2.chunks == 2  # 5 chunks: 3 in tier1, tier1's victims here
    monitor = CacheMonitor(cache)
    assert monitor.update_metrics().tier2_chunks == 2
    registry = build_cache_registry(cache=cache, monitor=monitor)
    assert registry.get_sample_value("masterstream_cache_chunks", {"tier": "tier2"}) == 2
    assert registry.get_sample_value("masterstream_cache_tracks_cached") == 3
    formatted = CacheStatsResponse(**format_cache_stats(cache.stats()))
    assert formatted.tracks == {} and formatted.overall.tracks_cached == 3
    assert formatted.tier1.model_dump()["capacity_bytes"] == 50_000


def test_a_seed_manager_is_read_through_get_stats() -> None:
    manager = FakeCacheManager(tier1_chunks=3).set_hit_rate(0.5, 10)
    figures = read_figures(manager)
    assert manager.calls == 1 and figures.tier1.chunks == 3
    assert figures.overall.total_requests == 10 and figures.overall.overall_hit_rate == 0.5
    with pytest.raises(MonitoringError, match="neither stats"):
        read_figures(object())


def test_missing_figures_are_derived() -> None:
    figures = cache_figures({"tier1": {"chunks": 2, "size_bytes": 1_500_000, "hits": 3,
                                       "misses": 1},
                             "tier2": {"size_mb": 4.0, "hits": 1, "misses": 0},
                             "tracks": {"7": {}, "8": {}}})  # fmt: skip
    assert (figures.tier1.size_mb, figures.tier2.size_bytes) == (1.5, 4_000_000)
    assert (figures.tier1.hit_rate, figures.tier2.hit_rate) == (0.75, 1.0)
    assert figures.tier1.capacity_bytes is None and figures.render is None
    overall = figures.overall
    assert (overall.total_hits, overall.total_misses, overall.total_chunks) == (4, 0, 2)
    assert overall.total_size_mb == 5.5 and overall.tracks_cached == 2  # counted from tracks


@pytest.mark.parametrize(
    ("stats", "field"),
    [
        ({"tier1": {"hits": -1}}, "hits"),
        ({"tier1": {"chunks": True}}, "chunks"),
        ({"tier2": {"misses": 2.5}}, "misses"),
        ({"tier1": {"size_mb": float("nan")}}, "size_mb"),
        ({"overall": {"overall_hit_rate": 1.2}}, "overall_hit_rate"),
        ({"tier2": {"hit_rate": "high"}}, "hit_rate"),
        ({"overall": [1, 2]}, "overall"),
        ({"render": {"count": -3}}, "count"),
    ],
)
def test_impossible_figures_are_rejected(stats: dict, field: str) -> None:
    with pytest.raises(MonitoringError, match=field):
        cache_figures(stats)
