"""Prometheus exposition: parses, expected names and units, bounded labels, own registry."""

from __future__ import annotations

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from masterstream.monitoring import CacheMonitor, EndpointMetrics, build_cache_registry
from tests.clock import FakeClock

from .fakes import FakeCacheManager

ALLOWED_LABELS = {"tier", "source", "status", "level", "le"}


def scrape(registry) -> dict:
    text = generate_latest(registry).decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


def build():
    manager = FakeCacheManager(tier1_size_mb=16.0).set_hit_rate(0.8, 200)
    monitor = CacheMonitor(manager, clock=FakeClock())
    monitor.update_metrics()
    metrics = EndpointMetrics()
    for source, ms in (("tier1", 0.05), ("tier1", 0.3), ("tier2", 4.0), ("miss", 800.0)):
        metrics.record("/api/chunk", source, ms)
    metrics.record("/api/chunk", "miss", 12.0, success=False)
    return build_cache_registry(monitor=monitor, metrics=metrics), manager, metrics


def test_exposition_parses_with_the_expected_names_and_types() -> None:
    families = scrape(build()[0])
    expected = {
        "masterstream_cache_hits": "counter", "masterstream_cache_misses": "counter",
        "masterstream_cache_inserts": "counter", "masterstream_cache_evictions": "counter",
        "masterstream_cache_evicted_bytes": "counter",
        "masterstream_cache_corrupt_reads": "counter",
        "masterstream_cache_size_bytes": "gauge", "masterstream_cache_capacity_bytes": "gauge",
        "masterstream_cache_chunks": "gauge", "masterstream_cache_hit_ratio": "gauge",
        "masterstream_cache_tracks_cached": "gauge", "masterstream_cache_health_status": "gauge",
        "masterstream_cache_active_alerts": "gauge", "masterstream_requests": "counter",
    }  # fmt: skip
    assert {name: families[name].type for name in expected} == expected
    for family in families.values():
        assert family.name.startswith("masterstream_")
        for sample in family.samples:
            assert set(sample.labels) <= ALLOWED_LABELS
            if family.type == "counter":
                assert sample.name.endswith(("_total", "_created"))


def test_values_follow_the_stats_and_the_monitor() -> None:
    registry, manager, _ = build()
    families = scrape(registry)
    stats = manager.get_stats()
    hits = {s.labels["tier"]: s.value for s in families["masterstream_cache_hits"].samples}
    assert hits == {"tier1": stats["tier1"]["hits"], "tier2": stats["tier2"]["hits"]}
    sizes = {s.labels["tier"]: s.value for s in families["masterstream_cache_size_bytes"].samples}
    assert sizes["tier1"] == 16_000_000
    status = {s.labels["status"]: s.value
              for s in families["masterstream_cache_health_status"].samples}  # fmt: skip
    assert status == {"healthy": 0.0, "warning": 0.0, "critical": 1.0}
    manager.set(tier1_size_mb=2.0)  # read at scrape time
    sizes = {
        s.labels["tier"]: s.value for s in scrape(registry)["masterstream_cache_size_bytes"].samples
    }
    assert sizes["tier1"] == 2_000_000


def test_requests_by_source_and_no_second_latency_family() -> None:
    registry, _, metrics = build()
    families = scrape(registry)
    assert not any("duration" in name for name in families)  # latency: the HTTP layer's
    requests = {s.labels["source"]: s.value
                for s in families["masterstream_requests"].samples}  # fmt: skip
    assert requests == {"tier1": 2, "tier2": 1, "shared": 0, "miss": 1, "error": 1}
    assert sum(requests.values()) == metrics.get_summary()["all_time"]["total_requests"]


def test_each_app_gets_its_own_registry_never_the_global_one() -> None:
    first, second = build()[0], build()[0]
    assert first is not second and first is not REGISTRY
    assert REGISTRY.get_sample_value("masterstream_cache_hit_ratio") is None
    assert first.get_sample_value("masterstream_cache_hit_ratio") == 0.8
