"""Prometheus export of the cache, monitor and endpoint figures, on a registry per app.

``build_cache_registry(cache=..., monitor=..., metrics=...)`` returns a fresh
``CollectorRegistry`` (never the global ``REGISTRY``) holding one
:class:`CacheCollector`, which reads the figures at scrape time. Names carry the
``masterstream_`` prefix and base units (seconds, bytes); counters end in ``_total``;
the only labels are ``tier`` (tier1, tier2), ``source`` (tier1, tier2, miss, error),
``status`` and ``level`` (health levels) — all bounded. The request latency histogram
has buckets from 100 µs to 10 s (:data:`~.percentiles.LATENCY_BUCKETS_S`).

Scrape from the event loop thread: ``get_stats()`` of the memory tier is not thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from .alerts import HealthStatus
from .endpoint_metrics import EndpointMetrics

PREFIX = "masterstream_"
TIERS = ("tier1", "tier2")
TIER_COUNTERS = {
    "hits": "Lookups answered by the tier.",
    "misses": "Lookups the tier could not answer.",
    "inserts": "Entries stored in the tier.",
    "evictions": "Entries evicted by the tier's policy to stay within capacity.",
    "evicted_bytes": "Bytes evicted by the tier's policy.",
    "corrupt_reads": "Entries found corrupt on read (dropped, never served).",
}
TIER_GAUGES = {
    "size_bytes": "Bytes held by the tier.",
    "capacity_bytes": "Byte capacity of the tier.",
    "chunks": "Chunks held by the tier.",
}


def _num(section: Mapping[str, Any], key: str) -> float | None:
    value = section.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class CacheCollector(Collector):
    """Collects the cache's ``get_stats()``, the monitor's health and endpoint metrics."""

    def __init__(
        self,
        cache: Any = None,
        monitor: Any = None,
        metrics: EndpointMetrics | None = None,
    ) -> None:
        if cache is None and monitor is not None:
            cache = getattr(monitor, "cache_manager", None)
        self.cache = cache
        self.monitor = monitor
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        if self.cache is not None:
            yield from self._cache_families(self.cache.get_stats())
        if self.monitor is not None:
            yield from self._health_families()
        if self.metrics is not None:
            yield from self._request_families(self.metrics)

    def _cache_families(self, stats: Mapping[str, Any]) -> Iterator[Metric]:
        tiers = {name: stats.get(name) or {} for name in TIERS}
        for field, doc in TIER_COUNTERS.items():
            family = CounterMetricFamily(f"{PREFIX}cache_{field}", doc, labels=["tier"])
            for name, tier in tiers.items():
                value = _num(tier, field)
                if value is not None:
                    family.add_metric([name], value)
            yield family
        for field, doc in TIER_GAUGES.items():
            family = GaugeMetricFamily(f"{PREFIX}cache_{field}", doc, labels=["tier"])
            for name, tier in tiers.items():
                value = _num(tier, field)
                if value is None and field == "size_bytes":
                    size_mb = _num(tier, "size_mb")
                    value = None if size_mb is None else size_mb * 1_000_000
                if value is not None:
                    family.add_metric([name], value)
            yield family
        overall = stats.get("overall") or {}
        for field, name, doc in (
            ("overall_hit_rate", "cache_hit_ratio", "Share of requests answered by a tier."),
            ("tracks_cached", "cache_tracks_cached", "Tracks with at least one cached chunk."),
        ):
            value = _num(overall, field)
            if value is not None:
                yield GaugeMetricFamily(f"{PREFIX}{name}", doc, value=value)
        render = stats.get("render") or {}
        for field, name, doc, scale in (
            ("count", "renders", "Chunks rendered on a cache miss or by the warmer.", 1.0),
            ("failures", "render_failures", "Renders that raised.", 1.0),
            ("total_ms", "render_seconds", "Time spent rendering chunks.", 0.001),
            ("coalesced_waiters", "render_coalesced_waiters",
             "Requests that joined a render already running for their chunk.", 1.0),
        ):  # fmt: skip
            value = _num(render, field)
            if value is not None:
                yield CounterMetricFamily(f"{PREFIX}cache_{name}", doc, value=value * scale)

    def _health_families(self) -> Iterator[Metric]:
        status, alerts = self.monitor.get_health_status()
        family = GaugeMetricFamily(
            f"{PREFIX}cache_health_status", "1 for the current health status.", labels=["status"]
        )
        for level in HealthStatus:
            family.add_metric([level.value], 1.0 if level is status else 0.0)
        yield family
        active = GaugeMetricFamily(
            f"{PREFIX}cache_active_alerts", "Active cache alerts by level.", labels=["level"]
        )
        for level in (HealthStatus.WARNING, HealthStatus.CRITICAL):
            active.add_metric([level.value], float(sum(a.level is level for a in alerts)))
        yield active

    def _request_families(self, metrics: EndpointMetrics) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            f"{PREFIX}requests", "Cache-aware requests by where they were served from.",
            labels=["source"],
        )  # fmt: skip
        latency = HistogramMetricFamily(
            f"{PREFIX}request_duration_seconds",
            "Processing time of cache-aware requests.",
            labels=["source"],
        )
        for source, buckets in metrics.latency_buckets.items():
            requests.add_metric([source], float(buckets.count))
            latency.add_metric([source], buckets.cumulative(), sum_value=buckets.sum)
        yield requests
        yield latency


def build_cache_registry(
    *,
    cache: Any = None,
    monitor: Any = None,
    metrics: EndpointMetrics | None = None,
    registry: CollectorRegistry | None = None,
) -> CollectorRegistry:
    """A new registry (or ``registry``) with a :class:`CacheCollector` registered on it."""
    target = registry if registry is not None else CollectorRegistry()
    target.register(CacheCollector(cache, monitor, metrics))
    return target
