"""A circuit breaker for the shared tier: after a few failed Redis calls in a row, stop
calling Redis for a while, then let one call through to probe whether it is back.

Closed: every call goes through; ``failure_threshold`` consecutive failures open it.
Open: no call goes through until ``reset_after_s`` has passed. Half-open: one probe call
goes through; its success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

log = logging.getLogger("masterstream.cache")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Counts consecutive failures; decides whether the next call may go through."""

    def __init__(
        self,
        failure_threshold: int = 3,
        reset_after_s: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        name: str | None = None,
    ) -> None:
        if failure_threshold < 1 or reset_after_s <= 0:
            raise ValueError("failure_threshold must be >= 1 and reset_after_s > 0")
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self.clock = clock
        self.name = name
        """Named breakers log opening and closing (once each); unnamed ones leave it to
        their owner."""
        self._failures = 0
        self._opened_at_s: float | None = None
        self._probing = False
        self.opened = 0
        """How many times the breaker opened."""
        self.rejected = 0
        """Calls refused while open."""

    @property
    def state(self) -> BreakerState:
        if self._opened_at_s is None:
            return BreakerState.CLOSED
        if self.clock() - self._opened_at_s >= self.reset_after_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may go through now (in half-open state: one probe at a time)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        self.rejected += 1
        return False

    def success(self) -> None:
        if self._opened_at_s is not None and self.name:
            log.info("%s is back: calls go through again", self.name)
        self._failures = 0
        self._opened_at_s = None
        self._probing = False

    def failure(self) -> None:
        self._failures += 1
        if self._probing or (
            self._opened_at_s is None and self._failures >= self.failure_threshold
        ):
            if self._opened_at_s is None and self.name:  # when it opens, not on every probe
                log.warning("%s degraded after %d failed calls in a row: serving from the "
                            "local tiers, probing every %.1f s", self.name, self._failures,
                            self.reset_after_s)  # fmt: skip
            self.opened += 1
            self._opened_at_s = self.clock()
        self._probing = False

    def abandon(self) -> None:
        """A call ended without a verdict (cancelled): let the next probe through."""
        self._probing = False
