"""``GET /api/cache/history``: the monitor's snapshots, oldest first, for the dashboard."""

from __future__ import annotations

import asyncio
from datetime import datetime

from masterstream.monitoring.snapshot import METRICS


async def wait_for_points(client, count: int, requests: int = 0) -> list[dict]:
    """The history once it holds ``count`` snapshots, the newest counting ``requests``."""
    for _ in range(200):
        points = (await client.get("/api/cache/history")).json()["points"]
        if len(points) >= count and points[-1]["total_requests"] >= requests:
            return points
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {count} snapshots with {requests} requests after 10 s")


async def test_history_follows_the_cache_oldest_first(client, tracks):
    before = await wait_for_points(client, 1)
    track = tracks["a-stereo"]
    response = await client.get(f"/api/tracks/{track['id']}/chunks/0", params={"preset": "warm"})
    assert response.status_code == 200
    points = await wait_for_points(client, len(before) + 1, requests=1)
    stamps = [datetime.fromisoformat(p["timestamp"]) for p in points]
    assert stamps == sorted(stamps)
    assert set(METRICS) <= set(points[-1])
    assert points[0]["total_requests"] == 0 and points[-1]["total_requests"] == 1


async def test_history_limit_keeps_the_newest(client):
    points = await wait_for_points(client, 3)
    body = (await client.get("/api/cache/history", params={"limit": 2})).json()
    assert body["interval_s"] > 0
    assert len(body["points"]) == 2
    assert body["points"][-1]["timestamp"] >= points[-1]["timestamp"]
    assert (await client.get("/api/cache/history", params={"limit": 0})).status_code == 422
