"""The cache's retention time: its capacity over the bytes it evicts per second."""

from __future__ import annotations

import math

import pytest

from masterstream.cache import ChunkCache, MemoryTier
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES
from masterstream.cache.retention import RetentionMeter

from .fakes import FakeRender, FakeResolver, SimClock


class Counter:
    def __init__(self) -> None:
        self.now_s = 0.0
        self.evicted = 0

    def clock(self) -> float:
        return self.now_s


def test_nothing_evicted_is_infinite_then_capacity_over_the_eviction_rate() -> None:
    c = Counter()
    meter = RetentionMeter(1_000_000, lambda: c.evicted, clock=c.clock, window_s=30.0)
    assert meter.retention_s() == math.inf
    for _ in range(10):  # 20 kB/s evicted
        c.now_s += 1.0
        c.evicted += 20_000
        meter.retention_s()
    assert meter.retention_s() == pytest.approx(50.0)  # 1 MB / 20 kB/s


def test_the_rate_is_the_recent_one_and_samples_stay_bounded() -> None:
    c = Counter()
    meter = RetentionMeter(1_000_000, lambda: c.evicted, clock=c.clock, window_s=30.0)
    for second in range(300):  # 100 kB/s for two minutes, then 10 kB/s for three
        c.now_s = float(second)
        c.evicted += 100_000 if second < 120 else 10_000
        meter.retention_s()
    assert meter.retention_s() == pytest.approx(100.0)  # 1 MB / 10 kB/s: the past is gone
    assert len(meter._samples) <= 32
    c.now_s += 0.5  # asked again within a second: no new sample, the same answer
    c.evicted += 1_000_000
    assert meter.retention_s() == pytest.approx(100.0)


def test_validation() -> None:
    with pytest.raises(ValueError, match="positive"):
        RetentionMeter(0, lambda: 0, clock=lambda: 0.0)


async def test_the_cache_reports_the_retention_of_its_two_tiers() -> None:
    """Renders that overflow the cache evict as many bytes as they bring: a cache of 8
    chunks taking one new chunk a second keeps an untouched chunk about 8 s."""
    clock = SimClock()
    chunk_bytes = 10_000
    entry = chunk_bytes + ENTRY_OVERHEAD_BYTES
    tier1, tier2 = MemoryTier(2 * entry), MemoryTier(6 * entry, name="tier2")
    resolver = FakeResolver({1: 400}, 10.0)
    cache = ChunkCache(tier1, tier2, resolver=resolver, render=FakeRender(chunk_bytes),
                       pipeline_version="1", clock=clock)  # fmt: skip
    try:
        assert cache.retention_s() == math.inf
        for index in range(60):
            await cache.get_or_render(1, index, "warm", 1.0)
            await cache.tiers.writes.flush()
            await clock.advance(1.0)
            cache.retention_s()
        assert cache.retention_s() == pytest.approx(8.0, rel=0.1)
    finally:
        await cache.aclose()
