"""Alert rules in isolation: levels with hysteresis, one alert per rule, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from masterstream.monitoring.alerts import AlertBook, AlertRule, CacheAlert, HealthStatus, worst

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SIZE = AlertRule("tier1_size", "tier1_size_mb", "Tier 1 size", "above", 15.0, hysteresis=0.3,
                 unit="MB", titles={HealthStatus.CRITICAL: "Tier 1 size exceeded"})  # fmt: skip
RATE = AlertRule("overall_hit_rate", "overall_hit_rate", "Overall hit rate", "below", 0.5,
                 warning=0.7, hysteresis=0.02, unit="ratio")  # fmt: skip

C, W = HealthStatus.CRITICAL, HealthStatus.WARNING


@pytest.mark.parametrize(
    ("value", "current", "expected"),
    [
        (15.0, None, None),  # at the limit is not over it
        (15.01, None, C),
        (14.8, C, C),  # inside the hysteresis band: keeps firing
        (14.7, C, None),  # past the band: resolves
        (14.8, None, None),  # the band never raises a new alert
    ],
)
def test_above_rule_levels(value: float, current, expected) -> None:
    assert SIZE.level_for(value, current) is expected


@pytest.mark.parametrize(
    ("value", "current", "expected"),
    [
        (0.49, None, C),
        (0.5, None, W),
        (0.51, C, C),  # within the critical band: stays critical
        (0.53, C, W),  # recovered above critical only: downgraded
        (0.69, None, W),
        (0.7, None, None),
        (0.71, W, W),  # within the warning band: stays
        (0.71, C, W),
        (0.72, W, None),
        (0.72, C, None),
    ],
)
def test_below_rule_levels_with_hysteresis_and_downgrade(value, current, expected) -> None:
    assert RATE.level_for(value, current) is expected


def test_descriptions_name_the_value_and_threshold() -> None:
    assert (
        SIZE.describe(16.5, C)
        == "Tier 1 size is 16.50 MB, above the critical threshold of 15.00 MB"
    )
    assert RATE.describe(0.6, W) == "Overall hit rate is 60.0%, below the warning threshold of 70%"


def test_one_alert_per_rule_refreshed_not_duplicated() -> None:
    book = AlertBook(lifetime_s=300)
    first = book.evaluate(SIZE, 16.0, T0)
    again = book.evaluate(SIZE, 17.0, T0 + timedelta(seconds=10))
    assert again is first and len(book.alerts) == 1
    assert (first.current_value, first.first_seen) == (17.0, T0)
    assert first.last_seen == T0 + timedelta(seconds=10)
    assert first.title == "Tier 1 size exceeded" and first.rule == "tier1_size"


def test_alert_expires_lifetime_after_last_refresh() -> None:
    book = AlertBook(lifetime_s=300)
    alert = book.evaluate(SIZE, 16.0, T0)
    assert alert.is_active(T0 + timedelta(seconds=299.9))
    assert not alert.is_active(T0 + timedelta(seconds=300))
    assert book.active(T0 + timedelta(seconds=300)) == []
    fresh = book.evaluate(SIZE, 16.0, T0 + timedelta(seconds=400))
    assert fresh is not alert and fresh.first_seen == T0 + timedelta(seconds=400)


def test_expired_alert_gives_no_hysteresis_credit() -> None:
    book = AlertBook(lifetime_s=60)
    book.evaluate(SIZE, 16.0, T0)
    assert book.evaluate(SIZE, 14.9, T0 + timedelta(seconds=61)) is None


def test_active_alerts_most_severe_first_and_worst_level() -> None:
    book = AlertBook()
    book.evaluate(RATE, 0.6, T0)
    book.evaluate(SIZE, 20.0, T0)
    alerts = book.active(T0)
    assert [a.level for a in alerts] == [C, W]
    assert worst([a.level for a in alerts]) is C
    assert worst([]) is HealthStatus.HEALTHY


def test_to_dict_is_json_safe() -> None:
    alert = CacheAlert("x", W, "t", "d", "m", 1.0, 2.0, T0, T0)
    out = alert.to_dict()
    assert out["level"] == "warning" and out["first_seen"] == T0.isoformat()
    assert out["id"] == out["rule"] == "x"
