"""CircuitBreaker: opens after consecutive failures, probes once after the pause."""

from __future__ import annotations

import logging

import pytest

from masterstream.cache.breaker import BreakerState, CircuitBreaker
from tests.clock import FakeClock


def test_opens_after_threshold_failures_in_a_row_only() -> None:
    breaker = CircuitBreaker(3, 1.0, clock=FakeClock())
    breaker.failure()
    breaker.failure()
    breaker.success()  # a success in between resets the count
    breaker.failure()
    breaker.failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.failure()
    assert breaker.state is BreakerState.OPEN and breaker.opened == 1
    assert not breaker.allow() and breaker.rejected == 1


def test_half_open_lets_one_probe_through_and_its_verdict_decides() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 2.0, clock=clock)
    breaker.failure()
    clock.tick(1.9)
    assert not breaker.allow()
    clock.tick(0.2)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one probe at a time
    breaker.failure()  # the probe failed: open again, for a full pause
    assert breaker.state is BreakerState.OPEN and breaker.opened == 2
    clock.tick(2.5)
    assert breaker.allow()
    breaker.abandon()  # a cancelled probe: the next one may go
    assert breaker.allow()
    breaker.success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


@pytest.mark.parametrize(("threshold", "reset_s"), [(0, 1.0), (1, 0.0)])
def test_refuses_meaningless_settings(threshold: int, reset_s: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(threshold, reset_s)


def test_a_named_breaker_logs_opening_and_recovery_once_each(caplog) -> None:
    clock = FakeClock()
    caplog.set_level(logging.INFO, logger="masterstream.cache")
    breaker = CircuitBreaker(2, 1.0, clock=clock, name="shared tier")
    for _ in range(5):
        breaker.failure()  # opens at the second; the rest are failures while open
    clock.tick(1.0)
    assert breaker.allow()
    breaker.failure()  # the probe fails: open again, not logged again
    clock.tick(1.0)
    assert breaker.allow()
    breaker.success()
    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in messages] == [logging.WARNING, logging.INFO]
    assert "shared tier degraded after 2 failed calls" in messages[0][1]
    assert "shared tier is back" in messages[1][1]


def test_an_unnamed_breaker_leaves_logging_to_its_owner(caplog) -> None:
    caplog.set_level(logging.INFO, logger="masterstream.cache")
    breaker = CircuitBreaker(1, 1.0, clock=FakeClock())
    breaker.failure()
    breaker.success()
    assert caplog.records == []
