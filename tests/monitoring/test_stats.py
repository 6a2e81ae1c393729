"""The stats helpers: hit probability, formatting both stats shapes, estimates, envelopes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from masterstream.errors import MonitoringError
from masterstream.monitoring import (
    CacheAwareResponse,
    CacheStatsResponse,
    calculate_cache_hit_probability,
    create_cache_aware_response,
    estimate_cache_completion_time,
    format_cache_stats,
    measured_chunk_time_s,
)

from .fakes import FakeCacheManager

LEGACY = {  # the seed's older manager: tracks_cached in tier2, no extra fields, no estimates
    "tier1": {"chunks": 4, "size_mb": 2.345678, "hits": 30, "misses": 10, "hit_rate": 0.75},
    "tier2": {"chunks": 40, "size_mb": 77.0049, "hits": 6, "misses": 4, "tracks_cached": 3},
    "overall": {"total_chunks": 44, "total_size_mb": 79.3506, "total_hits": 36,
                "total_misses": 4, "overall_hit_rate": 0.9},
    "tracks": {"5": {"track_id": "5", "total_chunks": 12, "cached_original": 0,
                     "cached_processed": 2, "completion_percent": 16.7, "fully_cached": False}},
}  # fmt: skip


@pytest.mark.parametrize(
    ("hits", "misses", "minimum", "expected"),
    [(0, 0, 10, 0.0), (5, 4, 10, 0.0), (7, 3, 10, 0.7), (1, 0, 0, 1.0), (0, 0, 0, 0.0),
     (3, 1, 4, 0.75)],
)  # fmt: skip
def test_hit_probability(hits: int, misses: int, minimum: int, expected: float) -> None:
    assert calculate_cache_hit_probability(hits, misses, minimum) == expected


@pytest.mark.parametrize("args", [(-1, 3), (3, -1), (True, 3), (2.5, 1)])
def test_hit_probability_rejects_impossible_counts(args) -> None:
    with pytest.raises(MonitoringError, match="non-negative int"):
        calculate_cache_hit_probability(*args)


def test_format_legacy_shape() -> None:
    formatted = format_cache_stats(LEGACY)
    response = CacheStatsResponse(**formatted)
    assert response.tier1.tier_name == "tier1" and response.tier2.tier_name == "tier2"
    assert response.tier1.size_mb == 2.35 and response.tier2.size_mb == 77.0
    assert response.tier2.hit_rate == 0.6  # derived from hits and misses
    assert response.overall.tracks_cached == 3 and response.overall.total_size_mb == 79.35
    assert response.tracks[5].estimated_cache_time_seconds == pytest.approx(10 * 0.3)  # key: id


def test_format_rounds_sizes_to_2_and_rates_to_3() -> None:
    stats = FakeCacheManager(tier1_size_mb=1.23456, tier2_size_mb=9.87654).set_hit_rate(
        2 / 3, 300
    ).get_stats()  # fmt: skip
    response = CacheStatsResponse(**format_cache_stats(stats))
    assert (response.tier1.size_mb, response.tier2.size_mb) == (1.23, 9.88)
    assert response.overall.overall_hit_rate == 0.667
    assert response.overall.total_size_mb == 11.11
    assert response.tier1.model_dump()["capacity_bytes"] == 12_000_000  # extra fields kept


def test_format_uses_the_measured_render_time_for_missing_estimates() -> None:
    stats = {**LEGACY, "render": {"count": 8, "failures": 0, "avg_ms": 120.0, "p50_ms": 100.0}}
    assert measured_chunk_time_s(stats) == pytest.approx(0.12)
    formatted = format_cache_stats(stats)
    assert formatted["tracks"]["5"]["estimated_cache_time_seconds"] == pytest.approx(1.2)
    assert CacheStatsResponse(**formatted).render["count"] == 8
    assert measured_chunk_time_s({"render": {"count": 0, "avg_ms": 0.0}}) is None
    assert measured_chunk_time_s(LEGACY) is None


def test_format_derives_what_is_missing_and_validation_catches_nonsense() -> None:
    minimal = {"tier1": {"chunks": 1, "size_bytes": 2_500_000, "hits": 1, "misses": 1},
               "tier2": {}}  # fmt: skip
    response = CacheStatsResponse(**format_cache_stats(minimal))
    assert response.tier1.size_mb == 2.5 and response.tier1.hit_rate == 0.5
    assert response.overall.total_hits == 1 and response.overall.tracks_cached == 0
    broken = {**LEGACY, "tier1": {**LEGACY["tier1"], "misses": -4}}
    with pytest.raises(ValueError, match="misses"):
        CacheStatsResponse(**format_cache_stats(broken))
    with pytest.raises(MonitoringError, match="mapping"):
        format_cache_stats([1, 2])


@pytest.mark.parametrize(
    ("cached", "total", "per_chunk", "expected"),
    [(0, 10, None, 3.0), (4, 10, None, 1.8), (10, 10, None, None), (12, 10, None, None),
     (0, 0, None, None), (2, 6, 1.25, 5.0), (2, 6, 0.0, 0.0)],
)  # fmt: skip
def test_completion_estimate(cached, total, per_chunk, expected) -> None:
    assert estimate_cache_completion_time(cached, total, per_chunk) == expected


def test_completion_estimate_rejects_bad_input() -> None:
    with pytest.raises(MonitoringError, match="cached_chunks"):
        estimate_cache_completion_time(-1, 4)
    with pytest.raises(MonitoringError, match="avg_processing_time_per_chunk"):
        estimate_cache_completion_time(1, 4, -0.5)
    with pytest.raises(MonitoringError, match="avg_processing_time_per_chunk"):
        estimate_cache_completion_time(1, 4, avg_chunk_time_s=float("nan"))


def test_cache_aware_response_matches_the_seed_example() -> None:
    response = create_cache_aware_response(
        data={"track_id": 123, "title": "Song"}, cache_source="tier1", processing_time_ms=2.5,
        message="Retrieved from hot cache",
    )  # fmt: skip
    assert set(response) == {"status", "data", "cache_source", "cache_hit",
                             "processing_time_ms", "message", "timestamp"}  # fmt: skip
    assert (response["status"], response["cache_source"], response["cache_hit"]) == (
        "success", "tier1", True)  # fmt: skip
    assert response["message"] == "Retrieved from hot cache"
    assert datetime.fromisoformat(response["timestamp"]).tzinfo == UTC
    CacheAwareResponse[dict](**response)


def test_cache_aware_response_defaults() -> None:
    response = create_cache_aware_response([1, 2])
    assert (response["cache_source"], response["cache_hit"]) == ("miss", False)
    assert response["processing_time_ms"] == 0.0 and "miss" in response["message"].lower()
    assert "tier 2" in create_cache_aware_response(1, "tier2")["message"]
    with pytest.raises(MonitoringError, match="unknown cache source 'disk'"):
        create_cache_aware_response(1, "disk")
    with pytest.raises(MonitoringError, match="processing_time_ms"):
        create_cache_aware_response(1, "tier1", -3.0)
