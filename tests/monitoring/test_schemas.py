"""The seed's models: valid shapes pass, impossible values fail with clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from masterstream.monitoring import (
    CacheAwareResponse,
    CacheHealthResponse,
    CacheSource,
    CacheStatsResponse,
    CacheTierStats,
    ChunkCacheMetadata,
    HealthStatus,
    OverallCacheStats,
    TrackCacheStatusResponse,
)

TIER = {"tier_name": "tier1", "chunks": 3, "size_mb": 1.5, "hits": 8, "misses": 2, "hit_rate": 0.8}
OVERALL = {"total_chunks": 9, "total_size_mb": 4.0, "total_hits": 8, "total_misses": 2,
           "overall_hit_rate": 0.8, "tracks_cached": 2}  # fmt: skip
TRACK = {"track_id": 1, "total_chunks": 10, "cached_original": 2, "cached_processed": 5,
         "completion_percent": 50.0, "fully_cached": False}  # fmt: skip
META = {"track_id": 1, "chunk_index": 0, "source": "miss"}
HEALTH = {"healthy": True, "tier1_size_mb": 1.0, "tier1_healthy": True, "tier2_size_mb": 2.0,
          "tier2_healthy": True, "total_size_mb": 3.0, "memory_healthy": True,
          "tier1_hit_rate": 0.9, "overall_hit_rate": 0.8}  # fmt: skip


def test_cache_source_values_and_hits() -> None:
    assert [s.value for s in CacheSource] == ["tier1", "tier2", "shared", "miss"]
    assert CacheSource.TIER2.is_hit and CacheSource.SHARED.is_hit and not CacheSource.MISS.is_hit
    with pytest.raises(ValueError):
        CacheSource("tier3")


def test_chunk_metadata_defaults_and_source() -> None:
    meta = ChunkCacheMetadata(track_id=1, chunk_index=0, source="tier1")
    assert meta.preset is None and meta.intensity == 1.0 and meta.access_count == 0
    assert meta.source is CacheSource.TIER1 and meta.timestamp.tzinfo == UTC
    with pytest.raises(ValidationError, match="source"):
        ChunkCacheMetadata(track_id=1, chunk_index=0, source="tier3")


@pytest.mark.parametrize(
    ("model", "base", "field", "value"),
    [
        (ChunkCacheMetadata, META, "intensity", 1.5),
        (ChunkCacheMetadata, META, "chunk_index", -1),
        (ChunkCacheMetadata, META, "access_count", True),
        (TrackCacheStatusResponse, TRACK, "completion_percent", 100.5),
        (TrackCacheStatusResponse, TRACK, "cached_processed", -2),
        (TrackCacheStatusResponse, TRACK, "total_chunks", 2.5),
        (TrackCacheStatusResponse, TRACK, "estimated_cache_time_seconds", -1.0),
        (CacheTierStats, TIER, "hit_rate", 1.01),
        (CacheTierStats, TIER, "hits", -1),
        (CacheTierStats, TIER, "size_mb", float("nan")),
        (OverallCacheStats, OVERALL, "overall_hit_rate", -0.1),
        (OverallCacheStats, OVERALL, "tracks_cached", -3),
        (CacheHealthResponse, HEALTH, "tier1_hit_rate", 2.0),
        (CacheHealthResponse, HEALTH, "total_size_mb", -1.0),
    ],
)  # fmt: skip
def test_impossible_values_are_rejected_naming_the_field(model, base, field, value) -> None:
    model(**base)
    with pytest.raises(ValidationError) as caught:
        model(**{**base, field: value})
    assert field in str(caught.value)


def test_track_status_estimate_defaults_to_none() -> None:
    assert TrackCacheStatusResponse(**TRACK).estimated_cache_time_seconds is None


def test_tier_stats_keep_extra_fields_other_models_forbid_them() -> None:
    tier = CacheTierStats(**TIER, tracks_cached=4, capacity_bytes=12_000_000)
    assert tier.model_dump()["tracks_cached"] == 4
    with pytest.raises(ValidationError, match="extra"):
        TrackCacheStatusResponse(**TRACK, completion=1)


def test_timestamps_are_normalised_to_utc_and_naive_ones_taken_as_utc() -> None:
    plus2 = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    stats = CacheStatsResponse(tier1=TIER, tier2={**TIER, "tier_name": "tier2"},
                               overall=OVERALL, timestamp=plus2)  # fmt: skip
    assert stats.timestamp.tzinfo == UTC and stats.timestamp.hour == 10
    naive = CacheStatsResponse(tier1=TIER, tier2=TIER, overall=OVERALL,
                               timestamp=datetime(2026, 1, 1, 12))  # fmt: skip
    assert naive.timestamp == datetime(2026, 1, 1, 12, tzinfo=UTC)
    from_json = CacheStatsResponse(tier1=TIER, tier2=TIER, overall=OVERALL,
                                   timestamp="2026-01-01T12:00:00")  # fmt: skip
    assert from_json.timestamp == naive.timestamp
    with pytest.raises(ValidationError, match="timestamp"):
        CacheStatsResponse(tier1=TIER, tier2=TIER, overall=OVERALL, timestamp="noon")


def test_stats_response_round_trips_through_json() -> None:
    stats = CacheStatsResponse(tier1=TIER, tier2={**TIER, "tier_name": "tier2"}, overall=OVERALL,
                               tracks={1: TRACK})  # fmt: skip
    again = CacheStatsResponse.model_validate_json(stats.model_dump_json())
    assert again.tracks[1] == stats.tracks[1] and again == stats


def test_health_response_status_and_alerts() -> None:
    assert CacheHealthResponse(**HEALTH).status is HealthStatus.HEALTHY
    alert = {"id": "tier1_size", "rule": "tier1_size", "level": "critical",
             "title": "Tier 1 size exceeded", "description": "d", "metric": "tier1_size_mb",
             "current_value": 16.0, "threshold": 15.0, "first_seen": "2026-01-01T00:00:00+00:00",
             "last_seen": "2026-01-01T00:01:00Z"}  # fmt: skip
    health = CacheHealthResponse(**{**HEALTH, "healthy": False, "status": "critical",
                                    "alerts": [alert]})  # fmt: skip
    assert health.alerts[0].level is HealthStatus.CRITICAL
    with pytest.raises(ValidationError, match="contradicts"):
        CacheHealthResponse(**{**HEALTH, "status": "warning"})
    with pytest.raises(ValidationError, match="status"):
        CacheHealthResponse(**{**HEALTH, "status": "fine"})


def test_cache_aware_response_is_generic_and_consistent() -> None:
    ok = CacheAwareResponse[dict[str, int]](data={"track_id": 123}, cache_source="tier1",
                                            cache_hit=True, processing_time_ms=2.5)  # fmt: skip
    assert ok.status == "success" and ok.cache_source is CacheSource.TIER1
    with pytest.raises(ValidationError, match="data"):
        CacheAwareResponse[int](data="not a number", cache_source="miss", cache_hit=False,
                                processing_time_ms=1.0)  # fmt: skip
    with pytest.raises(ValidationError, match="contradicts"):
        CacheAwareResponse[int](data=1, cache_source="miss", cache_hit=True, processing_time_ms=1)
    with pytest.raises(ValidationError, match="processing_time_ms"):
        CacheAwareResponse[int](data=1, cache_source="tier2", cache_hit=True,
                                processing_time_ms=-0.1)  # fmt: skip
