"""Cache statistics, health, per-track status, trends, endpoint metrics, admin actions."""

from __future__ import annotations

import asyncio

import pytest

from masterstream.api import create_app
from tests.api.conftest import make_options, open_client

TOKEN = "s3cret-token"


def chunk_url(track_id: int, k: int) -> str:
    return f"/api/tracks/{track_id}/chunks/{k}"


async def test_stats_count_what_happened(client, tracks):
    track = tracks["a-stereo"]
    await client.get(chunk_url(track["id"], 0))
    await client.get(chunk_url(track["id"], 0))
    stats = (await client.get("/api/cache/stats")).json()
    assert stats["tier1"]["hits"] == 1 and stats["tier1"]["chunks"] == 1
    assert stats["overall"]["total_misses"] == 1 and stats["overall"]["total_hits"] == 1
    assert stats["overall"]["overall_hit_rate"] == pytest.approx(0.5)
    assert str(track["id"]) in {str(k) for k in stats["tracks"]}


async def test_track_cache_status_per_variant(client, tracks):
    track = tracks["b-mono"]
    for k in range(track["chunk_count"]):
        await client.get(chunk_url(track["id"], k), params={"preset": "bright"})
    url = f"/api/cache/tracks/{track['id']}"
    done = (await client.get(url, params={"preset": "bright"})).json()
    assert done["total_chunks"] == 3 and done["fully_cached"] is True
    assert done["completion_percent"] == 100.0
    other = (await client.get(url, params={"preset": "warm"})).json()
    assert other["fully_cached"] is False and other["completion_percent"] == 0.0
    assert (await client.get("/api/cache/tracks/4242")).status_code == 404


async def test_health_and_trends(client, tracks):
    health = (await client.get("/api/cache/health")).json()
    assert health["status"] in {"healthy", "warning", "critical"}
    assert health["tier1_size_mb"] == 0
    await client.get(chunk_url(tracks["a-stereo"]["id"], 0))
    await asyncio.sleep(0.2)  # let the live feed take monitor snapshots
    trend = (await client.get("/api/cache/trends",
                              params={"metric": "tier1_size_mb", "window": 5})).json()  # fmt: skip
    assert trend["metric"] == "tier1_size_mb"
    assert trend["trend"] in {"up", "down", "stable", "none"}
    bad = await client.get("/api/cache/trends", params={"metric": "bogus"})
    assert bad.status_code == 422 and "overall_hit_rate" in bad.json()["valid_metrics"]


async def test_endpoint_metrics_record_every_chunk_request(client, tracks):
    track = tracks["a-stereo"]
    await client.get(chunk_url(track["id"], 0))
    await client.get(chunk_url(track["id"], 0))
    await client.get(chunk_url(track["id"], 1))
    body = (await client.get("/api/metrics/endpoints")).json()
    summary = body["summary"]
    assert summary["total_requests"] == 3
    assert summary["cache_misses"] == 2 and summary["tier1_hits"] == 1
    assert body["tier_stats"]["tier1_percent"] == pytest.approx(100 / 3, abs=0.1)
    assert "trend" in body["trends"]


async def test_clear_removes_bytes_in_every_tier(client, app, tracks):
    track = tracks["a-stereo"]
    await client.get(chunk_url(track["id"], 0))
    cache = app.state.ms.engine.cache
    response = await client.post("/api/cache/clear")
    assert response.status_code == 200 and response.json()["removed_entries"] >= 1
    assert len(cache.tier1) == 0 and len(cache.tier2) == 0
    again = await client.get(chunk_url(track["id"], 0))
    assert again.headers["x-cache-source"] == "miss"


async def test_delete_one_track(client, app, tracks):
    a, b = tracks["a-stereo"], tracks["b-mono"]
    await client.get(chunk_url(a["id"], 0))
    await client.get(chunk_url(b["id"], 0))
    response = await client.delete(f"/api/cache/tracks/{a['id']}")
    assert response.status_code == 200 and response.json()["track_id"] == a["id"]
    assert (await client.get(chunk_url(a["id"], 0))).headers["x-cache-source"] == "miss"
    assert (await client.get(chunk_url(b["id"], 0))).headers["x-cache-source"] == "tier1"
    assert (await client.delete("/api/cache/tracks/31337")).status_code == 404


async def test_warm_fills_the_whole_track_into_tier2(client, app, tracks):
    track = tracks["b-mono"]
    body = {"track_id": track["id"], "preset": "gentle", "intensity": 0.7}
    response = await client.post("/api/cache/warm", json=body)
    assert response.status_code == 202
    assert response.json()["total_chunks"] == 3
    url = f"/api/cache/tracks/{track['id']}"
    params = {"preset": "gentle", "intensity": "0.7"}
    for _ in range(200):
        status = (await client.get(url, params=params)).json()
        if status["fully_cached"]:
            break
        await asyncio.sleep(0.05)
    assert status["fully_cached"] is True
    chunk = await client.get(chunk_url(track["id"], 2), params=params)
    assert chunk.headers["x-cache-source"] in {"tier1", "tier2"}
    bad = await client.post("/api/cache/warm", json={"track_id": track["id"], "preset": "x"})
    assert bad.status_code == 422
    missing = await client.post("/api/cache/warm", json={"track_id": 5555})
    assert missing.status_code == 404


@pytest.fixture
async def admin_client(settings):
    app = create_app(settings.with_overrides(admin_token=TOKEN), make_options())
    async for c in open_client(app):
        yield c


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/cache/clear", None),
        ("DELETE", "/api/cache/tracks/1", None),
        ("POST", "/api/cache/warm", {"track_id": 1}),
        ("POST", "/api/library/scan", None),
    ],
)
async def test_admin_endpoints_need_the_token(admin_client, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    anonymous = await admin_client.request(method, path, **kwargs)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.headers["content-type"] == "application/problem+json"
    wrong = await admin_client.request(
        method, path, headers={"Authorization": "Bearer wrong"}, **kwargs
    )
    assert wrong.status_code == 403
    right = await admin_client.request(
        method, path, headers={"Authorization": f"Bearer {TOKEN}"}, **kwargs
    )
    assert right.status_code in {200, 202}
    assert (await admin_client.get("/api/cache/stats")).status_code == 200  # reads stay open
