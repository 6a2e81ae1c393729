"""The seed's stats helpers: hit probability, stats formatting, completion time, envelopes.

``format_cache_stats`` reads the ``get_stats()`` dict of any cache manager of the seed's
shape — ``tier1``/``tier2``/``overall``/``tracks`` — whether it is masterstream's
``ChunkCache`` (extra counters, ``tracks_cached`` in ``overall``, a ``render`` section)
or an older manager (``tracks_cached`` in ``tier2``, fields missing). Missing figures
are derived where possible (hit rate from hits and misses, totals from the tiers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import MonitoringError
from .schemas import CacheSource

DEFAULT_CHUNK_TIME_S = 0.3
MB = 1_000_000

SOURCE_MESSAGES = {
    CacheSource.TIER1: "Served from the tier 1 (memory) cache",
    CacheSource.TIER2: "Served from the tier 2 (disk) cache",
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


def measured_chunk_time_s(stats: Mapping[str, Any]) -> float | None:
    """The cache's measured mean render time per chunk in seconds, None if not measured."""
    render = stats.get("render")
    if not isinstance(render, Mapping) or not render.get("count"):
        return None
    avg_ms = render.get("avg_ms")
    if not isinstance(avg_ms, int | float) or not math.isfinite(avg_ms) or avg_ms <= 0:
        return None
    return avg_ms / 1000.0


def estimate_cache_completion_time(
    cached_chunks: int, total_chunks: int, avg_chunk_time_s: float | None = None
) -> float | None:
    """Seconds to cache the remaining chunks; None when nothing remains.

    ``avg_chunk_time_s`` defaults to 0.3 s; pass ``measured_chunk_time_s(cache.get_stats())``
    (``format_cache_stats`` does) to use the cache's measured render time.
    """
    cached = _count("cached_chunks", cached_chunks)
    total = _count("total_chunks", total_chunks)
    per_chunk = DEFAULT_CHUNK_TIME_S if avg_chunk_time_s is None else avg_chunk_time_s
    if isinstance(per_chunk, bool) or not isinstance(per_chunk, int | float):
        raise MonitoringError(f"avg_chunk_time_s must be a number, got {avg_chunk_time_s!r}")
    if not math.isfinite(per_chunk) or per_chunk < 0:
        raise MonitoringError(f"avg_chunk_time_s must be finite and >= 0, got {per_chunk!r}")
    remaining = total - cached
    if remaining <= 0:
        return None
    return round(remaining * float(per_chunk), 3)


def _rate(hits: Any, misses: Any) -> float:
    total = (hits or 0) + (misses or 0)
    return hits / total if total else 0.0


def _format_tier(name: str, tier: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in tier.items() if k not in ("name", "tier_name")}
    size_mb = tier.get("size_mb")
    if size_mb is None:
        size_mb = tier.get("size_bytes", 0) / MB
    hits, misses = tier.get("hits", 0), tier.get("misses", 0)
    hit_rate = tier.get("hit_rate")
    out.update(
        tier_name=str(tier.get("tier_name") or tier.get("name") or name),
        chunks=tier.get("chunks", 0),
        size_mb=round(size_mb, 2),
        hits=hits,
        misses=misses,
        hit_rate=round(_rate(hits, misses) if hit_rate is None else hit_rate, 3),
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


def format_cache_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """A cache manager's ``get_stats()`` dict in the ``CacheStatsResponse`` shape.

    Sizes are rounded to 2 decimals and rates to 3; ``tracks_cached`` is taken from
    ``overall``, else from ``tier2`` (older managers), else counted from ``tracks``.
    """
    if not isinstance(stats, Mapping):
        raise MonitoringError(f"cache stats must be a mapping, got {type(stats).__name__}")
    tier1 = _format_tier("tier1", stats.get("tier1") or {})
    tier2 = _format_tier("tier2", stats.get("tier2") or {})
    tracks_in = stats.get("tracks") or {}
    overall_in = stats.get("overall") or {}
    tracks_cached = overall_in.get("tracks_cached")
    if tracks_cached is None:
        tracks_cached = (stats.get("tier2") or {}).get("tracks_cached", len(tracks_in))
    hits = overall_in.get("total_hits", tier1["hits"] + tier2["hits"])
    misses = overall_in.get("total_misses", tier2["misses"])
    size_mb = overall_in.get("total_size_mb", tier1["size_mb"] + tier2["size_mb"])
    rate = overall_in.get("overall_hit_rate")
    overall = dict(overall_in)
    overall.update(
        total_chunks=overall_in.get("total_chunks", tier1["chunks"] + tier2["chunks"]),
        total_size_mb=round(size_mb, 2),
        total_hits=hits,
        total_misses=misses,
        overall_hit_rate=round(_rate(hits, misses) if rate is None else rate, 3),
        tracks_cached=tracks_cached,
    )
    avg_s = measured_chunk_time_s(stats)
    out: dict[str, Any] = {
        "tier1": tier1,
        "tier2": tier2,
        "overall": overall,
        "tracks": {tid: _format_track(t, avg_s) for tid, t in tracks_in.items()},
        "timestamp": datetime.now(UTC).isoformat(),
    }
    render = stats.get("render")
    if isinstance(render, Mapping):
        numbers = {k: v for k, v in render.items() if isinstance(v, int | float)}
        out["render"] = {k: v for k, v in numbers.items() if not isinstance(v, bool)}
    return out


def check_processing_time_ms(value: object) -> float:
    """``value`` as a float, or :class:`MonitoringError` unless it is a finite number >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
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
