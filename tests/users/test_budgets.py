"""Render budgets and sign-in throttling on a fake clock."""

from __future__ import annotations

import pytest

from masterstream.users.buckets import TokenBuckets
from masterstream.users.budget import RenderBudget
from masterstream.users.throttle import SignInThrottle
from tests.clock import FakeClock


def test_a_budget_allows_a_minute_of_renders_then_refills_continuously():
    clock = FakeClock()
    budget = RenderBudget(60, clock=clock)
    for _ in range(60):
        assert budget.retry_after_s("user:1") is None
        budget.charge("user:1")
    assert budget.retry_after_s("user:1") == pytest.approx(1.0)
    assert budget.retry_after_s("user:2") is None  # budgets are per key
    clock.tick(0.5)
    assert budget.retry_after_s("user:1") == pytest.approx(0.5)
    clock.tick(0.5)
    assert budget.retry_after_s("user:1") is None


def test_overdrawing_is_paid_back_but_bounded():
    clock = FakeClock()
    budget = RenderBudget(10, clock=clock)
    budget.charge("k", 25)  # renders counted after they happened
    assert budget.remaining("k") == -10  # debt bounded by one minute's budget
    assert budget.retry_after_s("k") == pytest.approx(66.0)


def test_zero_means_unlimited():
    budget = RenderBudget(0)
    budget.charge("k", 10**6)
    assert not budget.enabled and budget.retry_after_s("k") is None


def test_the_table_of_buckets_stays_bounded():
    clock = FakeClock()
    buckets = TokenBuckets(5, 60.0, clock=clock, max_keys=100)
    for i in range(1000):
        buckets.charge(f"addr:{i}")
        clock.tick(1.0)
    assert len(buckets) == 100
    assert buckets.available("addr:999") == pytest.approx(4.0 + 5 / 60)  # recent keys kept
    assert buckets.available("addr:0") == 5.0  # the oldest were forgotten


def test_failed_sign_ins_lock_the_account_and_the_address():
    clock = FakeClock()
    throttle = SignInThrottle(per_account=3, per_address=5, period_s=300.0, clock=clock)
    for _ in range(3):
        assert throttle.retry_after_s("alice", "10.0.0.5") is None
        throttle.attempt("Alice", "10.0.0.5")
    assert throttle.retry_after_s("alice", "10.0.0.9") == pytest.approx(100.0)  # any address
    assert throttle.retry_after_s("bob", "10.0.0.5") is None  # address has 2 left
    throttle.attempt("bob", "10.0.0.5")
    throttle.attempt("carol", "10.0.0.5")
    assert throttle.retry_after_s("dave", "10.0.0.5") == pytest.approx(60.0)
    assert throttle.retry_after_s("dave", "10.0.0.6") is None
    clock.tick(100.0)
    assert throttle.retry_after_s("alice", "10.0.0.9") is None


def test_a_successful_sign_in_refills_the_account_and_refunds_its_address():
    clock = FakeClock()
    throttle = SignInThrottle(per_account=2, per_address=2, period_s=60.0, clock=clock)
    throttle.attempt("alice", "10.0.0.5")
    throttle.attempt("alice", "10.0.0.5")
    assert throttle.retry_after_s("alice", "10.0.0.6") is not None
    throttle.attempt("alice", "10.0.0.6")  # refused in practice; counted here
    throttle.succeeded("alice", "10.0.0.6")
    assert throttle.retry_after_s("alice", "10.0.0.6") is None
    assert throttle.retry_after_s("alice", "10.0.0.5") is not None  # its failures stay
