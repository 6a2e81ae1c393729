"""The running app's /metrics: runtime collectors, build info, render histogram, one latency
family, bounded labels; parsed with prometheus_client's own parser."""

from __future__ import annotations

import platform
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import masterstream
from masterstream.api.http_metrics import RENDER_BUCKETS_S
from masterstream.mastering import PIPELINE_VERSION

from .live_app import first_track_id, tone_app_client

EXPECTED_TYPES = {
    "process_resident_memory_bytes": "gauge",
    "process_cpu_seconds": "counter",
    "process_open_fds": "gauge",
    "python_info": "gauge",
    "python_gc_objects_collected": "counter",
    "masterstream_build_info": "gauge",
    "masterstream_render_duration_seconds": "histogram",
    "masterstream_http_request_duration_seconds": "histogram",
    "masterstream_http_requests": "counter",
    "masterstream_requests": "counter",
    "masterstream_cache_hits": "counter",
    "masterstream_cache_size_bytes": "gauge",
    "masterstream_cache_capacity_bytes": "gauge",
    "masterstream_cache_hit_ratio": "gauge",
    "masterstream_cache_health_status": "gauge",
    "masterstream_cache_renders": "counter",
    "masterstream_render_queued": "gauge",
}
# every label a masterstream family may carry; each takes a bounded set of values
BOUNDED_LABELS = {"tier", "source", "status", "level", "server_id", "route", "method", "lane",
                  "format", "version", "pipeline_version", "python", "le"}  # fmt: skip


@pytest.fixture
async def client(tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in tone_app_client(tmp_path):
        yield c


async def scrape(client: httpx.AsyncClient) -> dict:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {f.name: f for f in text_string_to_metric_families(response.text)}


async def test_families_exist_with_their_types(client) -> None:
    families = await scrape(client)
    assert {name: families[name].type for name in EXPECTED_TYPES} == EXPECTED_TYPES
    assert "masterstream_request_duration_seconds" not in families  # one latency family
    for family in families.values():
        if family.name.startswith("masterstream_"):
            for sample in family.samples:
                assert set(sample.labels) <= BOUNDED_LABELS, sample


async def test_build_info_names_the_running_build(client) -> None:
    (sample,) = (await scrape(client))["masterstream_build_info"].samples
    assert sample.value == 1.0
    assert sample.labels == {"version": masterstream.__version__,
                             "pipeline_version": PIPELINE_VERSION,
                             "python": platform.python_version()}  # fmt: skip


async def test_render_histogram_counts_misses_by_format_not_hits(client) -> None:
    track_id = await first_track_id(client)
    for fmt in ("wav", "flac", "wav"):  # the second wav is a hit
        response = await client.get(f"/api/tracks/{track_id}/chunks/1", params={"format": fmt})
        assert response.status_code == 200
    family = (await scrape(client))["masterstream_render_duration_seconds"]
    counts = {s.labels["format"]: s.value for s in family.samples if s.name.endswith("_count")}
    assert counts == {"wav": 1.0, "flac": 1.0}
    bounds = sorted(
        float(s.labels["le"]) for s in family.samples
        if s.name.endswith("_bucket") and s.labels["format"] == "wav"
    )  # fmt: skip
    assert bounds[:-1] == list(RENDER_BUCKETS_S) and bounds[-1] == float("inf")
    assert bounds[0] == 0.02 and bounds[-2] == 5.0
    total_s = [s.value for s in family.samples if s.name.endswith("_sum")]
    assert all(0 < value < 60 for value in total_s)


async def test_process_metrics_are_this_process(client) -> None:
    families = await scrape(client)
    (rss,) = families["process_resident_memory_bytes"].samples
    with open("/proc/self/status") as status:
        vm_rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    assert rss.value == pytest.approx(vm_rss_kb * 1024, rel=0.2)
