"""How long the cache keeps a chunk that nobody asks for again.

A chunk rendered ahead of its listener is only worth its render if the cache still holds
it when the listener asks. In an LRU of ``C`` bytes a chunk left alone is evicted once
about ``C`` newer bytes have come in, and in a full cache bytes come in as fast as they
are evicted, so the *retention time* is ``C`` over the bytes evicted per second. Nothing
evicted (a cache not yet full, or a quiet one): infinite.

:class:`RetentionMeter` samples a cumulative evicted-bytes counter at most once per
``sample_every_s`` when asked, and takes the rate over the samples of the last
``window_s`` — O(1) memory per sample, nothing on the request path.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable


class RetentionMeter:
    """Seconds an untouched chunk stays cached, from the recent eviction rate."""

    def __init__(
        self,
        capacity_bytes: int,
        evicted_bytes: Callable[[], int],
        *,
        clock: Callable[[], float],
        window_s: float = 30.0,
        sample_every_s: float = 1.0,
    ) -> None:
        if capacity_bytes <= 0 or window_s <= 0 or sample_every_s <= 0:
            raise ValueError("capacity_bytes, window_s and sample_every_s must be positive")
        self.capacity_bytes = capacity_bytes
        self._evicted_bytes = evicted_bytes
        self._clock = clock
        self.window_s = window_s
        self.sample_every_s = sample_every_s
        self._samples: deque[tuple[float, int]] = deque()

    def retention_s(self) -> float:
        """``capacity / eviction rate`` over the last ``window_s`` (inf: nothing evicted)."""
        now_s = self._clock()
        samples = self._samples
        if not samples or now_s - samples[-1][0] >= self.sample_every_s:
            samples.append((now_s, self._evicted_bytes()))
            while len(samples) > 2 and now_s - samples[1][0] >= self.window_s:
                samples.popleft()
        (first_s, first), (last_s, last) = samples[0], samples[-1]
        if last <= first or last_s <= first_s:
            return math.inf
        return self.capacity_bytes / ((last - first) / (last_s - first_s))
