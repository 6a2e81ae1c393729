"""Prometheus export of the cache, monitor and endpoint figures, on a registry per app.

``build_cache_registry(cache=..., monitor=..., metrics=...)`` returns a fresh
``CollectorRegistry`` (never the global ``REGISTRY``) holding one
:class:`CacheCollector`, which reads the figures at scrape time through
:func:`~.figures.read_figures`: a ``ChunkCache``'s typed ``stats()`` (a scrape costs the
same however many chunks are cached), else a seed-shaped ``get_stats()``. Names carry the
``masterstream_`` prefix and base units (seconds, bytes); counters end in ``_total``;
the only labels are ``tier`` (tier1, tier2, shared), ``source`` (tier1, tier2, miss, error),
``status`` and ``level`` (health levels) and ``server_id`` (one value per process, on
``masterstream_server_info`` only) — all bounded. Request latency is the HTTP layer's
one histogram (``masterstream_http_request_duration_seconds``), not exported here.

Scrape from the event loop thread: the memory tier's counters are not read under a lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from .alerts import HealthStatus
from .endpoint_metrics import EndpointMetrics
from .figures import CacheFigures, read_figures

PREFIX = "masterstream_"
TIERS = ("tier1", "tier2")
TIER_COUNTERS = {
    "hits": "Lookups answered by the tier.",
    "misses": "Lookups the tier could not answer.",
    "inserts": "Entries stored in the tier.",
    "evictions": "Entries evicted by the tier's policy to stay within capacity.",
    "evicted_bytes": "Bytes evicted by the tier's policy.",
    "corrupt_reads": "Entries found corrupt on read (dropped, never served).",
    "write_errors": "Writes that stored nothing: failed (full, read-only or failing disk) "
    "or skipped while the tier is degraded.",
}
RENDER_COUNTERS = (
    ("count", "renders", "Chunks rendered on a cache miss or by the warmer.", 1.0),
    ("failures", "render_failures", "Renders that raised.", 1.0),
    ("total_ms", "render_seconds", "Time spent rendering chunks.", 0.001),
    ("coalesced_waiters", "render_coalesced_waiters",
     "Requests that joined a render already running for their chunk.", 1.0),
)  # fmt: skip
TIER_GAUGES = {
    "size_bytes": "Bytes held by the tier.",
    "capacity_bytes": "Byte capacity of the tier.",
    "chunks": "Chunks held by the tier.",
    "degraded": "1 while the tier stores nothing (failing writes; probed until it recovers).",
}


class CacheCollector(Collector):
    """Collects the cache's figures, the monitor's health and endpoint metrics."""

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
            yield from self._cache_families(read_figures(self.cache))
            yield from self._shared_families(getattr(self.cache, "shared", None))
        if self.monitor is not None:
            yield from self._health_families()
        if self.metrics is not None:
            yield from self._request_families(self.metrics)

    def _cache_families(self, figures: CacheFigures) -> Iterator[Metric]:
        tiers = {"tier1": figures.tier1, "tier2": figures.tier2}
        if figures.shared is not None:
            tiers["shared"] = figures.shared
        if figures.server_id is not None:
            info = GaugeMetricFamily(f"{PREFIX}server_info", "This server's id (always 1).",
                                     labels=["server_id"])  # fmt: skip
            info.add_metric([figures.server_id], 1.0)
            yield info
        for family_type, fields in (
            (CounterMetricFamily, TIER_COUNTERS),
            (GaugeMetricFamily, TIER_GAUGES),
        ):
            for field, doc in fields.items():
                family = family_type(f"{PREFIX}cache_{field}", doc, labels=["tier"])
                for name, tier in tiers.items():
                    value = getattr(tier, field)
                    if value is not None:
                        family.add_metric([name], float(value))
                yield family
        overall = figures.overall
        gauges = (
            ("hit_ratio", "Share of requests answered by a tier.", overall.overall_hit_rate),
            ("tracks_cached", "Tracks with at least one cached chunk.", overall.tracks_cached),
        )
        for name, doc, value in gauges:
            yield GaugeMetricFamily(f"{PREFIX}cache_{name}", doc, value=float(value))
        render = figures.render or {}
        for field, name, doc, scale in RENDER_COUNTERS:
            value = render.get(field)
            if value is not None:
                yield CounterMetricFamily(f"{PREFIX}cache_{name}", doc, value=value * scale)

    def _shared_families(self, shared: Any) -> Iterator[Metric]:
        """The link to the shared (Redis) tier, when this server has one."""
        if shared is None:
            return
        status = shared.status()
        yield GaugeMetricFamily(
            f"{PREFIX}shared_tier_up",
            "1 while the shared tier is reachable (breaker closed, events subscribed).",
            value=1.0 if status["available"] else 0.0,
        )
        yield CounterMetricFamily(
            f"{PREFIX}shared_tier_failures", "Shared-tier operations that failed.",
            value=float(status["failures"] or 0),
        )  # fmt: skip

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
        metrics.settle()
        for source, buckets in metrics.latency_buckets.items():
            requests.add_metric([source], float(buckets.count))
        yield requests


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
