"""EndpointMetrics: per-request records with an O(1), incrementally maintained summary.

``record`` appends to the retained history (``metrics``, the last ``max_history``
records) and adds the record to a window summary; the record that falls out is
subtracted. Nothing rescans the history. Times are summed as integer nanoseconds, so
the window's total is exact after any number of additions and removals. Percentiles
come from :class:`LogHistogram` windows (relative error 1 %). All-time counters and
fixed latency buckets (for Prometheus) are kept beside the window.

A request with ``success=False`` is an error: it counts in ``total_requests``,
``errors`` and the overall latency, never as a hit or a miss. Hit rates and the tier
percentages are over successful requests.

A server records every chunk it serves; :meth:`EndpointMetrics.defer` makes that an
append to a pending list, folded into the summary in batches and before anything reads it
(:class:`~.deferred.DeferredCalls`), so every reader sees every request while the hot path
touches one list instead of a dozen counters and histograms.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from ..errors import MonitoringError
from .deferred import DeferredCalls
from .percentiles import BucketCounts, LogHistogram
from .schemas import CacheSource
from .stats import check_processing_time_ms

SOURCES = tuple(source.value for source in CacheSource)
PERCENTILES = (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99))
NS_PER_MS = 1_000_000


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One recorded request."""

    endpoint: str
    cache_source: str
    processing_time_ms: float
    success: bool
    time_ns: int
    bucket: int | None  # the latency's LogHistogram bucket, computed once


def _percentiles(hist: LogHistogram) -> dict[str, float]:
    values = hist.quantiles(q for _, q in PERCENTILES)
    return {name: value for (name, _), value in zip(PERCENTILES, values, strict=True)}


class WindowStats:
    """Counts, exact time sum and latency histograms of a set of records (add/remove O(1))."""

    def __init__(self) -> None:
        self.total_requests = 0
        self.errors = 0
        self.by_source = dict.fromkeys(SOURCES, 0)
        self.time_ns = 0
        self.latency = LogHistogram()
        self.latency_by_source = {source: LogHistogram() for source in SOURCES}

    def add(self, rec: RequestRecord) -> None:
        self.total_requests += 1
        self.time_ns += rec.time_ns
        self.latency.add_index(rec.bucket)
        if rec.success:
            self.by_source[rec.cache_source] += 1
            self.latency_by_source[rec.cache_source].add_index(rec.bucket)
        else:
            self.errors += 1

    def remove(self, rec: RequestRecord) -> None:
        self.total_requests -= 1
        self.time_ns -= rec.time_ns
        self.latency.remove_index(rec.bucket)
        if rec.success:
            self.by_source[rec.cache_source] -= 1
            self.latency_by_source[rec.cache_source].remove_index(rec.bucket)
        else:
            self.errors -= 1

    def as_dict(self) -> dict[str, Any]:
        hits = self.by_source["tier1"] + self.by_source["tier2"] + self.by_source["shared"]
        lookups = hits + self.by_source["miss"]
        n = self.total_requests
        out: dict[str, Any] = {
            "total_requests": n,
            "cache_hits": hits,
            "cache_misses": self.by_source["miss"],
            "errors": self.errors,
            "tier1_hits": self.by_source["tier1"],
            "tier2_hits": self.by_source["tier2"],
            "shared_hits": self.by_source["shared"],
            "hit_rate": hits / lookups if lookups else 0.0,
            "avg_time_ms": self.time_ns / n / NS_PER_MS if n else 0.0,
        }
        out.update(_percentiles(self.latency))
        out["by_source"] = {
            source: {"requests": self.by_source[source], **_percentiles(hist)}
            for source, hist in self.latency_by_source.items()
        }
        return out


class EndpointMetrics:
    """Request metrics of cache-aware endpoints over the last ``max_history`` requests."""

    def __init__(self, max_history: int = 1000) -> None:
        if isinstance(max_history, bool) or not isinstance(max_history, int) or max_history < 1:
            raise MonitoringError(f"max_history must be a positive int, got {max_history!r}")
        self.max_history = max_history
        self.clear()

    def clear(self) -> None:
        """Forget every record, the window summary and the all-time counters."""
        self.metrics: deque[RequestRecord] = deque()
        self.window = WindowStats()
        self.endpoints: dict[str, WindowStats] = {}
        counters = ("total_requests", "cache_hits", "cache_misses", "errors")
        self.all_time = dict.fromkeys((*counters, "tier1_hits", "tier2_hits", "shared_hits"), 0)
        self.all_time_time_ns = 0
        self.latency_buckets = {source: BucketCounts() for source in (*SOURCES, "error")}
        self._deferred = DeferredCalls(self.record)

    def defer(
        self, endpoint: str, cache_source: str, processing_time_ms: float, success: bool = True
    ) -> None:
        """:meth:`record` later: before the next read, or with the next batch."""
        self._deferred.add(endpoint, cache_source, processing_time_ms, success)

    def settle(self) -> None:
        """Record every deferred request, in order."""
        self._deferred.settle()

    def record(
        self, endpoint: str, cache_source: str, processing_time_ms: float, success: bool = True
    ) -> RequestRecord:
        """Record one request in O(1); returns the stored record."""
        source = _source_value(cache_source)
        ms = check_processing_time_ms(processing_time_ms)
        bucket = self.window.latency.index_of(ms)
        rec = RequestRecord(str(endpoint), source, ms, bool(success), round(ms * NS_PER_MS), bucket)
        if len(self.metrics) >= self.max_history:
            self._forget(self.metrics.popleft())
        self.metrics.append(rec)
        self.window.add(rec)
        per_endpoint = self.endpoints.get(rec.endpoint)
        if per_endpoint is None:
            per_endpoint = self.endpoints[rec.endpoint] = WindowStats()
        per_endpoint.add(rec)
        self._count_all_time(rec)
        return rec

    def _forget(self, old: RequestRecord) -> None:
        self.window.remove(old)
        stats = self.endpoints[old.endpoint]
        stats.remove(old)
        if stats.total_requests == 0:
            del self.endpoints[old.endpoint]

    def _count_all_time(self, rec: RequestRecord) -> None:
        counters = self.all_time
        counters["total_requests"] += 1
        self.all_time_time_ns += rec.time_ns
        if not rec.success:
            counters["errors"] += 1
            self.latency_buckets["error"].observe(rec.processing_time_ms / 1000.0)
            return
        self.latency_buckets[rec.cache_source].observe(rec.processing_time_ms / 1000.0)
        if rec.cache_source == "miss":
            counters["cache_misses"] += 1
        else:
            counters["cache_hits"] += 1
            counters[f"{rec.cache_source}_hits"] += 1

    @property
    def summary(self) -> dict[str, Any]:
        """Figures of the retained window, built from the incremental window state."""
        self.settle()
        return self.window.as_dict()

    def get_summary(self) -> dict[str, Any]:
        """The window summary plus the all-time counters (``all_time``)."""
        out = self.summary
        total = self.all_time["total_requests"]
        out["all_time"] = {
            **self.all_time,
            "avg_time_ms": self.all_time_time_ns / total / NS_PER_MS if total else 0.0,
        }
        return out

    def get_tier_stats(self) -> dict[str, float]:
        """Shares of successful requests per source (percent) and the hit rate in [0, 1]."""
        self.settle()
        by_source = self.window.by_source
        lookups = sum(by_source.values())
        total = self.window.total_requests

        def percent(part: int, whole: int) -> float:
            return 100.0 * part / whole if whole else 0.0

        return {
            "tier1_percent": percent(by_source["tier1"], lookups),
            "tier2_percent": percent(by_source["tier2"], lookups),
            "shared_percent": percent(by_source["shared"], lookups),
            "miss_percent": percent(by_source["miss"], lookups),
            "error_percent": percent(self.window.errors, total),
            "hit_rate": (lookups - by_source["miss"]) / lookups if lookups else 0.0,
        }

    def get_endpoint_stats(self) -> dict[str, dict[str, Any]]:
        """The window summary of each endpoint seen in the retained history."""
        self.settle()
        return {name: stats.as_dict() for name, stats in sorted(self.endpoints.items())}

    def get_performance_trends(self, window: int = 10, threshold: float = 0.10) -> dict[str, Any]:
        """Mean latency of the last ``window`` requests against the earlier retained ones:
        ``improving`` if faster by more than ``threshold`` (relative), ``degrading`` if
        slower by more, else ``stable`` (also while there is nothing earlier to compare)."""
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise MonitoringError(f"window must be a positive int, got {window!r}")
        self.settle()
        n = len(self.metrics)
        recent_n = min(window, n)
        recent_ns = sum(self.metrics[n - 1 - i].time_ns for i in range(recent_n))
        earlier_n = n - recent_n
        recent_ms = recent_ns / recent_n / NS_PER_MS if recent_n else 0.0
        earlier_ms = (self.window.time_ns - recent_ns) / earlier_n / NS_PER_MS if earlier_n else 0.0
        change = (recent_ms - earlier_ms) / earlier_ms if earlier_n and earlier_ms > 0 else 0.0
        if earlier_n == 0 or abs(change) <= threshold:
            trend = "stable"
        else:
            trend = "degrading" if change > 0 else "improving"
        return {
            "trend": trend,
            "window": recent_n,
            "recent_avg_ms": recent_ms,
            "previous_avg_ms": earlier_ms,
            "change_percent": 100.0 * change,
            "compared_requests": earlier_n,
        }


def _source_value(cache_source: object) -> str:
    if type(cache_source) is str and cache_source in SOURCES:
        return cache_source
    try:
        return CacheSource(cache_source).value
    except ValueError:
        raise MonitoringError(
            f"unknown cache source {cache_source!r}; valid: {', '.join(SOURCES)}"
        ) from None
