"""Latency distributions: a mergeable log-bucketed histogram and fixed Prometheus buckets.

:class:`LogHistogram` is a DDSketch-style histogram. A value ``x > min_value`` goes to
bucket ``i = ceil(log_gamma(x))`` with ``gamma = (1 + alpha) / (1 - alpha)``, i.e. the
interval ``(gamma**(i-1), gamma**i]``, and is estimated as ``2 * gamma**i / (gamma + 1)``.
Every value in a bucket is within relative error ``alpha`` of that estimate, so a
quantile estimate is within ``alpha`` (default 1 %) of the true order statistic it
stands for (the value of rank ``floor(q * (n - 1))``, numpy's ``method="lower"``).
Values at or below ``min_value`` (default 1 ns in milliseconds) count as zero.

Adding and removing a value are O(1) (one dict update), so the histogram can follow a
sliding window; two histograms with the same ``alpha`` merge by adding counts. A
quantile walks the occupied buckets, whose number is bounded by the dynamic range
(about 1,400 buckets from 1 ns to 1 hour at 1 %), never by the number of values.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable

from ..errors import MonitoringError

DEFAULT_RELATIVE_ERROR = 0.01
DEFAULT_MIN_VALUE = 1e-6

LATENCY_BUCKETS_S: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
"""Upper bounds (seconds) of the Prometheus latency buckets: 100 µs up to 10 s."""


class LogHistogram:
    """Counts of values in logarithmic buckets with relative error ``alpha``."""

    def __init__(
        self, alpha: float = DEFAULT_RELATIVE_ERROR, min_value: float = DEFAULT_MIN_VALUE
    ) -> None:
        if not 0.0 < alpha < 1.0:
            raise MonitoringError(f"relative error alpha must be in (0, 1), got {alpha!r}")
        self.alpha = alpha
        self.min_value = min_value
        self.gamma = (1.0 + alpha) / (1.0 - alpha)
        self._log_gamma = math.log(self.gamma)
        self.buckets: dict[int, int] = {}
        self.zero_count = 0
        self.count = 0

    def index_of(self, value: float) -> int | None:
        """The bucket of ``value`` (None: the zero bucket); rejects negative or non-finite."""
        if not math.isfinite(value) or value < 0.0:
            raise MonitoringError(f"histogram values must be finite and >= 0, got {value!r}")
        if value <= self.min_value:
            return None
        return math.ceil(math.log(value) / self._log_gamma)

    def add(self, value: float, count: int = 1) -> None:
        self.add_index(self.index_of(value), count)

    def add_index(self, index: int | None, count: int = 1) -> None:
        """Count ``count`` values in bucket ``index`` (from :meth:`index_of`)."""
        if index is None:
            self.zero_count += count
        else:
            self.buckets[index] = self.buckets.get(index, 0) + count
        self.count += count

    def remove(self, value: float) -> None:
        """Forget one earlier ``add(value)`` (for sliding windows)."""
        if not self.remove_index(self.index_of(value)):
            raise MonitoringError(f"cannot remove {value!r}: it was never added")

    def remove_index(self, index: int | None) -> bool:
        """Forget one value of bucket ``index``; False (and nothing changed) if it is empty."""
        if index is None:
            if self.zero_count <= 0:
                return False
            self.zero_count -= 1
        else:
            held = self.buckets.get(index, 0)
            if held <= 0:
                return False
            if held == 1:
                del self.buckets[index]
            else:
                self.buckets[index] = held - 1
        self.count -= 1
        return True

    def merge(self, other: LogHistogram) -> None:
        """Add every count of ``other`` (same ``alpha`` and ``min_value`` required)."""
        if other.alpha != self.alpha or other.min_value != self.min_value:
            raise MonitoringError("only histograms with the same alpha and min_value merge")
        for index, count in other.buckets.items():
            self.buckets[index] = self.buckets.get(index, 0) + count
        self.zero_count += other.zero_count
        self.count += other.count

    def clear(self) -> None:
        self.buckets.clear()
        self.zero_count = 0
        self.count = 0

    def estimate(self, index: int) -> float:
        return 2.0 * self.gamma**index / (self.gamma + 1.0)

    def quantile(self, q: float) -> float:
        """The value of rank ``floor(q * (count - 1))`` within relative error ``alpha``;
        0.0 when empty."""
        return self.quantiles((q,))[0]

    def quantiles(self, qs: Iterable[float]) -> list[float]:
        """:meth:`quantile` of each of ``qs``, in one pass over the occupied buckets."""
        qs = list(qs)
        for q in qs:
            if not 0.0 <= q <= 1.0:
                raise MonitoringError(f"quantile must be in [0, 1], got {q!r}")
        if self.count == 0:
            return [0.0] * len(qs)
        ranks = sorted((math.floor(q * (self.count - 1)), i) for i, q in enumerate(qs))
        out = [0.0] * len(qs)
        pending = iter(ranks)
        rank, slot = next(pending)
        seen = self.zero_count
        try:
            while rank < seen:  # ranks inside the zero bucket
                rank, slot = next(pending)
            for index in sorted(self.buckets):
                seen += self.buckets[index]
                while rank < seen:
                    out[slot] = self.estimate(index)
                    rank, slot = next(pending)
        except StopIteration:
            return out
        raise MonitoringError("histogram counts are inconsistent")  # counts never add up short


class BucketCounts:
    """Non-cumulative counts per fixed upper bound (the last slot is +Inf) and a sum."""

    def __init__(self, bounds: tuple[float, ...] = LATENCY_BUCKETS_S) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value
        self.count += 1

    def cumulative(self) -> list[tuple[str, int]]:
        """``[(le, cumulative count), …, ("+Inf", count)]`` as Prometheus expects."""
        out, running = [], 0
        for bound, count in zip((*self.bounds, math.inf), self.counts, strict=True):
            running += count
            out.append(("+Inf" if math.isinf(bound) else repr(bound), running))
        return out
