"""Render budgets across servers, through a real redis-server: renders on one server count
against the same principal on another after a sync, each server's own renders are not
counted twice, and with Redis gone every server keeps enforcing its own budget."""

from __future__ import annotations

import pytest

from masterstream.cache.shared import SharedTier, connect
from masterstream.cache.shared_counters import SharedCounters
from masterstream.users.budget import RenderBudget
from masterstream.users.cluster_budget import ClusterBudget
from tests.cache.redis_process import RedisProcess
from tests.clock import FakeClock

BUDGET = 10


@pytest.fixture
def redis_server(tmp_path):
    process = RedisProcess(tmp_path).start()
    yield process
    process.stop()


class Server:
    """One server's budget and its share of the cluster's counts."""

    def __init__(self, url: str, clock: FakeClock) -> None:
        self.tier = SharedTier(connect(url), namespace="test")
        self.budget = RenderBudget(BUDGET, clock=clock)
        self.cluster = ClusterBudget(self.budget, SharedCounters(self.tier), clock=clock)

    def render(self, key: str, n: int) -> None:
        for _ in range(n):
            assert self.budget.retry_after_s(key) is None
            self.budget.charge(key)


async def test_renders_on_one_server_spend_the_budget_on_every_server(redis_server) -> None:
    clock = FakeClock(1_700_000_010.0)
    a, b = Server(redis_server.url, clock), Server(redis_server.url, clock)
    try:
        a.render("user:1", 7)
        await a.cluster.sync()
        await b.cluster.sync()
        assert b.budget.remaining("user:1") == pytest.approx(3.0)
        assert a.budget.remaining("user:1") == pytest.approx(3.0)  # its own, counted once
        b.render("user:1", 3)
        assert b.budget.retry_after_s("user:1") is not None  # 7 + 3 = the whole budget
        await b.cluster.sync()
        await a.cluster.sync()
        assert a.budget.retry_after_s("user:1") is not None
        assert b.budget.remaining("user:2") == BUDGET  # another principal is untouched
    finally:
        await a.tier.aclose()
        await b.tier.aclose()


async def test_without_redis_each_server_enforces_its_own(redis_server) -> None:
    clock = FakeClock(1_700_000_010.0)
    a = Server(redis_server.url, clock)
    try:
        a.render("user:1", 4)
        redis_server.stop()
        await a.cluster.sync()  # no answer: nothing learnt, nothing lost, nothing raised
        assert a.budget.remaining("user:1") == pytest.approx(6.0)
        a.render("user:1", 6)
        assert a.budget.retry_after_s("user:1") is not None
    finally:
        await a.tier.aclose()
