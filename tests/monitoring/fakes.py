"""Test double: a cache manager whose ``get_stats()`` returns the seed's shape.

The seed says the monitor reads any object with ``get_stats()``; this one lets a test
dial in sizes and hit rates directly. The real ``ChunkCache`` is used in
``test_integration.py``.
"""

from __future__ import annotations

from typing import Any


class FakeCacheManager:
    """``get_stats()`` in the seed's shape, built from a few adjustable figures."""

    def __init__(self, **figures: Any) -> None:
        self.tier1_size_mb = 1.0
        self.tier2_size_mb = 10.0
        self.tier1_chunks = 2
        self.tier2_chunks = 20
        self.tier1_hits = 0
        self.tier2_hits = 0
        self.misses = 0  # requests that missed both tiers
        self.tracks_cached = 1
        self.legacy = False  # older managers: tracks_cached in tier2, no extra fields
        self.calls = 0
        self.set(**figures)

    def set(self, **figures: Any) -> FakeCacheManager:
        for name, value in figures.items():
            if not hasattr(self, name):
                raise AttributeError(name)
            setattr(self, name, value)
        return self

    def set_hit_rate(self, rate: float, requests: int) -> FakeCacheManager:
        """Counters for ``requests`` lookups of which a share ``rate`` hit tier1."""
        hits = round(rate * requests)
        return self.set(tier1_hits=hits, tier2_hits=0, misses=requests - hits)

    def get_stats(self) -> dict[str, Any]:
        self.calls += 1
        t1_misses = self.tier2_hits + self.misses
        t1_lookups = self.tier1_hits + t1_misses
        t2_lookups = self.tier2_hits + self.misses
        hits = self.tier1_hits + self.tier2_hits
        requests = hits + self.misses
        tier1 = {"chunks": self.tier1_chunks, "size_mb": self.tier1_size_mb,
                 "hits": self.tier1_hits, "misses": t1_misses,
                 "hit_rate": self.tier1_hits / t1_lookups if t1_lookups else 0.0}  # fmt: skip
        tier2 = {"chunks": self.tier2_chunks, "size_mb": self.tier2_size_mb,
                 "hits": self.tier2_hits, "misses": self.misses,
                 "hit_rate": self.tier2_hits / t2_lookups if t2_lookups else 0.0}  # fmt: skip
        overall = {"total_chunks": self.tier1_chunks + self.tier2_chunks,
                   "total_size_mb": self.tier1_size_mb + self.tier2_size_mb,
                   "total_hits": hits, "total_misses": self.misses,
                   "overall_hit_rate": hits / requests if requests else 0.0}  # fmt: skip
        if self.legacy:
            tier2["tracks_cached"] = self.tracks_cached
        else:
            overall["tracks_cached"] = self.tracks_cached
            for tier, capacity_mb in ((tier1, 12), (tier2, 240)):
                tier["size_bytes"] = round(tier["size_mb"] * 1_000_000)
                tier["capacity_bytes"] = capacity_mb * 1_000_000
                tier.update(inserts=tier["chunks"], evictions=0, evicted_bytes=0, corrupt_reads=0)
        tracks = {
            7: {"track_id": 7, "total_chunks": 10, "cached_original": 0, "cached_processed": 4,
                "completion_percent": 40.0, "fully_cached": False,
                "estimated_cache_time_seconds": 1.8},
        }  # fmt: skip
        return {"tier1": tier1, "tier2": tier2, "overall": overall, "tracks": tracks}


class AsyncStatsManager(FakeCacheManager):
    """A manager whose ``get_stats`` is a coroutine function."""

    async def get_stats(self) -> dict[str, Any]:  # type: ignore[override]
        return super().get_stats()
