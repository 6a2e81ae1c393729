"""CacheMonitor against a seed-shaped manager: snapshots, every rule, expiry, health, summary."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from masterstream.errors import MonitoringError
from masterstream.monitoring import CacheHealthResponse, CacheMonitor, HealthStatus
from tests.clock import FakeClock

from .fakes import AsyncStatsManager, FakeCacheManager


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make(clock: FakeClock, **figures) -> tuple[CacheMonitor, FakeCacheManager]:
    manager = FakeCacheManager(**figures)
    return CacheMonitor(manager, clock=clock), manager


def titles(monitor: CacheMonitor) -> list[str]:
    return [a.title for a in monitor.get_health_status()[1]]


def test_defaults_are_the_seeds() -> None:
    monitor = CacheMonitor(FakeCacheManager())
    assert (monitor.tier1_size_limit_mb, monitor.tier2_size_limit_mb,
            monitor.total_size_limit_mb) == (15, 250, 260)  # fmt: skip
    assert (monitor.min_hit_rate_warning, monitor.min_hit_rate_critical) == (0.70, 0.50)
    assert (monitor.max_history, monitor.alert_lifetime_s, monitor.min_requests) == (100, 300, 100)


def test_rejects_objects_without_get_stats_and_impossible_thresholds() -> None:
    with pytest.raises(MonitoringError, match="get_stats"):
        CacheMonitor(object())
    with pytest.raises(MonitoringError, match="min_hit_rate_critical <= min_hit_rate_warning"):
        CacheMonitor(FakeCacheManager(), min_hit_rate_warning=0.4, min_hit_rate_critical=0.6)
    with pytest.raises(MonitoringError, match="tier1_size_limit_mb"):
        CacheMonitor(FakeCacheManager(), tier1_size_limit_mb=0)
    with pytest.raises(MonitoringError, match="max_history"):
        CacheMonitor(FakeCacheManager(), max_history=0)


def test_snapshot_reads_the_stats(clock: FakeClock) -> None:
    monitor, manager = make(clock, tier1_size_mb=3.5, tier2_size_mb=40.0, tracks_cached=4)
    manager.set_hit_rate(0.8, 250)
    metrics = monitor.update_metrics()
    stats = manager.get_stats()
    assert metrics.overall_hit_rate == stats["overall"]["overall_hit_rate"]
    assert metrics.tier1_hit_rate == stats["tier1"]["hit_rate"]
    assert (metrics.tier1_size_mb, metrics.tier2_size_mb, metrics.total_size_mb) == (3.5, 40, 43.5)
    assert (metrics.total_requests, metrics.tracks_cached) == (250, 4)
    assert metrics.timestamp.timestamp() == clock() and metrics.timestamp.tzinfo is not None
    assert monitor.metrics_history == [metrics]


def test_legacy_shape_tracks_cached_in_tier2(clock: FakeClock) -> None:
    monitor, _ = make(clock, legacy=True, tracks_cached=9)
    assert monitor.update_metrics().tracks_cached == 9


def test_impossible_stats_are_rejected(clock: FakeClock) -> None:
    class Broken(FakeCacheManager):
        def get_stats(self):
            stats = super().get_stats()
            stats["tier1"]["size_mb"] = -1.0
            return stats

    with pytest.raises(MonitoringError, match="size_mb"):
        CacheMonitor(Broken(), clock=clock).update_metrics()


def test_history_never_exceeds_max_history(clock: FakeClock) -> None:
    monitor, manager = make(clock)
    monitor.max_history = 5
    for tracks in range(12):
        manager.set(tracks_cached=tracks)
        monitor.update_metrics()
    assert [m.tracks_cached for m in monitor.metrics_history] == list(range(7, 12))
    monitor.max_history = 3
    monitor.update_metrics()
    assert len(monitor.metrics_history) == 3


@pytest.mark.parametrize(
    ("figures", "title"),
    [
        ({"tier1_size_mb": 15.5}, "Tier 1 size exceeded"),
        ({"tier2_size_mb": 251.0}, "Tier 2 size exceeded"),
        ({"tier1_size_mb": 14.0, "tier2_size_mb": 249.0}, "Total cache size exceeded"),
    ],
)
def test_each_size_limit_exceeded_is_critical_and_names_the_tier(clock, figures, title) -> None:
    monitor, _ = make(clock, **figures)
    monitor.update_metrics()
    status, alerts = monitor.get_health_status()
    assert status is HealthStatus.CRITICAL
    assert [a.title for a in alerts] == [title]
    assert (
        alerts[0].level is HealthStatus.CRITICAL and alerts[0].current_value > alerts[0].threshold
    )


def test_sizes_at_the_limits_are_healthy(clock: FakeClock) -> None:
    monitor, _ = make(clock, tier1_size_mb=15.0, tier2_size_mb=245.0)
    monitor.update_metrics()
    assert monitor.get_health_status() == (HealthStatus.HEALTHY, [])


def test_hit_rate_rules_wait_for_the_minimum_request_count(clock: FakeClock) -> None:
    monitor, manager = make(clock)
    manager.set_hit_rate(0.1, 99)
    monitor.update_metrics()
    assert monitor.get_health_status()[0] is HealthStatus.HEALTHY
    manager.set_hit_rate(0.1, 100)
    monitor.update_metrics()
    assert titles(monitor) == ["Cache hit rate critically low"]
    monitor.min_requests = 1000
    monitor.update_metrics()
    assert titles(monitor) == []


def test_hit_rate_warning_then_critical_then_downgrade_then_resolve(clock: FakeClock) -> None:
    monitor, manager = make(clock)
    seen = []
    for rate in (0.65, 0.40, 0.60, 0.80):
        manager.set_hit_rate(rate, 1000)
        clock.tick(10)
        monitor.update_metrics()
        status, alerts = monitor.get_health_status()
        seen.append((status, [a.title for a in alerts]))
    assert seen == [
        (HealthStatus.WARNING, ["Cache hit rate low"]),
        (HealthStatus.CRITICAL, ["Cache hit rate critically low"]),
        (HealthStatus.WARNING, ["Cache hit rate low"]),
        (HealthStatus.HEALTHY, []),
    ]


def test_one_alert_per_rule_across_updates(clock: FakeClock) -> None:
    monitor, manager = make(clock, tier1_size_mb=16.0)
    first = None
    for step in range(5):
        manager.set(tier1_size_mb=16.0 + step)
        clock.tick(30)
        monitor.update_metrics()
        (alert,) = monitor.get_health_status()[1]
        first = first or alert
    assert alert.first_seen == first.first_seen
    assert alert.current_value == 20.0
    assert alert.last_seen.timestamp() == clock()


def test_hysteresis_prevents_flapping_around_a_threshold(clock: FakeClock) -> None:
    monitor, manager = make(clock)
    statuses = []
    for rate in (0.69, 0.705, 0.695, 0.71, 0.69, 0.705):
        manager.set_hit_rate(rate, 10_000)
        monitor.update_metrics()
        statuses.append(monitor.get_health_status()[0])
    assert statuses == [HealthStatus.WARNING] * 6
    manager.set_hit_rate(0.73, 10_000)
    monitor.update_metrics()
    assert monitor.get_health_status()[0] is HealthStatus.HEALTHY

    for size_mb in (15.2, 14.9, 15.1, 14.8):  # limit 15 MB, band 2 % = 0.3 MB
        manager.set(tier1_size_mb=size_mb)
        monitor.update_metrics()
        assert titles(monitor) == ["Tier 1 size exceeded"]
    manager.set(tier1_size_mb=14.6)
    monitor.update_metrics()
    assert titles(monitor) == []


def test_alerts_expire_five_minutes_after_the_last_refresh(clock: FakeClock) -> None:
    monitor, _ = make(clock, tier2_size_mb=300.0)
    monitor.update_metrics()
    clock.tick(200)
    monitor.update_metrics()  # refresh: expiry moves to 200 + 300 s
    clock.tick(299)
    assert titles(monitor) == ["Tier 2 size exceeded", "Total cache size exceeded"]
    alert = monitor.get_health_status()[1][0]
    assert alert.is_active()  # on the monitor's clock, not the wall clock
    clock.tick(1)
    assert not alert.is_active()
    assert monitor.get_health_status() == (HealthStatus.HEALTHY, [])
    monitor.update_metrics()  # still over the limit: a new alert
    (alert, _) = monitor.get_health_status()[1]
    assert alert.first_seen.timestamp() == clock()


def test_adjusted_thresholds_apply_at_the_next_update(clock: FakeClock) -> None:
    monitor, _ = make(clock, tier1_size_mb=5.0)
    monitor.update_metrics()
    assert titles(monitor) == []
    monitor.tier1_size_limit_mb = 4.0
    monitor.update_metrics()
    assert titles(monitor) == ["Tier 1 size exceeded"]


def test_get_health_builds_the_response(clock: FakeClock) -> None:
    monitor, manager = make(clock, tier1_size_mb=20.0, tier2_size_mb=100.0)
    manager.set_hit_rate(0.9, 500)
    health = monitor.get_health()
    assert isinstance(health, CacheHealthResponse)
    assert (health.healthy, health.status) == (False, HealthStatus.CRITICAL)
    assert (health.tier1_healthy, health.tier2_healthy, health.memory_healthy) == (
        False,
        True,
        True,
    )
    assert health.tier1_size_mb == 20.0 and health.total_size_mb == 120.0
    assert health.overall_hit_rate == pytest.approx(0.9)
    assert [a.title for a in health.alerts] == ["Tier 1 size exceeded"]
    assert health.timestamp.timestamp() == clock()


def test_summary_before_and_after_the_first_snapshot(clock: FakeClock) -> None:
    monitor, manager = make(clock)
    assert monitor.get_summary() == {"status": "no_data", "health_status": "no_data"}
    manager.set_hit_rate(0.95, 400)
    for _ in range(3):
        monitor.update_metrics()
    summary = monitor.get_summary()
    assert summary["health_status"] == summary["status"] == "healthy"
    assert summary["alerts"] == []
    assert summary["tier1"]["size_mb"] == 1.0 and summary["tier1"]["size_limit_mb"] == 15
    assert summary["overall"]["hit_rate"] == pytest.approx(0.95)
    assert summary["overall"]["trends"]["hit_rate"]["trend"] == "stable"
    assert summary["history_length"] == 3


def test_sync_update_refuses_an_async_manager(clock: FakeClock) -> None:
    monitor = CacheMonitor(AsyncStatsManager(), clock=clock)
    with pytest.raises(MonitoringError, match="aupdate_metrics"):
        monitor.update_metrics()


async def test_async_update_awaits_an_async_manager(clock: FakeClock) -> None:
    monitor = CacheMonitor(AsyncStatsManager(tier1_size_mb=16.0), clock=clock)
    metrics = await monitor.aupdate_metrics()
    assert metrics.tier1_size_mb == 16.0 and titles(monitor) == ["Tier 1 size exceeded"]
    sync_monitor = CacheMonitor(FakeCacheManager(), clock=clock)
    assert (await sync_monitor.aupdate_metrics()).tier1_size_mb == 1.0


def test_updates_from_several_threads_keep_history_consistent(clock: FakeClock) -> None:
    monitor, manager = make(clock, tier1_size_mb=16.0)
    monitor.max_history = 1000
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: monitor.update_metrics(), range(200)))
    assert len(monitor.metrics_history) == 200 and manager.calls == 200
    assert len(monitor.get_health_status()[1]) == 1


def test_updates_can_be_throttled_once_for_every_caller() -> None:
    calls = []

    class CountingCache:
        def get_stats(self):
            calls.append(1)
            return {"tier1": {}, "tier2": {}, "overall": {}, "tracks": {}}

    now = [1000.0]
    monitor = CacheMonitor(CountingCache(), clock=lambda: now[0], min_update_interval_s=1.0)
    first = monitor.update_metrics()
    now[0] += 0.5
    assert monitor.update_metrics() is first and len(calls) == 1  # within the interval
    now[0] += 0.6
    assert monitor.update_metrics() is not first and len(calls) == 2
    assert len(monitor.metrics_history) == 2
