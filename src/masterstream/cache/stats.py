"""The cache's typed statistics snapshot, and the seed's ``get_stats()`` dict built from it.

``ChunkCache.stats()`` returns a :class:`CacheStatsSnapshot`: each tier's
:class:`~.tier.TierStats` counters, the totals over both tiers, the render counters and
the warmer's figures. Taking one reads counters only and visits no cached key, so
monitoring can take one per request or per scrape. Per-track status is the part that
walks keys; it exists only in ``get_stats()["tracks"]``.

Overall rates, all from counts: ``total_hits = tier1 hits + tier2 hits``; a request that
misses tier1 is looked up in tier2, so ``total_misses = tier2 misses`` and
``overall_hit_rate = total_hits / (total_hits + total_misses)``. With a shared (Redis) tier
a tier2 miss is looked up there: its hits join ``total_hits`` and ``total_misses`` becomes
the shared tier's misses. The shared tier's chunks and bytes are the whole cluster's and
are not added to this server's totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from .tier import MB, TierStats

if TYPE_CHECKING:
    from .render_stats import RenderStats
    from .shared_cluster import SharedCluster
    from .tier import Tier


@dataclass(frozen=True, slots=True)
class OverallStats:
    """Totals over the tiers (the shared tier's hits and misses included when present)."""

    total_chunks: int
    total_size_bytes: int
    total_hits: int
    total_misses: int
    requests: int
    tracks_cached: int

    @classmethod
    def of(
        cls, tier1: TierStats, tier2: TierStats, *, requests: int, tracks_cached: int,
        shared: TierStats | None = None,
    ) -> OverallStats:  # fmt: skip
        last = tier2 if shared is None else shared
        return cls(
            total_chunks=tier1.chunks + tier2.chunks,
            total_size_bytes=tier1.size_bytes + tier2.size_bytes,
            total_hits=tier1.hits + tier2.hits + (0 if shared is None else shared.hits),
            total_misses=last.misses,
            requests=requests,
            tracks_cached=tracks_cached,
        )

    @property
    def total_size_mb(self) -> float:
        return self.total_size_bytes / MB

    @property
    def overall_hit_rate(self) -> float:
        lookups = self.total_hits + self.total_misses
        return self.total_hits / lookups if lookups else 0.0

    def as_dict(self) -> dict[str, object]:
        """The seed's ``overall`` section (``total_size_mb`` and ``overall_hit_rate`` added)."""
        return {
            "total_chunks": self.total_chunks,
            "total_size_mb": round(self.total_size_mb, 3),
            "total_size_bytes": self.total_size_bytes,
            "total_hits": self.total_hits,
            "total_misses": self.total_misses,
            "overall_hit_rate": round(self.overall_hit_rate, 4),
            "requests": self.requests,
            "tracks_cached": self.tracks_cached,
        }


@dataclass(frozen=True, slots=True)
class RenderSnapshot:
    """Render counters and times (milliseconds), and the renders running or awaited now."""

    count: int
    failures: int
    total_ms: float
    avg_ms: float
    p50_ms: float
    p95_ms: float
    coalesced_waiters: int
    in_flight: int
    ondemand_waiting: int

    @classmethod
    def of(
        cls, render: RenderStats, *, coalesced_waiters: int, in_flight: int, ondemand_waiting: int
    ) -> RenderSnapshot:
        mean_s = render.mean_s
        return cls(
            count=render.count,
            failures=render.failures,
            total_ms=render.total_ms,
            avg_ms=0.0 if mean_s is None else mean_s * 1000.0,
            p50_ms=render.percentile_ms(0.50),
            p95_ms=render.percentile_ms(0.95),
            coalesced_waiters=coalesced_waiters,
            in_flight=in_flight,
            ondemand_waiting=ondemand_waiting,
        )

    def as_dict(self) -> dict[str, float | int]:
        """The seed's ``render`` section (times rounded to the microsecond)."""
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class CacheStatsSnapshot:
    """One reading of every cache counter; cheap to take (no cached key is visited)."""

    tier1: TierStats
    tier2: TierStats
    overall: OverallStats
    render: RenderSnapshot
    warmer: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    shared: TierStats | None = None
    """The shared (Redis) tier, when this server shares one with others."""
    cluster: Mapping[str, object] | None = None
    """This server's id and its link to the shared tier (when there is one)."""

    @classmethod
    def of(
        cls, tier1: Tier, tier2: Tier, *, requests: int, render: RenderSnapshot,
        warmer: Mapping[str, object], shared: SharedCluster | None,
    ) -> CacheStatsSnapshot:  # fmt: skip
        """A reading of both tiers' counters (and the shared tier's, when there is one)."""
        stats1, stats2 = tier1.stats(), tier2.stats()
        shared_stats = None if shared is None else shared.tier.stats()
        tracks_cached = len({*tier1.track_ids(), *tier2.track_ids()})
        return cls(
            tier1=stats1,
            tier2=stats2,
            overall=OverallStats.of(
                stats1, stats2, requests=requests, tracks_cached=tracks_cached, shared=shared_stats
            ),
            render=render,
            warmer=MappingProxyType(dict(warmer)),
            shared=shared_stats,
            cluster=None if shared is None else MappingProxyType(shared.status()),
        )

    def as_dict(self, tracks: Mapping[int, Mapping[str, object]]) -> dict[str, object]:
        """The seed's ``get_stats()`` shape, with ``tracks`` (per-track status) supplied."""
        out: dict[str, object] = {
            "tier1": self.tier1.as_dict(),
            "tier2": self.tier2.as_dict(),
            "overall": self.overall.as_dict(),
            "tracks": dict(tracks),
            "render": self.render.as_dict(),
            "warmer": dict(self.warmer),
        }
        if self.shared is not None:
            out["shared"] = self.shared.as_dict()
        if self.cluster is not None:
            out["cluster"] = dict(self.cluster)
        return out
