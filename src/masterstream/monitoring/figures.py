"""What monitoring knows about a cache, read from either stats shape by one parser.

A cache publishes its figures in one of two shapes (see :mod:`.source`): a typed
:class:`~.source.StatsSnapshot` from ``stats()`` (``ChunkCache``; taking one visits no
cached key), or the seed's ``get_stats()`` dict, which older managers and test doubles
return with fields missing. :func:`cache_figures` turns either
into :class:`CacheFigures`, and every reader in monitoring (``CacheMetrics``,
``format_cache_stats``, Prometheus) reads that. From a dict, missing figures are derived
(hit rates from hits and misses, sizes from bytes, totals from the tiers, ``tracks_cached``
from ``overall``, else ``tier2``, else the ``tracks`` mapping); a count that is not a
non-negative int, a size or time that is negative, non-numeric or NaN, or a rate outside
[0, 1] raises :class:`~masterstream.errors.MonitoringError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..errors import MonitoringError
from .source import SnapshotSource, StatsSnapshot, StatsSource, TierCounters

MB = 1_000_000
OPTIONAL_TIER_COUNTS = (
    "capacity_bytes", "inserts", "evictions", "evicted_bytes", "corrupt_reads", "write_errors",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TierFigures:
    """One tier as monitoring sees it; optional counters are None when not published."""

    name: str
    chunks: int
    size_mb: float
    size_bytes: float
    hits: int
    misses: int
    hit_rate: float
    capacity_bytes: int | None = None
    inserts: int | None = None
    evictions: int | None = None
    evicted_bytes: int | None = None
    corrupt_reads: int | None = None
    write_errors: int | None = None
    degraded: bool | None = None
    """True while the tier stores nothing (failing writes, or Redis unreachable)."""


@dataclass(frozen=True, slots=True)
class OverallFigures:
    """Totals over the tiers."""

    total_chunks: int
    total_size_mb: float
    total_hits: int
    total_misses: int
    overall_hit_rate: float
    tracks_cached: int

    @property
    def total_requests(self) -> int:
        return self.total_hits + self.total_misses


@dataclass(frozen=True, slots=True)
class CacheFigures:
    """A cache's tiers, totals and render counters (None when it publishes none); the
    shared (Redis) tier and this server's id when the cache shares a tier with others."""

    tier1: TierFigures
    tier2: TierFigures
    overall: OverallFigures
    render: Mapping[str, float] | None = None
    shared: TierFigures | None = None
    server_id: str | None = None


Stats = CacheFigures | StatsSnapshot | Mapping[str, Any]
"""What :func:`cache_figures` reads."""


def read_figures(source: object) -> CacheFigures:
    """The figures of a cache: its typed ``stats()`` when it has one, else ``get_stats()``."""
    if isinstance(source, SnapshotSource):
        snapshot = source.stats()
        if isinstance(snapshot, StatsSnapshot):
            return from_snapshot(snapshot)
    if not isinstance(source, StatsSource):
        raise MonitoringError(f"{type(source).__name__} has neither stats() nor get_stats()")
    return cache_figures(source.get_stats())


def cache_figures(stats: Stats) -> CacheFigures:
    """The one parser: a typed snapshot, or a ``get_stats()`` dict of the seed's shape."""
    if isinstance(stats, CacheFigures):
        return stats
    if isinstance(stats, Mapping):
        return _from_mapping(stats)
    if isinstance(stats, StatsSnapshot):
        return from_snapshot(stats)
    raise MonitoringError(f"cache stats must be a mapping, got {type(stats).__name__}")


def _from_mapping(stats: Mapping[str, Any]) -> CacheFigures:
    tier1 = _tier("tier1", _section(stats, "tier1"))
    tier2 = _tier("tier2", _section(stats, "tier2"))
    overall = _section(stats, "overall")
    hits = _count(overall, "total_hits", tier1.hits + tier2.hits)
    misses = _count(overall, "total_misses", tier2.misses)
    tracks = overall.get("tracks_cached", _section(stats, "tier2").get("tracks_cached"))
    if tracks is None:
        tracks = len(_section(stats, "tracks"))
    return CacheFigures(
        tier1=tier1,
        tier2=tier2,
        overall=OverallFigures(
            total_chunks=_count(overall, "total_chunks", tier1.chunks + tier2.chunks),
            total_size_mb=_size(overall, "total_size_mb", tier1.size_mb + tier2.size_mb),
            total_hits=hits,
            total_misses=misses,
            overall_hit_rate=_rate(overall, "overall_hit_rate", hits, misses),
            tracks_cached=_count({"tracks_cached": tracks}, "tracks_cached"),
        ),
        render=_render(stats.get("render")),
        shared=_tier("shared", stats["shared"]) if stats.get("shared") is not None else None,
        server_id=_server_id(stats.get("cluster")),
    )


def from_snapshot(snapshot: StatsSnapshot) -> CacheFigures:
    """The figures of a typed snapshot (exact counters; nothing to derive or check)."""
    overall = snapshot.overall
    hits, misses = overall.total_hits, overall.total_misses
    return CacheFigures(
        tier1=_tier_of(snapshot.tier1),
        tier2=_tier_of(snapshot.tier2),
        overall=OverallFigures(
            total_chunks=overall.total_chunks,
            total_size_mb=overall.total_size_bytes / MB,
            total_hits=hits,
            total_misses=misses,
            overall_hit_rate=hits / (hits + misses) if hits + misses else 0.0,
            tracks_cached=overall.tracks_cached,
        ),
        render=MappingProxyType(snapshot.render.as_dict()),
        shared=None if (shared := getattr(snapshot, "shared", None)) is None else _tier_of(shared),
        server_id=_server_id(getattr(snapshot, "cluster", None)),
    )


def _server_id(cluster: object) -> str | None:
    if not isinstance(cluster, Mapping):
        return None
    value = cluster.get("server_id")
    return value if isinstance(value, str) else None


def _tier_of(tier: TierCounters) -> TierFigures:
    return TierFigures(
        name=tier.name,
        chunks=tier.chunks,
        size_mb=tier.size_bytes / MB,
        size_bytes=tier.size_bytes,
        hits=tier.hits,
        misses=tier.misses,
        hit_rate=tier.hit_rate,
        capacity_bytes=tier.capacity_bytes,
        inserts=tier.inserts,
        evictions=tier.evictions,
        evicted_bytes=tier.evicted_bytes,
        corrupt_reads=tier.corrupt_reads,
        write_errors=getattr(tier, "write_errors", None),
        degraded=getattr(tier, "degraded", None),
    )


def _section(stats: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = stats.get(name)
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise MonitoringError(f"stats section {name!r} must be a mapping, got {section!r}")
    return section


def _tier(default_name: str, tier: Mapping[str, Any]) -> TierFigures:
    if "size_mb" in tier:
        size_mb = _size(tier, "size_mb")
        size_bytes = _size(tier, "size_bytes", size_mb * MB)
    else:
        size_bytes = _size(tier, "size_bytes")
        size_mb = size_bytes / MB
    hits, misses = _count(tier, "hits"), _count(tier, "misses")
    optional = {name: _count(tier, name) for name in OPTIONAL_TIER_COUNTS if name in tier}
    return TierFigures(
        name=str(tier.get("tier_name") or tier.get("name") or default_name),
        chunks=_count(tier, "chunks"),
        size_mb=size_mb,
        size_bytes=size_bytes,
        hits=hits,
        misses=misses,
        hit_rate=_rate(tier, "hit_rate", hits, misses),
        degraded=bool(tier["degraded"]) if "degraded" in tier else None,
        **optional,
    )


def _render(render: object) -> Mapping[str, float] | None:
    if render is None:
        return None
    if not isinstance(render, Mapping):
        raise MonitoringError(f"stats section 'render' must be a mapping, got {render!r}")
    numbers = {k: v for k, v in render.items() if _is_number(v)}
    return MappingProxyType({k: _size(numbers, k) for k in numbers})


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(section: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MonitoringError(f"stats field {key!r} must be a non-negative int, got {value!r}")
    return value


def _size(section: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    value = section.get(key, default)
    if not _is_number(value) or not math.isfinite(value) or value < 0:
        raise MonitoringError(f"stats field {key!r} must be a finite number >= 0, got {value!r}")
    return value


def _rate(section: Mapping[str, Any], key: str, hits: int, misses: int) -> float:
    if key not in section:
        return hits / (hits + misses) if hits + misses else 0.0
    value = _size(section, key)
    if value > 1:
        raise MonitoringError(f"stats field {key!r} must be a rate in [0, 1], got {value!r}")
    return float(value)
