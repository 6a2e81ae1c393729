"""Prometheus export of the server: the app's own registry and HTTP request metrics.

:func:`build_registry` creates a registry per app (never the global one) holding the
monitoring layer's cache/health/endpoint collector, :class:`HttpMetrics` (requests and
latency by route template, method, status and cache source, observed by
:class:`~masterstream.api.observation.RequestObserver`) and :class:`ServerCollector`
(warmer, render queue, warming jobs, WebSocket clients), the process, platform and
garbage-collector collectors, ``masterstream_build_info`` and :class:`RenderMetrics` (how
long a request waited for its chunk's render, by output format). Every label is bounded.
"""

from __future__ import annotations

import platform
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .. import __version__
from ..mastering import PIPELINE_VERSION
from ..monitoring import LATENCY_BUCKETS_S, build_cache_registry
from ..monitoring.deferred import DeferredCalls

if TYPE_CHECKING:
    from ..monitoring import CacheMonitor, EndpointMetrics
    from ..service.chunks import ChunkResult
    from ..service.engine import Engine
    from .websocket import WebSocketHub

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
SOURCES = frozenset({"tier1", "tier2", "shared", "miss", "none"})
RENDER_BUCKETS_S = (0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)
"""Upper bounds (seconds) of the render-duration buckets: 20 ms to 5 s."""


class HttpMetrics:
    """HTTP request counts and latency by route template, method, status and cache source.

    Every label is bounded: unmatched paths share one route label, unusual methods and
    sources collapse to ``other``. Requests are counted in batches (see
    :meth:`EndpointMetrics.defer <masterstream.monitoring.EndpointMetrics.defer>`):
    :meth:`settle` before reading the registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "masterstream_http_requests", "HTTP requests by route, method, status, cache source.",
            ["route", "method", "status", "source"], registry=registry,
        )  # fmt: skip
        self.duration = Histogram(
            "masterstream_http_request_duration_seconds",
            "HTTP request duration (until the response body is sent) by route and cache source.",
            ["route", "source"], buckets=LATENCY_BUCKETS_S, registry=registry,
        )  # fmt: skip
        self._children: dict[tuple[str, str, int, str], tuple[Any, Any]] = {}
        self._deferred = DeferredCalls(self._count)

    def observe_request(
        self, route: str, method: str, status: int, source: str, duration_s: float
    ) -> None:
        self._deferred.add(route, method, status, source, duration_s)

    def settle(self) -> None:
        """Count every request observed since the last call."""
        self._deferred.settle()

    def _count(self, route: str, method: str, status: int, source: str, duration_s: float) -> None:
        method = method if method in HTTP_METHODS else "other"
        source = source if source in SOURCES else "other"
        labels = (route, method, status, source)
        children = self._children.get(labels)
        if children is None:  # one pair per label combination, bounded like the labels
            children = self._children[labels] = (
                self.requests.labels(route, method, str(status), source),
                self.duration.labels(route, source),
            )
        children[0].inc()
        children[1].observe(duration_s)


class RenderMetrics:
    """How long chunk requests that missed every tier waited for their render (queue,
    decode, mastering and encoding), by output format token (``wav``, ``mp3-192`` …: the
    formats the server accepts, so the label is bounded)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.duration = Histogram(
            "masterstream_render_duration_seconds",
            "Time a chunk request waited for its render on a miss, by output format.",
            ["format"], buckets=RENDER_BUCKETS_S, registry=registry,
        )  # fmt: skip

    def observe(self, result: ChunkResult) -> None:
        """A :class:`~masterstream.service.chunks.ChunkService` observer."""
        if result.source == "miss":
            self.duration.labels(result.key.fmt).observe(result.timings.render_ms / 1000.0)


def register_runtime(registry: CollectorRegistry) -> None:
    """The process (CPU, RSS, descriptors), platform and GC collectors, and
    ``masterstream_build_info`` (version, pipeline version, Python), on ``registry``."""
    # prometheus_client's own instances: they hold no state of ours, and a new
    # GCCollector would add a gc callback per app that is never removed
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(collector)
    info = Gauge(
        "masterstream_build_info", "The running build (always 1).",
        ["version", "pipeline_version", "python"], registry=registry,
    )  # fmt: skip
    info.labels(__version__, PIPELINE_VERSION, platform.python_version()).set(1)


class ServerCollector(Collector):
    """Gauges of the server itself: warmer, render queue, warming jobs, WebSocket clients."""

    def __init__(self, engine: Engine, hub: WebSocketHub) -> None:
        self.engine = engine
        self.hub = hub

    def collect(self) -> Iterator[Metric]:
        engine = self.engine
        warmer = engine.warmer.stats()
        scheduler = engine.scheduler.stats
        gauges = (
            ("warmer_streams", "Playback streams the warmer follows.", warmer.get("streams", 0)),
            ("warmer_running", "1 while the warmer's workers run.", warmer.get("running", 0)),
            ("render_workers_busy", "Render workers running a job now.", scheduler.running),
            ("render_workers_long", "Render workers running a plan now.", scheduler.long_running),
            ("warming_jobs", "Whole-track warm jobs running (POST /api/cache/warm).",
             len(engine.warming.active)),
            ("websocket_clients", "Connected WebSocket clients.", len(self.hub.clients)),
        )  # fmt: skip
        for name, doc, value in gauges:
            yield GaugeMetricFamily(f"masterstream_{name}", doc, value=float(value or 0))
        queued = GaugeMetricFamily(
            "masterstream_render_queued",
            "Jobs waiting for a render worker, by lane.",
            labels=["lane"],
        )
        started = CounterMetricFamily(
            "masterstream_render_jobs", "Jobs started on a render worker, by lane.", labels=["lane"]
        )
        waited = CounterMetricFamily(
            "masterstream_render_queue_wait_seconds", "Time jobs waited for a worker, by lane.",
            labels=["lane"],
        )  # fmt: skip
        for lane, figures in scheduler.lanes.items():
            queued.add_metric([lane], figures.queued)
            started.add_metric([lane], figures.started)
            waited.add_metric([lane], figures.wait_s_total)
        yield from (queued, started, waited)
        for name in ("hot_jobs", "fill_jobs", "failed_jobs"):
            yield CounterMetricFamily(
                f"masterstream_warmer_{name}", f"Warmer {name.replace('_', ' ')}.",
                value=float(warmer.get(name, 0) or 0),
            )  # fmt: skip


def build_registry(
    engine: Engine, monitor: CacheMonitor, metrics: EndpointMetrics, hub: WebSocketHub
) -> tuple[CollectorRegistry, HttpMetrics]:
    """The app's own Prometheus registry (never the global one): the monitoring layer's
    cache/health/endpoint collector, HTTP request metrics, server gauges, runtime
    collectors and render durations (observing ``engine.chunks``)."""
    registry = build_cache_registry(cache=engine.cache, monitor=monitor, metrics=metrics)
    registry.register(ServerCollector(engine, hub))
    register_runtime(registry)
    engine.chunks.observers.append(RenderMetrics(registry).observe)
    return registry, HttpMetrics(registry)
