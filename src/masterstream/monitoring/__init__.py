"""The seed's cache-integration layer: schemas, stats helpers, the cache monitor with
alerts and trends, endpoint metrics, cache-aware endpoint helpers and Prometheus export.

Monitoring reads a cache only through the protocols of :mod:`.source` — ``get_stats()``,
or a typed ``stats()`` snapshot when the cache has one — and, for the endpoint helpers,
``get_chunk``/``put_chunk``; it imports neither the cache nor the API layer.
"""

from .alerts import AlertRule, CacheAlert, HealthStatus
from .endpoint_metrics import EndpointMetrics, RequestRecord
from .endpoints import CacheAwareEndpoint, CacheQueryBuilder, create_cache_aware_handler
from .figures import CacheFigures, cache_figures, read_figures
from .monitor import CacheMetrics, CacheMonitor
from .percentiles import LATENCY_BUCKETS_S, LogHistogram
from .prometheus import CacheCollector, build_cache_registry
from .schemas import (
    CacheAlertResponse,
    CacheAwareResponse,
    CacheHealthResponse,
    CacheSource,
    CacheStatsResponse,
    CacheTierStats,
    ChunkCacheMetadata,
    OverallCacheStats,
    TrackCacheStatusResponse,
)
from .source import SnapshotSource, StatsSnapshot, StatsSource
from .stats import (
    calculate_cache_hit_probability,
    create_cache_aware_response,
    estimate_cache_completion_time,
    format_cache_stats,
    measured_chunk_time_s,
)
from .trends import theil_sen

__all__ = [
    "LATENCY_BUCKETS_S",
    "AlertRule",
    "CacheAlert",
    "CacheAlertResponse",
    "CacheAwareEndpoint",
    "CacheAwareResponse",
    "CacheCollector",
    "CacheFigures",
    "CacheHealthResponse",
    "CacheMetrics",
    "CacheMonitor",
    "CacheQueryBuilder",
    "CacheSource",
    "CacheStatsResponse",
    "CacheTierStats",
    "ChunkCacheMetadata",
    "EndpointMetrics",
    "HealthStatus",
    "LogHistogram",
    "OverallCacheStats",
    "RequestRecord",
    "SnapshotSource",
    "StatsSnapshot",
    "StatsSource",
    "TrackCacheStatusResponse",
    "build_cache_registry",
    "cache_figures",
    "calculate_cache_hit_probability",
    "create_cache_aware_handler",
    "create_cache_aware_response",
    "estimate_cache_completion_time",
    "format_cache_stats",
    "measured_chunk_time_s",
    "read_figures",
    "theil_sen",
]
