"""Counters in the shared Redis tier: one hash per window, expiring, through the tier's
timeout and circuit breaker (so a Redis outage reads as "no answer", never an error).
Render budgets use them to count a principal's renders across servers
(:class:`~masterstream.users.cluster_budget.ClusterBudget`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .shared import SharedTier


class SharedCounters:
    """``CounterStore`` over a :class:`~.shared.SharedTier`'s Redis client."""

    def __init__(self, tier: SharedTier, *, name: str = "budget") -> None:
        self.tier = tier
        self.prefix = f"{tier.namespace}:{name}:"

    async def add_counts(self, window: str, counts: dict[str, int], ttl_s: float) -> bool:
        """Add ``counts`` to ``window``'s hash (kept ``ttl_s``); False if Redis did not."""
        key = self.prefix + window

        async def add() -> bool:
            async with self.tier.client.pipeline(transaction=True) as pipe:
                for field, count in counts.items():
                    pipe.hincrby(key, field, count)
                pipe.expire(key, max(1, round(ttl_s)))
                await pipe.execute()
            return True

        return await self.tier.call(add, False)

    async def read_counts(self, window: str) -> dict[str, int] | None:
        """``window``'s counts (empty if none yet); None if Redis did not answer."""
        raw = await self.tier.call(lambda: self.tier.client.hgetall(self.prefix + window), None)
        if raw is None:
            return None
        return {_text(field): int(value) for field, value in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
