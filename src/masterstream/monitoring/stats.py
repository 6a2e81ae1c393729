"""The seed's stats helpers: hit probability, stats formatting, completion time, envelopes.

``format_cache_stats`` reads the ``get_stats()`` dict of any cache manager of the seed's
shape — ``tier1``/``tier2``/``overall``/``tracks`` — whether it is masterstream's
``ChunkCache`` (extra counters, ``tracks_cached`` in ``overall``, a ``render`` section)
or an older manager (``tracks_cached`` in ``tier2``, fields missing), through the one
parser of :mod:`.figures` (which derives what is missing and rejects what cannot be).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import MonitoringError
from .figures import Stats, TierFigures, cache_figures
from .schemas import CacheSource
from .source import StatsSnapshot

DEFAULT_CHUNK_TIME_S = 0.3

SOURCE_MESSAGES = {
    CacheSource.TIER1: "Served from the tier 1 (memory) cache",
    CacheSource.TIER2: "Served from the tier 2 (disk) cache",
    CacheSource.SHARED: "Served from the shared (Redis) tier, rendered by any server",
    CacheSource.MISS: "Cache miss: rendered on demand",
}


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MonitoringError(f"{name} must be a non-negative int, got {value!r}")
    return value


def calculate_cache_hit_probability(
    total_hits: int, total_misses: int, minimum_requests: int = 10
) -> float:
    """``hits / (hits + misses)``, or 0.0 while fewer than ``minimum_requests`` were made."""
    hits = _count("total_hits", total_hits)
    misses = _count("total_misses", total_misses)
    minimum = _count("minimum_requests", minimum_requests)
    total = hits + misses
    if total == 0 or total < minimum:
        return 0.0
    return hits / total


def measured_chunk_time_s(stats: Stats) -> float | None:
    """The cache's measured mean render time per chunk in seconds, None if not measured."""
    return _mean_render_s(cache_figures(stats).render)


def _mean_render_s(render: Mapping[str, float] | None) -> float | None:
    if not render or not render.get("count"):
        return None
    avg_ms = render.get("avg_ms")
    return avg_ms / 1000.0 if avg_ms else None


def estimate_cache_completion_time(
    cached_chunks: int,
    total_chunks: int,
    avg_processing_time_per_chunk: float | None = None,
    *,
    avg_chunk_time_s: float | None = None,
) -> float | None:
    """Seconds to cache the remaining chunks; None when nothing remains.

    The time per chunk (seconds; ``avg_chunk_time_s`` is an alias) defaults to 0.3 s;
    pass ``measured_chunk_time_s(cache.get_stats())`` (``format_cache_stats`` does) to use
    the cache's measured render time.
    """
    cached = _count("cached_chunks", cached_chunks)
    total = _count("total_chunks", total_chunks)
    per_chunk = avg_processing_time_per_chunk
    if avg_chunk_time_s is not None:
        if per_chunk is not None:
            raise MonitoringError("give avg_processing_time_per_chunk or avg_chunk_time_s")
        per_chunk = avg_chunk_time_s
    if per_chunk is None:
        per_chunk = DEFAULT_CHUNK_TIME_S
    if not _finite_non_negative(per_chunk):
        raise MonitoringError(
            f"avg_processing_time_per_chunk must be a finite number >= 0, got {per_chunk!r}"
        )
    remaining = total - cached
    if remaining <= 0:
        return None
    return round(remaining * float(per_chunk), 3)


def _published(stats: Stats) -> tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]:
    """The tier1, tier2 and overall sections as the cache published them (with extras)."""
    if isinstance(stats, Mapping):
        return stats.get("tier1") or {}, stats.get("tier2") or {}, stats.get("overall") or {}
    if isinstance(stats, StatsSnapshot):
        return stats.tier1.as_dict(), stats.tier2.as_dict(), stats.overall.as_dict()
    return {}, {}, {}


def _format_tier(tier: TierFigures, published: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in published.items() if k not in ("name", "tier_name")}
    out.update(
        tier_name=tier.name,
        chunks=tier.chunks,
        size_mb=round(tier.size_mb, 2),
        hits=tier.hits,
        misses=tier.misses,
        hit_rate=round(tier.hit_rate, 3),
    )
    return out


def _format_track(track: Mapping[str, Any], avg_chunk_time_s: float | None) -> dict[str, Any]:
    out = dict(track)
    if "estimated_cache_time_seconds" not in out:
        try:
            out["estimated_cache_time_seconds"] = estimate_cache_completion_time(
                track["cached_processed"], track["total_chunks"], avg_chunk_time_s
            )
        except (KeyError, MonitoringError):
            out["estimated_cache_time_seconds"] = None
    return out


def format_cache_stats(stats: Stats) -> dict[str, Any]:
    """A cache's stats in the ``CacheStatsResponse`` shape: a ``get_stats()`` dict, or a
    typed ``stats()`` snapshot (which has no per-track ``tracks``).

    Sizes are rounded to 2 decimals and rates to 3; ``tracks_cached`` is taken from
    ``overall``, else from ``tier2`` (older managers), else counted from ``tracks``.
    """
    figures = cache_figures(stats)
    overall = figures.overall
    tracks_in = stats.get("tracks") or {} if isinstance(stats, Mapping) else {}
    tier1_in, tier2_in, overall_in = _published(stats)
    formatted_overall = dict(overall_in)
    formatted_overall.update(
        total_chunks=overall.total_chunks,
        total_size_mb=round(overall.total_size_mb, 2),
        total_hits=overall.total_hits,
        total_misses=overall.total_misses,
        overall_hit_rate=round(overall.overall_hit_rate, 3),
        tracks_cached=overall.tracks_cached,
    )
    avg_s = _mean_render_s(figures.render)
    out: dict[str, Any] = {
        "tier1": _format_tier(figures.tier1, tier1_in),
        "tier2": _format_tier(figures.tier2, tier2_in),
        "overall": formatted_overall,
        "tracks": {tid: _format_track(t, avg_s) for tid, t in tracks_in.items()},
        "timestamp": datetime.now(UTC).isoformat(),
    }
    if figures.render is not None:
        out["render"] = dict(figures.render)
    if figures.shared is not None:
        shared_in = stats.get("shared") or {} if isinstance(stats, Mapping) else {}
        out["shared"] = _format_tier(figures.shared, shared_in)
    if isinstance(stats, Mapping) and isinstance(stats.get("cluster"), Mapping):
        out["cluster"] = dict(stats["cluster"])
    return out


def _finite_non_negative(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def check_processing_time_ms(value: object) -> float:
    """``value`` as a float, or :class:`MonitoringError` unless it is a finite number >= 0."""
    if not _finite_non_negative(value):
        raise MonitoringError(f"processing_time_ms must be a finite number >= 0, got {value!r}")
    return float(value)


def create_cache_aware_response(
    data: Any,
    cache_source: str = "miss",
    processing_time_ms: float = 0.0,
    message: str | None = None,
) -> dict[str, Any]:
    """The seed's envelope: ``status``, ``data``, ``cache_source``, ``cache_hit``,
    ``processing_time_ms``, ``message`` (a sentence naming the source by default),
    ``timestamp`` (ISO 8601, UTC)."""
    try:
        source = CacheSource(cache_source)
    except ValueError:
        valid = ", ".join(s.value for s in CacheSource)
        raise MonitoringError(f"unknown cache source {cache_source!r}; valid: {valid}") from None
    processing_time_ms = check_processing_time_ms(processing_time_ms)
    return {
        "status": "success",
        "data": data,
        "cache_source": source.value,
        "cache_hit": source.is_hit,
        "processing_time_ms": float(processing_time_ms),
        "message": SOURCE_MESSAGES[source] if message is None else message,
        "timestamp": datetime.now(UTC).isoformat(),
    }
