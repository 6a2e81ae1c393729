"""SingleFlight on its own: one task per key, shared result, shielded from cancellation."""

from __future__ import annotations

import asyncio

import pytest

from masterstream.cache import SingleFlight


async def test_concurrent_calls_share_one_run_and_sequential_calls_do_not() -> None:
    flight = SingleFlight()
    runs = 0

    async def work() -> str:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.01)
        return f"result{runs}"

    results = await asyncio.gather(*(flight.run("k", work) for _ in range(20)))
    assert results == ["result1"] * 20
    assert (runs, flight.flights, flight.coalesced_waiters) == (1, 1, 19)
    assert "k" not in flight
    assert await flight.run("k", work) == "result2"


async def test_a_failure_reaches_every_waiter_and_is_not_remembered() -> None:
    flight = SingleFlight()

    async def boom() -> None:
        await asyncio.sleep(0.01)
        raise ValueError("boom")

    results = await asyncio.gather(
        *(flight.run("k", boom) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, ValueError) for r in results)
    assert len(flight) == 0


async def test_cancelling_every_waiter_leaves_the_work_running() -> None:
    flight = SingleFlight()
    finished = asyncio.Event()

    async def work() -> int:
        await asyncio.sleep(0.02)
        finished.set()
        return 1

    waiter = asyncio.ensure_future(flight.run("k", work))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.wait_for(finished.wait(), 5)


async def test_aclose_cancels_running_work() -> None:
    flight = SingleFlight()
    waiter = asyncio.ensure_future(flight.run("k", lambda: asyncio.sleep(60)))
    await asyncio.sleep(0)
    await flight.aclose()
    with pytest.raises(asyncio.CancelledError):
        await waiter
