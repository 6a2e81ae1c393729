"""Whether a disk tier can store: degraded after failed writes in a row, probed back.

A :class:`~.breaker.CircuitBreaker` counts consecutive failed writes (a full disk, a
read-only or failing filesystem, lost permissions). At ``failure_threshold`` the tier is
*degraded*: writes are skipped (and counted) instead of hitting a broken filesystem. After
``probe_after_s`` one write goes through as a probe — a chunk write, or the tier's small
probe file when nobody writes. Its success recovers the tier; its failure doubles the wait,
up to ``max_probe_after_s``. A recovery by the small probe file is on probation: the next
chunk write failing (a disk with room for the probe but not for a chunk) degrades the tier
again at once instead of after ``failure_threshold`` more failures.

The change into degraded is logged once at WARNING with the reason, the recovery once at
INFO. Not thread-safe: the tier calls it under its lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .breaker import BreakerState, CircuitBreaker

log = logging.getLogger(__name__)

DEFAULT_FAILURE_THRESHOLD = 3
DEFAULT_PROBE_AFTER_S = 30.0
MAX_PROBE_AFTER_S = 300.0


class WriteHealth:
    """Consecutive write failures of one tier, its degraded state and when to probe."""

    def __init__(
        self,
        tier_name: str,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        probe_after_s: float = DEFAULT_PROBE_AFTER_S,
        max_probe_after_s: float = MAX_PROBE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tier_name = tier_name
        self.breaker = CircuitBreaker(failure_threshold, probe_after_s, clock=clock)
        self.probe_after_s = probe_after_s
        self.max_probe_after_s = max(probe_after_s, max_probe_after_s)
        self.reason: str | None = None
        """The last failure, kept after a recovery (what went wrong last time)."""
        self.degradations = 0
        self._probation = False

    @property
    def degraded(self) -> bool:
        return self.breaker.state is not BreakerState.CLOSED

    def allow(self) -> bool:
        """Whether a write may be tried now (while degraded: one probe once it is due)."""
        return self.breaker.allow()

    def abandon(self) -> None:
        """An allowed write was not tried after all: let the next one probe."""
        self.breaker.abandon()

    def success(self, *, probe_file: bool = False) -> None:
        """A write worked (``probe_file``: only the small probe file, not a chunk)."""
        was_degraded = self.degraded
        self.breaker.success()
        if was_degraded:
            self.breaker.reset_after_s = self.probe_after_s
            self._probation = probe_file
            log.info("%s: the cache directory is writable again; storing chunks again",
                     self.tier_name)  # fmt: skip
        elif not probe_file:
            self._probation = False

    def failure(self, reason: str) -> None:
        """A write failed for ``reason``; degrades the tier at the threshold."""
        self.reason = reason
        was_degraded = self.degraded
        if self.breaker.state is BreakerState.HALF_OPEN:  # a probe failed: wait longer
            self.breaker.reset_after_s = min(self.max_probe_after_s, 2 * self.breaker.reset_after_s)
        if self._probation and not was_degraded:
            self._probation = False
            self.trip(reason)
            return
        self.breaker.failure()
        if not was_degraded and self.degraded:
            self._degraded_now()

    def trip(self, reason: str) -> None:
        """Degrade at once (the directory is unusable)."""
        self.reason = reason
        was_degraded = self.degraded
        for _ in range(self.breaker.failure_threshold):
            self.breaker.failure()
        if not was_degraded:
            self._degraded_now()

    def _degraded_now(self) -> None:
        self.degradations += 1
        log.warning("%s degraded: %s; serving from memory and renders, probing again in %.0f s",
                    self.tier_name, self.reason, self.breaker.reset_after_s)  # fmt: skip
