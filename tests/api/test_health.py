"""/livez, /readyz, /api/health and /metrics."""

from __future__ import annotations

import asyncio

from prometheus_client.parser import text_string_to_metric_families


async def test_livez_and_readyz(client):
    assert (await client.get("/livez")).json() == {"status": "pass"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"catalog": "pass", "cache": "pass"}


async def test_readyz_fails_when_the_catalog_is_closed(client, app):
    app.state.ms.engine.catalog.close()
    ready = await client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["status"] == "fail"
    health = await client.get("/api/health")
    assert health.status_code == 503 and health.json()["status"] == "fail"
    assert (await client.get("/livez")).status_code == 200


async def test_health_is_health_json(client):
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/health+json")
    body = response.json()
    assert body["status"] == "pass"
    assert body["checks"]["cache:monitor"][0]["observedValue"] == "healthy"


async def test_a_low_hit_rate_warns_but_stays_ready(client, app, tracks):
    monitor = app.state.ms.monitor
    monitor.min_requests = 1  # judge the hit rate from the first request on
    for k in range(3):  # three misses: hit rate 0
        await client.get(f"/api/tracks/{tracks['b-mono']['id']}/chunks/{k}")
    await asyncio.sleep(0.2)  # the live feed updates the monitor
    health = await client.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "warn"
    assert (await client.get("/readyz")).status_code == 200
    cache_health = (await client.get("/api/cache/health")).json()
    assert cache_health["status"] == "critical" and cache_health["healthy"] is False


async def test_prometheus_metrics(client, tracks):
    url = f"/api/tracks/{tracks['a-stereo']['id']}/chunks/0"
    await client.get(url)
    await client.get(url)
    await client.get("/api/tracks/99999")
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    requests = families["masterstream_http_requests"]
    by_labels = {
        (s.labels["route"], s.labels["source"], s.labels["status"]): s.value
        for s in requests.samples
        if s.name.endswith("_total")
    }
    route = "/api/tracks/{track_id}/chunks/{chunk_idx}"
    assert by_labels[(route, "miss", "200")] == 1
    assert by_labels[(route, "tier1", "200")] == 1
    assert by_labels[("/api/tracks/{track_id}", "none", "404")] == 1
    assert "masterstream_http_request_duration_seconds" in families
    hits = {s.labels.get("tier"): s.value for s in families["masterstream_cache_hits"].samples}
    assert hits["tier1"] == 1
    assert "masterstream_warmer_streams" in families
    assert "masterstream_websocket_clients" in families
