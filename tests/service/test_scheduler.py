"""The work scheduler on real worker threads: most urgent first, plans bounded, promotion,
cancelled jobs never run, no worker idle while it could run a queued job."""

from __future__ import annotations

import asyncio
import threading

import pytest

from masterstream.cache import Lane, Priority
from masterstream.errors import RenderError
from masterstream.service.scheduler import WorkScheduler


class Gates:
    """Jobs that record their start and block until released, by name."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self._gates: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def job(self, name: str) -> str:
        with self._lock:
            self.started.append(name)
            gate = self._gates.setdefault(name, threading.Event())
        if not gate.wait(10):
            raise TimeoutError(name)
        return name

    def release(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self._gates.setdefault(name, threading.Event()).set()


async def until(condition, timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


@pytest.fixture
def gates():
    g = Gates()
    yield g
    g.release(*[f"j{i}" for i in range(50)], "a", "b", "c", "d", "plan1", "plan2", "x")


def submit(scheduler, gates, name, lane, deadline_s=0.0, *, long=False, tag=None, cost_s=0.0):
    return asyncio.ensure_future(
        scheduler.run(
            gates.job, name, priority=Priority(lane, deadline_s), long=long, tag=tag, cost_s=cost_s
        )
    )


async def test_the_most_urgent_queued_job_starts_next(gates):
    scheduler = WorkScheduler(workers=1)
    try:
        first = submit(scheduler, gates, "a", Lane.BACKGROUND)
        await until(lambda: gates.started == ["a"])
        queued = [
            submit(scheduler, gates, "b", Lane.WARM),
            submit(scheduler, gates, "c", Lane.ONDEMAND, deadline_s=10.0),
            submit(scheduler, gates, "d", Lane.ONDEMAND, deadline_s=1.0),
            submit(scheduler, gates, "x", Lane.LOOKAHEAD),
        ]
        await asyncio.sleep(0.05)
        assert gates.started == ["a"]  # nothing overtakes a running job: one worker
        gates.release("a", "b", "c", "d", "x")
        await asyncio.gather(first, *queued)
        assert gates.started == ["a", "d", "c", "x", "b"]  # lane, then deadline
        assert scheduler.stats.lanes["ondemand"].started == 2
        assert scheduler.queued == 0 and scheduler.stats.running == 0
    finally:
        scheduler.close()


async def test_expensive_plans_never_take_every_worker(gates):
    scheduler = WorkScheduler(workers=2)  # one long slot
    try:
        plans = [
            submit(scheduler, gates, "plan1", Lane.ONDEMAND, long=True, cost_s=8.0),
            submit(scheduler, gates, "plan2", Lane.ONDEMAND, long=True, cost_s=8.0),
        ]
        await until(lambda: gates.started == ["plan1"])
        chunk = submit(scheduler, gates, "j1", Lane.BACKGROUND)  # even the least urgent chunk
        await until(lambda: "j1" in gates.started)
        assert gates.started == ["plan1", "j1"] and scheduler.stats.long_running == 1
        gates.release("j1", "plan1")
        await until(lambda: "plan2" in gates.started)
        gates.release("plan2")
        assert await asyncio.gather(*plans, chunk) == ["plan1", "plan2", "j1"]
    finally:
        scheduler.close()


async def test_promotion_moves_a_queued_job_ahead(gates):
    scheduler = WorkScheduler(workers=1)
    try:
        running = submit(scheduler, gates, "a", Lane.ONDEMAND)
        await until(lambda: gates.started == ["a"])
        warm = submit(scheduler, gates, "b", Lane.WARM, tag="key-b")
        other = submit(scheduler, gates, "c", Lane.LOOKAHEAD)
        await asyncio.sleep(0.01)
        assert scheduler.promote("key-b", Priority(Lane.ONDEMAND))
        assert not scheduler.promote("key-b", Priority(Lane.BACKGROUND))  # never demoted
        assert not scheduler.promote("unknown", Priority(Lane.ONDEMAND))
        gates.release("a", "b", "c")
        await asyncio.gather(running, warm, other)
        assert gates.started == ["a", "b", "c"]
        assert scheduler.stats.lanes["ondemand"].started == 2
    finally:
        scheduler.close()


async def test_a_cancelled_queued_job_never_runs(gates):
    scheduler = WorkScheduler(workers=1)
    try:
        running = submit(scheduler, gates, "a", Lane.ONDEMAND)
        await until(lambda: gates.started == ["a"])
        doomed = submit(scheduler, gates, "b", Lane.ONDEMAND)
        kept = submit(scheduler, gates, "c", Lane.WARM)
        await asyncio.sleep(0.01)
        doomed.cancel()
        await asyncio.sleep(0.01)
        assert scheduler.queued == 1
        gates.release("a", "c")
        await asyncio.gather(running, kept)
        assert gates.started == ["a", "c"]
    finally:
        scheduler.close()


async def test_errors_reach_the_caller_and_the_worker_is_freed(gates):
    scheduler = WorkScheduler(workers=1)

    def boom() -> None:
        raise RenderError("the chain exploded")

    try:
        with pytest.raises(RenderError, match="exploded"):
            await scheduler.run(boom, priority=Priority(Lane.ONDEMAND))
        gates.release("j1")
        assert await scheduler.run(gates.job, "j1", priority=Priority(Lane.ONDEMAND)) == "j1"
    finally:
        scheduler.close()


async def test_both_workers_busy_while_jobs_wait(gates):
    scheduler = WorkScheduler(workers=2)
    try:
        jobs = [submit(scheduler, gates, f"j{i}", Lane.LOOKAHEAD) for i in range(4)]
        await until(lambda: len(gates.started) == 2)
        assert scheduler.stats.running == 2 and scheduler.queued == 2
        gates.release(*[f"j{i}" for i in range(4)])
        await asyncio.gather(*jobs)
        assert sorted(gates.started) == ["j0", "j1", "j2", "j3"]
    finally:
        scheduler.close()


async def test_cheap_on_demand_plans_use_an_idle_worker_but_background_ones_do_not(gates):
    scheduler = WorkScheduler(workers=2, overflow_cost_s=1.5)
    try:
        first = submit(scheduler, gates, "plan1", Lane.BACKGROUND, long=True, cost_s=1.0)
        second = submit(scheduler, gates, "plan2", Lane.BACKGROUND, long=True, cost_s=1.0)
        await until(lambda: gates.started == ["plan1"])
        await asyncio.sleep(0.05)
        assert gates.started == ["plan1"]  # background work never overflows
        cheap = submit(scheduler, gates, "j1", Lane.ONDEMAND, long=True, cost_s=1.0)
        await until(lambda: "j1" in gates.started)  # a listener's short plan takes the idle one
        assert scheduler.stats.long_running == 2
        gates.release("plan1", "j1", "plan2")
        await asyncio.gather(first, second, cheap)
    finally:
        scheduler.close()


async def test_on_demand_plans_overflow_past_look_ahead_but_not_past_a_listeners_chunk(gates):
    scheduler = WorkScheduler(workers=2, overflow_cost_s=1.5)
    try:
        plan1 = submit(scheduler, gates, "plan1", Lane.ONDEMAND, long=True, cost_s=1.0)
        lookahead = submit(scheduler, gates, "ahead", Lane.LOOKAHEAD)
        await until(lambda: gates.started == ["plan1", "ahead"])
        chunk = submit(scheduler, gates, "chunk", Lane.ONDEMAND)  # a listener's chunk
        plan2 = submit(scheduler, gates, "plan2", Lane.ONDEMAND, long=True, cost_s=1.0)
        later = submit(scheduler, gates, "later", Lane.LOOKAHEAD)
        gates.release("ahead")
        await until(lambda: "chunk" in gates.started)  # the chunk first
        gates.release("chunk")
        # then the second plan, ahead of the queued look-ahead render
        await until(lambda: "plan2" in gates.started)
        assert "later" not in gates.started and scheduler.stats.long_running == 2
        gates.release("plan1", "plan2", "later")
        await asyncio.gather(plan1, lookahead, chunk, plan2, later)
    finally:
        scheduler.close()


async def test_listeners_are_active_for_a_while_after_an_on_demand_job(gates):
    scheduler = WorkScheduler(workers=2)
    try:
        gates.release("a", "b", "c")
        await submit(scheduler, gates, "a", Lane.BACKGROUND)
        await submit(scheduler, gates, "b", Lane.LOOKAHEAD)
        assert not scheduler.listeners_active(60.0)  # background and warming are no listener
        await submit(scheduler, gates, "c", Lane.ONDEMAND)
        assert scheduler.listeners_active(60.0)
        await asyncio.sleep(0.05)
        assert not scheduler.listeners_active(0.01)
    finally:
        scheduler.close()


async def test_a_listener_promoting_a_queued_job_counts_as_active(gates):
    scheduler = WorkScheduler(workers=1)
    try:
        running = submit(scheduler, gates, "a", Lane.BACKGROUND)
        queued = submit(scheduler, gates, "b", Lane.LOOKAHEAD, tag="k")
        await until(lambda: gates.started == ["a"])
        assert not scheduler.listeners_active(60.0)
        assert scheduler.promote("k", Priority(Lane.ONDEMAND, 0.0))
        assert scheduler.listeners_active(60.0)
        gates.release("a", "b")
        await asyncio.gather(running, queued)
    finally:
        scheduler.close()
