"""The package root re-exports the public API, including every name the seed defines."""

import subprocess
import sys

import masterstream

SEED_NAMES = {
    "CacheSource", "ChunkCacheMetadata", "TrackCacheStatusResponse", "CacheTierStats",
    "OverallCacheStats", "CacheStatsResponse", "CacheHealthResponse", "CacheAwareResponse",
    "calculate_cache_hit_probability", "format_cache_stats", "estimate_cache_completion_time",
    "create_cache_aware_response", "CacheMonitor", "CacheMetrics", "CacheAlert", "HealthStatus",
    "CacheAwareEndpoint", "CacheQueryBuilder", "EndpointMetrics", "create_cache_aware_handler",
}  # fmt: skip


def test_all_is_sorted_and_every_name_resolves():
    assert masterstream.__all__ == sorted(masterstream.__all__)
    for name in masterstream.__all__:
        assert getattr(masterstream, name) is not None, name


def test_every_seed_name_is_exported():
    assert set(masterstream.__all__) >= SEED_NAMES


def test_exports_are_the_objects_of_their_modules():
    from masterstream.cache import ChunkCache
    from masterstream.monitoring import CacheMonitor

    assert masterstream.CacheMonitor is CacheMonitor and masterstream.ChunkCache is ChunkCache


def test_unknown_attribute_is_an_attribute_error():
    try:
        masterstream.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_package_is_cheap():
    code = "import sys, masterstream; print('numpy' in sys.modules, 'fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
