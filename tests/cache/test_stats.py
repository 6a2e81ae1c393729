"""ChunkCache.stats(): a typed snapshot from counters alone, and get_stats() built from it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from masterstream.cache import ChunkCache, DiskTier, MemoryTier
from masterstream.cache.stats import CacheStatsSnapshot

from .fakes import FakeRender, FakeResolver

CHUNK_BYTES = 2000


@pytest.fixture
async def cache(tmp_path: Path) -> AsyncIterator[ChunkCache]:
    cache = ChunkCache(
        MemoryTier(100_000),
        DiskTier(tmp_path / "tier2", 1_000_000, fsync=False),
        resolver=FakeResolver({1: 6, 2: 3, 3: 4}),
        render=FakeRender(CHUNK_BYTES),
        pipeline_version="1",
    )
    yield cache
    await cache.aclose()


async def fill(cache: ChunkCache) -> None:
    """Track 1 in both tiers (chunk 2 moved down), track 2 only in tier2, track 3 only in
    tier1; some hits."""
    for index in range(3):
        await cache.get_or_render(1, index)
    await cache.get_or_render(2, 0, "warm", 0.5)
    await cache.flush()
    for key in [cache.make_key(1, 2), *cache.tier1.keys(2)]:  # down to tier2 (exclusive tiers)
        data = cache.tier1.peek(key)
        assert data is not None and cache.tier1.delete(key) and cache.tier2.put(key, data)
    await cache.get_chunk(1, 0)
    await cache.get_chunk(1, 1)
    await cache.get_chunk(1, 5)  # a miss in both tiers
    track1_key = cache.make_key(1, 0)
    cache.tier1.put(dataclasses.replace(track1_key, track_id=3, signature="sig3"), b"x" * 10)


def forbid_key_walks(cache: ChunkCache, monkeypatch: pytest.MonkeyPatch) -> None:
    def walk(*_args: object) -> list:
        raise AssertionError("a cached key was visited")

    for tier in (cache.tier1, cache.tier2):
        monkeypatch.setattr(tier, "keys", walk)


async def test_the_snapshot_counts_what_happened(cache: ChunkCache) -> None:
    await fill(cache)
    snapshot = cache.stats()
    assert isinstance(snapshot, CacheStatsSnapshot)
    tier1, tier2, overall = snapshot.tier1, snapshot.tier2, snapshot.overall
    # get_or_render x4 (misses everywhere), then hit, hit, miss on tier1 (tier2 misses once)
    assert (tier1.hits, tier1.misses, tier2.hits, tier2.misses) == (2, 5, 0, 5)
    assert (overall.total_hits, overall.total_misses, overall.requests) == (2, 5, 7)
    assert overall.overall_hit_rate == pytest.approx(2 / 7)
    assert overall.total_chunks == tier1.chunks + tier2.chunks == 3 + 2
    assert overall.total_size_bytes == tier1.size_bytes + tier2.size_bytes
    assert overall.tracks_cached == 3  # tracks 1 and 2 in tier2, track 3 only in tier1
    assert (snapshot.render.count, snapshot.render.failures) == (4, 0)
    assert snapshot.render.p50_ms <= snapshot.render.p95_ms
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.overall = overall  # type: ignore[misc]


async def test_taking_a_snapshot_visits_no_cached_key(
    cache: ChunkCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill(cache)
    forbid_key_walks(cache, monkeypatch)
    assert cache.stats().overall.total_chunks == 5
    with pytest.raises(AssertionError, match="visited"):
        cache.get_stats()  # per-track status walks the keys: only get_stats() pays for it


async def test_get_stats_is_the_snapshot_plus_tracks(cache: ChunkCache) -> None:
    await fill(cache)
    stats = cache.get_stats()
    snapshot = cache.stats()
    assert stats == snapshot.as_dict(stats["tracks"])
    assert stats["tier1"] == snapshot.tier1.as_dict()
    assert stats["overall"]["tracks_cached"] == 3
    assert sorted(stats["tracks"]) == [1, 2, 3]
    assert [stats["tracks"][t]["cached_original"] for t in (1, 2, 3)] == [3, 0, 1]
    assert stats["overall"]["overall_hit_rate"] == round(2 / 7, 4)
