"""Cold-render budgets: how many chunks a user (or an anonymous loopback address) may have
rendered per minute. Cache hits are never counted and never refused."""

from __future__ import annotations

import time
from collections.abc import Callable

from .buckets import TokenBuckets

MINUTE_S = 60.0


class RenderBudget:
    """``renders_per_minute`` cold renders per principal key, as a token bucket (a burst of
    a minute's budget, refilled continuously); 0 disables budgeting."""

    def __init__(
        self, renders_per_minute: int, *, clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:  # fmt: skip
        self.renders_per_minute = renders_per_minute
        self.buckets = TokenBuckets(renders_per_minute, MINUTE_S, clock=clock,
                                     max_keys=max_keys)  # fmt: skip
        self.refused = 0
        self.others: dict[str, float] = {}
        """Renders other servers did for a key in the last minute (:mod:`.cluster_budget`)."""
        self.on_charge: list[Callable[[str, int], None]] = []

    @property
    def enabled(self) -> bool:
        return not self.buckets.unlimited

    def retry_after_s(self, key: str) -> float | None:
        """None if ``key`` may have a chunk rendered now; else seconds until it may (other
        servers' renders for ``key`` count too)."""
        tokens = self.remaining(key)
        if tokens >= 1.0:
            return None
        return (1.0 - tokens) * MINUTE_S / self.renders_per_minute

    def refuse(self) -> None:
        """Count one refused render (reported in metrics)."""
        self.refused += 1

    def charge(self, key: str, renders: int = 1) -> None:
        """Count ``renders`` cold renders done for ``key``."""
        self.buckets.charge(key, renders)
        for listener in self.on_charge:
            listener(key, renders)

    def remaining(self, key: str) -> float:
        return self.buckets.available(key) - self.others.get(key, 0.0)
