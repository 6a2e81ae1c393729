"""CacheMetrics: one point-in-time snapshot of a cache's figures.

Built from :class:`~.figures.CacheFigures`, which :func:`~.figures.cache_figures` reads
from a cache's typed ``stats()`` snapshot or from a seed-shaped ``get_stats()`` dict (and
rejects impossible figures with :class:`~masterstream.errors.MonitoringError`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from .figures import Stats, cache_figures

SIZE_METRICS = ("tier1_size_mb", "tier2_size_mb", "total_size_mb")
HIT_RATE_METRICS = ("overall_hit_rate", "tier1_hit_rate", "tier2_hit_rate")
COUNT_METRICS = ("tier1_chunks", "tier2_chunks", "tracks_cached", "total_requests")
METRICS = (*HIT_RATE_METRICS, *SIZE_METRICS, *COUNT_METRICS)


@dataclass(frozen=True, slots=True)
class CacheMetrics:
    """One point-in-time snapshot of the cache."""

    timestamp: datetime
    tier1_hit_rate: float
    tier2_hit_rate: float
    overall_hit_rate: float
    tier1_size_mb: float
    tier2_size_mb: float
    total_size_mb: float
    tier1_chunks: int
    tier2_chunks: int
    tracks_cached: int
    total_requests: int

    @classmethod
    def from_stats(
        cls,
        stats: Stats,
        timestamp: datetime,
    ) -> CacheMetrics:
        """A snapshot of a typed ``stats()`` or a seed-shaped ``get_stats()`` dict."""
        figures = cache_figures(stats)
        tier1, tier2, overall = figures.tier1, figures.tier2, figures.overall
        return cls(
            timestamp=timestamp,
            tier1_hit_rate=tier1.hit_rate,
            tier2_hit_rate=tier2.hit_rate,
            overall_hit_rate=overall.overall_hit_rate,
            tier1_size_mb=tier1.size_mb,
            tier2_size_mb=tier2.size_mb,
            total_size_mb=overall.total_size_mb,
            tier1_chunks=tier1.chunks,
            tier2_chunks=tier2.chunks,
            tracks_cached=overall.tracks_cached,
            total_requests=overall.total_requests,
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["timestamp"] = self.timestamp.isoformat()
        return out
