"""masterstream: music mastered on the fly, streamed from an observable two-tier chunk cache.

The public API is re-exported here (``from masterstream import CacheMonitor, ChunkCache``),
including every name the cache-integration seed document defines. Names load on first
use (PEP 562), so ``import masterstream`` stays cheap and a submodule pulls in only what
it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy_exports import lazy_exports

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # configuration and errors
    "Settings": "config",
    "MasterstreamError": "errors",
    "AudioError": "errors",
    "UnsupportedAudioError": "errors",
    "SourceUnavailableError": "errors",
    "InvalidRequestError": "errors",
    "UnknownPresetError": "errors",
    "InvalidIntensityError": "errors",
    "UnsupportedFormatError": "errors",
    "ChunkOutOfRangeError": "errors",
    "TrackNotFoundError": "errors",
    "CatalogError": "errors",
    "RenderError": "errors",
    "CacheError": "errors",
    # audio
    "ChunkGeometry": "audio",
    "TrackInfo": "audio",
    "read_info": "audio",
    "read_window": "audio",
    "content_signature": "audio",
    "encode": "audio",
    # mastering
    "PIPELINE_VERSION": "mastering",
    "PRESETS": "mastering",
    "PRESET_NAMES": "mastering",
    "Preset": "mastering",
    "Fingerprint": "mastering",
    "compute_fingerprint": "mastering",
    "MasteringPlan": "mastering",
    "plan_mastering": "mastering",
    "render_chunk": "mastering",
    "render_track": "mastering",
    # library
    "Catalog": "library",
    "synthesize_demo_library": "library",
    # cache
    "ChunkCache": "cache",
    "ChunkKey": "cache",
    "MemoryTier": "cache",
    "DiskTier": "cache",
    "LRUPolicy": "cache",
    "S3FIFOPolicy": "cache",
    "make_policy": "cache",
    "Warmer": "cache",
    # the seed document's cache-integration layer
    "CacheSource": "monitoring",
    "ChunkCacheMetadata": "monitoring",
    "TrackCacheStatusResponse": "monitoring",
    "CacheTierStats": "monitoring",
    "OverallCacheStats": "monitoring",
    "CacheStatsResponse": "monitoring",
    "CacheHealthResponse": "monitoring",
    "CacheAwareResponse": "monitoring",
    "calculate_cache_hit_probability": "monitoring",
    "format_cache_stats": "monitoring",
    "estimate_cache_completion_time": "monitoring",
    "create_cache_aware_response": "monitoring",
    "CacheMonitor": "monitoring",
    "CacheMetrics": "monitoring",
    "CacheAlert": "monitoring",
    "HealthStatus": "monitoring",
    "CacheAwareEndpoint": "monitoring",
    "CacheQueryBuilder": "monitoring",
    "EndpointMetrics": "monitoring",
    "create_cache_aware_handler": "monitoring",
    # monitoring beyond the seed
    "AlertRule": "monitoring",
    "CacheAlertResponse": "monitoring",
    "CacheCollector": "monitoring",
    "LATENCY_BUCKETS_S": "monitoring",
    "LogHistogram": "monitoring",
    "RequestRecord": "monitoring",
    "build_cache_registry": "monitoring",
    "measured_chunk_time_s": "monitoring",
    "theil_sen": "monitoring",
    "MonitoringError": "errors",
    "UnknownMetricError": "errors",
    # service and server
    "Engine": "service.engine",
    "create_app": "api",
}

__all__ = sorted([*_EXPORTS, "__version__"])


__getattr__ = lazy_exports(__name__, globals(), _EXPORTS)[0]  # __dir__ below adds __version__


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static analysers see the real objects
    from .api import create_app
    from .audio import ChunkGeometry, TrackInfo, content_signature, encode, read_info, read_window
    from .cache import (
        ChunkCache,
        ChunkKey,
        DiskTier,
        LRUPolicy,
        MemoryTier,
        S3FIFOPolicy,
        Warmer,
        make_policy,
    )
    from .config import Settings
    from .errors import (
        AudioError,
        CacheError,
        CatalogError,
        ChunkOutOfRangeError,
        InvalidIntensityError,
        InvalidRequestError,
        MasterstreamError,
        MonitoringError,
        RenderError,
        SourceUnavailableError,
        TrackNotFoundError,
        UnknownMetricError,
        UnknownPresetError,
        UnsupportedAudioError,
        UnsupportedFormatError,
    )
    from .library import Catalog, synthesize_demo_library
    from .mastering import (
        PIPELINE_VERSION,
        PRESET_NAMES,
        PRESETS,
        Fingerprint,
        MasteringPlan,
        Preset,
        compute_fingerprint,
        plan_mastering,
        render_chunk,
        render_track,
    )
    from .monitoring import (
        LATENCY_BUCKETS_S,
        AlertRule,
        CacheAlert,
        CacheAlertResponse,
        CacheAwareEndpoint,
        CacheAwareResponse,
        CacheCollector,
        CacheHealthResponse,
        CacheMetrics,
        CacheMonitor,
        CacheQueryBuilder,
        CacheSource,
        CacheStatsResponse,
        CacheTierStats,
        ChunkCacheMetadata,
        EndpointMetrics,
        HealthStatus,
        LogHistogram,
        OverallCacheStats,
        RequestRecord,
        TrackCacheStatusResponse,
        build_cache_registry,
        calculate_cache_hit_probability,
        create_cache_aware_handler,
        create_cache_aware_response,
        estimate_cache_completion_time,
        format_cache_stats,
        measured_chunk_time_s,
        theil_sen,
    )
    from .service.engine import Engine
