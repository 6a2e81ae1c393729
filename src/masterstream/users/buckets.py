"""Token buckets by key (a user, an address, an account name), bounded in memory.

Each key has ``capacity`` tokens that refill continuously at ``capacity / period_s`` per
second. Charging may overdraw a bucket (by at most another ``capacity``), so work that
is counted after it happened — a render that turned out to be a miss — is still paid
for. A bucket that has refilled carries no information and is dropped when the table
grows past ``max_keys``; if every bucket is still in use, the least recently charged go.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated_s: float


class TokenBuckets:
    """``capacity`` tokens per ``period_s`` for each key (capacity 0: unlimited)."""

    def __init__(
        self, capacity: float, period_s: float, *, clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:  # fmt: skip
        if capacity < 0 or period_s <= 0:
            raise ValueError("capacity must be >= 0 and period_s > 0")
        self.capacity = float(capacity)
        self.period_s = float(period_s)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def unlimited(self) -> bool:
        return self.capacity == 0

    def _refilled(self, key: str, now_s: float) -> _Bucket | None:
        bucket = self._buckets.get(key)
        if bucket is not None:
            rate = self.capacity / self.period_s
            bucket.tokens = min(self.capacity, bucket.tokens + (now_s - bucket.updated_s) * rate)
            bucket.updated_s = now_s
        return bucket

    def available(self, key: str) -> float:
        """Tokens ``key`` has now (``capacity`` for a key never charged)."""
        if self.unlimited:
            return float("inf")
        bucket = self._refilled(key, self.clock())
        return self.capacity if bucket is None else bucket.tokens

    def retry_after_s(self, key: str) -> float | None:
        """None while ``key`` has a whole token; else seconds until it has one."""
        tokens = self.available(key)
        if tokens >= 1.0:
            return None
        return (1.0 - tokens) * self.period_s / self.capacity

    def charge(self, key: str, tokens: float = 1.0) -> None:
        """Take ``tokens`` from ``key``'s bucket (down to ``-capacity`` at most)."""
        if self.unlimited or tokens <= 0:
            return
        now_s = self.clock()
        bucket = self._refilled(key, now_s)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now_s)
        bucket.tokens = max(-self.capacity, bucket.tokens - tokens)
        self._buckets.move_to_end(key)
        self._prune()

    def refund(self, key: str, tokens: float = 1.0) -> None:
        """Give back ``tokens`` charged for work that turned out not to count."""
        bucket = self._refilled(key, self.clock())
        if bucket is not None:
            bucket.tokens = min(self.capacity, bucket.tokens + tokens)

    def reset(self, key: str) -> None:
        self._buckets.pop(key, None)

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune(self) -> None:
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
