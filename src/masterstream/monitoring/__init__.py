"""The seed's cache-integration layer: schemas, stats helpers, the cache monitor with
alerts and trends, endpoint metrics, cache-aware endpoint helpers and Prometheus export.

Monitoring reads the cache only through ``get_stats()`` (and, for the endpoint helpers,
``get_chunk``/``put_chunk``); it never imports the API layer.
"""

from .alerts import AlertRule, CacheAlert, HealthStatus
from .endpoint_metrics import EndpointMetrics, RequestRecord
from .endpoints import CacheAwareEndpoint, CacheQueryBuilder, create_cache_aware_handler
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
    "TrackCacheStatusResponse",
    "build_cache_registry",
    "calculate_cache_hit_probability",
    "create_cache_aware_handler",
    "create_cache_aware_response",
    "estimate_cache_completion_time",
    "format_cache_stats",
    "measured_chunk_time_s",
    "theil_sen",
]
