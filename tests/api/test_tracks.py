"""/api/tracks, /api/tracks/{id}, /api/presets and the problem-details errors around them."""

from __future__ import annotations

import sqlite3

from masterstream.mastering import PRESET_NAMES


async def test_track_list_is_paginated(client):
    page = (await client.get("/api/tracks")).json()
    assert page["total"] == 2 and page["offset"] == 0
    by_title = {item["title"]: item for item in page["items"]}
    assert by_title["a-stereo"]["chunk_count"] == 4  # 3.5 s in 1 s chunks
    assert by_title["b-mono"]["chunk_count"] == 3  # 2.2 s
    assert by_title["a-stereo"]["duration_s"] == 3.5
    assert by_title["b-mono"]["channels"] == 1 and by_title["b-mono"]["sample_rate"] == 48000
    second = (await client.get("/api/tracks", params={"offset": 1, "limit": 1})).json()
    assert [i["id"] for i in second["items"]] == [page["items"][1]["id"]]
    assert second["total"] == 2
    bad = await client.get("/api/tracks", params={"limit": 0})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


async def test_track_detail_comes_in_the_cache_aware_envelope(client, tracks):
    track = tracks["a-stereo"]
    response = await client.get(f"/api/tracks/{track['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert body["cache_source"] == "tier1" and body["cache_hit"] is True  # loaded at scan
    assert body["data"]["id"] == track["id"]
    assert body["data"]["fingerprint"]  # computed at scan time
    assert body["processing_time_ms"] >= 0
    assert "memory" in body["message"]


async def test_missing_fingerprint_is_computed_and_stored(client, app, settings, tracks):
    track = tracks["b-mono"]
    with sqlite3.connect(settings.catalog_path) as db:  # as if an older scan had not stored it
        db.execute("UPDATE tracks SET fingerprint = NULL WHERE id = ?", (track["id"],))
    app.state.ms.engine.library.reload()
    first = (await client.get(f"/api/tracks/{track['id']}")).json()
    assert first["cache_source"] == "miss" and first["data"]["fingerprint"]
    second = (await client.get(f"/api/tracks/{track['id']}")).json()
    assert second["cache_source"] == "tier1"
    assert second["data"]["fingerprint"] == first["data"]["fingerprint"]


async def test_unknown_track_is_a_404_problem(client):
    response = await client.get("/api/tracks/999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["track_id"] == 999999
    assert problem["type"].endswith("/track-not-found") and "999999" in problem["detail"]
    assert (await client.get("/api/tracks/not-a-number")).status_code == 422


async def test_presets_list_every_preset_with_targets(client):
    presets = (await client.get("/api/presets")).json()
    assert [p["name"] for p in presets] == list(PRESET_NAMES)
    adaptive = next(p for p in presets if p["name"] == "adaptive")
    assert adaptive["description"] and "target_lufs" in adaptive and "true_peak_dbtp" in adaptive
