"""CacheMetrics: one point-in-time snapshot of a cache manager's ``get_stats()``.

Reads the seed's shape (``tier1``/``tier2``/``overall``/``tracks``) from any manager;
figures an older manager does not publish are derived (hit rates from hits and misses,
sizes from bytes, totals from the tiers). A negative, non-numeric or NaN figure, or a
rate above 1, is rejected with :class:`~masterstream.errors.MonitoringError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..errors import MonitoringError

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
    def from_stats(cls, stats: Mapping[str, Any], timestamp: datetime) -> CacheMetrics:
        """Read a ``get_stats()`` dict of the seed's shape (missing figures derived)."""
        if not isinstance(stats, Mapping):
            raise MonitoringError(f"get_stats() must return a mapping, got {type(stats).__name__}")
        tier1, tier2 = stats.get("tier1") or {}, stats.get("tier2") or {}
        overall = stats.get("overall") or {}
        hits = _number(overall, "total_hits", _number(tier1, "hits") + _number(tier2, "hits"))
        misses = _number(overall, "total_misses", _number(tier2, "misses"))
        t1_mb, t2_mb = _size_mb(tier1), _size_mb(tier2)
        tracks = overall.get("tracks_cached", tier2.get("tracks_cached"))
        return cls(
            timestamp=timestamp,
            tier1_hit_rate=_rate(tier1, "hit_rate", tier1),
            tier2_hit_rate=_rate(tier2, "hit_rate", tier2),
            overall_hit_rate=_rate(overall, "overall_hit_rate", {"hits": hits, "misses": misses}),
            tier1_size_mb=t1_mb,
            tier2_size_mb=t2_mb,
            total_size_mb=_number(overall, "total_size_mb", t1_mb + t2_mb),
            tier1_chunks=int(_number(tier1, "chunks")),
            tier2_chunks=int(_number(tier2, "chunks")),
            tracks_cached=int(len(stats.get("tracks") or {}) if tracks is None else tracks),
            total_requests=int(hits + misses),
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["timestamp"] = self.timestamp.isoformat()
        return out


def _number(section: Mapping[str, Any], key: str, default: float = 0) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise MonitoringError(f"stats field {key!r} must be a number >= 0, got {value!r}")
    return value


def _size_mb(tier: Mapping[str, Any]) -> float:
    if "size_mb" in tier:
        return float(_number(tier, "size_mb"))
    return _number(tier, "size_bytes") / 1_000_000


def _rate(section: Mapping[str, Any], key: str, counts: Mapping[str, Any]) -> float:
    if key not in section:
        hits, misses = _number(counts, "hits"), _number(counts, "misses")
        return hits / (hits + misses) if hits + misses else 0.0
    value = _number(section, key)
    if value > 1:
        raise MonitoringError(f"stats field {key!r} must be a rate in [0, 1], got {value!r}")
    return float(value)
