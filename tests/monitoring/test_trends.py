"""Trend direction: Theil–Sen against a relative and a noise threshold; monitor assessment."""

from __future__ import annotations

import numpy as np
import pytest

from masterstream.errors import MonitoringError, UnknownMetricError
from masterstream.monitoring import CacheMonitor, theil_sen
from masterstream.monitoring.trends import assess, direction
from tests.clock import FakeClock

from .fakes import FakeCacheManager

SEEDS = range(300)


def noisy(start: float, end: float, n: int, sd: float, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(np.linspace(start, end, n) + rng.normal(0.0, sd, n))


def test_theil_sen_recovers_a_line_and_ignores_outliers() -> None:
    line = [2.0 + 0.5 * i for i in range(12)]
    assert theil_sen(line) == pytest.approx((0.5, 2.0))
    line[3], line[9] = 100.0, -50.0
    assert theil_sen(line)[0] == pytest.approx(0.5)


def share(values: list[str], label: str) -> float:
    return sum(v == label for v in values) / len(values)


def test_noisy_ramps_are_found_and_noisy_flat_series_are_stable() -> None:
    """Documented rates: flat series with 2.5 % noise read stable >= 95 % of the time."""
    up = [direction(noisy(0.60, 0.90, 10, 0.02, s))["trend"] for s in SEEDS]
    down = [direction(noisy(0.90, 0.70, 10, 0.02, s))["trend"] for s in SEEDS]
    flat = [direction(noisy(0.80, 0.80, 10, 0.02, s))["trend"] for s in SEEDS]
    assert share(up, "up") == 1.0 and share(down, "down") == 1.0
    assert share(flat, "stable") >= 0.95


def test_one_outlier_at_the_end_does_not_make_a_trend() -> None:
    """Last-minus-first reads every such series as a trend; the robust fit mostly does not."""
    spiked = []
    for seed in SEEDS:
        values = noisy(0.8, 0.8, 10, 0.02, seed)
        values[-1] = 0.95 if seed % 2 else 0.65
        spiked.append(values)
    assert all(abs(v[-1] - v[0]) > 0.05 * 0.8 for v in spiked)
    assert share([direction(v)["trend"] for v in spiked], "stable") >= 0.9


def test_a_clean_step_is_a_trend() -> None:
    assert direction([0.9] * 5 + [0.5] * 5)["trend"] == "down"


def test_fewer_than_two_points_is_none() -> None:
    assert direction([])["trend"] == "none"
    single = direction([0.4])
    assert (single["trend"], single["change"], single["baseline"]) == ("none", 0.0, 0.4)


def test_change_is_the_fitted_change_over_the_window() -> None:
    out = direction([10.0, 11.0, 12.0, 13.0, 14.0])
    assert out["change"] == pytest.approx(4.0) and out["change_percent"] == pytest.approx(40.0)
    assert direction([0.0] * 6)["trend"] == "stable"


@pytest.mark.parametrize(
    ("trend", "good", "expected"),
    [("up", 1, "improving"), ("down", 1, "degrading"), ("up", -1, "degrading"),
     ("down", -1, "improving"), ("up", 0, "stable"), ("stable", 1, "stable"),
     ("none", -1, "stable")],
)  # fmt: skip
def test_assessment_from_the_good_direction(trend: str, good: int, expected: str) -> None:
    assert assess(trend, good) == expected


def monitor_with(series: dict[str, list[float]], **limits) -> CacheMonitor:
    """A monitor whose history holds the given per-snapshot figures."""
    manager, clock = FakeCacheManager(), FakeClock()
    monitor = CacheMonitor(manager, clock=clock, **limits)
    n = len(next(iter(series.values())))
    for i in range(n):
        figures = {name: values[i] for name, values in series.items() if name != "hit_rate"}
        manager.set(**figures)
        if "hit_rate" in series:
            manager.set_hit_rate(series["hit_rate"][i], 10_000)
        clock.tick(5)
        monitor.update_metrics()
    return monitor


@pytest.mark.parametrize("seed", range(5))
def test_monitor_trend_of_a_falling_hit_rate_is_degrading(seed: int) -> None:
    monitor = monitor_with({"hit_rate": noisy(0.95, 0.70, 20, 0.01, seed)})
    trend = monitor.get_trend("overall_hit_rate", window=10)
    assert (trend["trend"], trend["assessment"], trend["window"]) == ("down", "degrading", 10)
    history = [m.overall_hit_rate for m in monitor.metrics_history]
    assert trend["value"] == history[-1] and trend["previous"] == history[-10]
    assert trend["change"] < 0 and trend["change_percent"] < 0


def test_monitor_trend_of_a_rising_hit_rate_is_improving() -> None:
    trend = monitor_with({"hit_rate": noisy(0.5, 0.9, 10, 0.01, 1)}).get_trend("overall_hit_rate")
    assert (trend["trend"], trend["assessment"]) == ("up", "improving")


def test_size_rising_near_its_limit_is_degrading_but_filling_far_below_is_not() -> None:
    near = monitor_with({"tier1_size_mb": list(np.linspace(12.0, 14.5, 10))})
    assert near.get_trend("tier1_size_mb")["assessment"] == "degrading"
    far = monitor_with({"tier1_size_mb": list(np.linspace(1.0, 4.0, 10))})
    trend = far.get_trend("tier1_size_mb")
    assert (trend["trend"], trend["assessment"]) == ("up", "stable")
    shrinking = monitor_with({"tier2_size_mb": list(np.linspace(300.0, 260.0, 10))})
    assert shrinking.get_trend("tier2_size_mb")["assessment"] == "improving"


def test_monitor_trend_without_history_is_none() -> None:
    monitor = CacheMonitor(FakeCacheManager())
    trend = monitor.get_trend("overall_hit_rate")
    assert (trend["trend"], trend["value"], trend["window"]) == ("none", None, 0)


def test_unknown_metric_and_bad_window_are_clear_errors() -> None:
    monitor = CacheMonitor(FakeCacheManager())
    with pytest.raises(UnknownMetricError, match=r"unknown metric 'hit_ratio'.*overall_hit_rate"):
        monitor.get_trend("hit_ratio")
    with pytest.raises(ValueError):  # also a ValueError for callers that catch those
        monitor.get_trend("nope")
    with pytest.raises(MonitoringError, match="window"):
        monitor.get_trend("overall_hit_rate", window=1)
