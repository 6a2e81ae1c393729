"""Inputs found by probing the running server: one strict parser for every entry point,
header limits that answer like HTTP says, a stream that never lies about its length, and
the chunk-request trace."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil

import httpx
import pytest
from websockets.asyncio.client import connect

from masterstream.api import create_app
from masterstream.cache.trace import read_trace
from tests.api.conftest import make_options, serve_in_process
from tests.live_feed import receive_until, send


def stream_url(track_id: int) -> str:
    return f"/api/tracks/{track_id}/stream"


@pytest.mark.parametrize(
    "data",
    [
        {"track_id": True, "position_s": 1},
        {"track_id": "1", "position_s": 1},
        {"track_id": 1, "position_s": "5"},
        {"track_id": 1, "position_s": 10**400},
        {"track_id": 1, "position_s": float("inf")},
        {"track_id": 1, "position_s": 5, "intensity": 10**400},
        {"track_id": 1, "position_s": 5, "preset": ["warm"]},
    ],
)
async def test_bad_playback_positions_are_error_frames_and_the_socket_lives(settings, data):
    app = create_app(settings, make_options())
    async with serve_in_process(app) as server, connect(f"ws://{server}/ws") as ws:
        await ws.send(json.dumps({"type": "playback_position", "data": data}))
        error = await receive_until(ws, "error")
        assert error["data"]["code"] == "invalid_message", error
        await send(ws, "ping")
        pong = await receive_until(ws, "pong")
        assert pong["seq"] > error["seq"]  # answered after the error: the connection lives


async def test_an_over_long_range_is_416_and_an_over_long_if_range_is_ignored(client, tracks):
    url = stream_url(tracks["b-mono"]["id"])
    long_range = "bytes=0-1," + ",".join(["2-3"] * 80)
    response = await client.get(url, headers={"Range": long_range})
    assert response.status_code == 416
    assert response.headers["content-type"] == "application/problem+json"
    whole = await client.get(
        url, params={"preset": "original"}, headers={"Range": "bytes=0-9", "If-Range": "x" * 300}
    )
    assert whole.status_code == 200 and len(whole.content) > 10


async def test_an_over_long_if_none_match_is_accepted_everywhere(client, tracks):
    track_id = tracks["b-mono"]["id"]
    header = {"If-None-Match": ", ".join(f'"{i:040x}"' for i in range(60))}
    for url in (stream_url(track_id), f"/api/tracks/{track_id}/chunks/0"):
        response = await client.get(url, params={"preset": "original"}, headers=header)
        assert response.status_code == 200, url


async def test_a_stream_whose_source_vanished_is_a_problem_not_a_short_200(
    client, app, tracks, tmp_path
):
    track = tracks["a-stereo"]
    engine = app.state.ms.engine
    params = {"preset": "warm"}
    assert (await client.get(f"/api/tracks/{track['id']}/chunks/0", params=params)).is_success
    record = engine.library.get(track["id"])
    moved = tmp_path / "moved.wav"
    shutil.move(record.path, moved)
    try:
        response = await client.get(stream_url(track["id"]), params=params)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "missing or unreadable" in response.json()["detail"]
    finally:
        shutil.move(moved, record.path)


async def test_a_stream_cut_mid_way_is_counted_as_an_error(client, app, tracks, monkeypatch):
    track = tracks["a-stereo"]
    service = app.state.ms.engine.chunks
    real_get = service.get

    async def failing_get(request, key=None):
        if request.chunk_index == 2:
            raise OSError("disk vanished")
        return await real_get(request, key)

    monkeypatch.setattr(service, "get", failing_get)
    with pytest.raises(Exception):  # noqa: B017 - the transport sees the cut body
        await client.get(stream_url(track["id"]), params={"preset": "original"})
    metrics = (await client.get("/metrics")).text
    line = next(
        x for x in metrics.splitlines()
        if x.startswith("masterstream_http_requests_total{")
        and 'route="/api/tracks/{track_id}/stream"' in x
    )  # fmt: skip
    assert 'status="500"' in line


async def test_record_trace_writes_one_line_per_chunk_request(settings, tmp_path):
    trace_path = tmp_path / "trace.jsonl"
    app = create_app(dataclasses.replace(settings, trace_path=trace_path), make_options())
    async with serve_in_process(app) as server, httpx.AsyncClient(base_url=f"http://{server}") as c:
        track_id = (await c.get("/api/tracks")).json()["items"][0]["id"]
        for _ in range(2):
            await c.get(f"/api/tracks/{track_id}/chunks/1", params={"preset": "bright"})
        await c.get(stream_url(track_id), params={"preset": "original"})
        await asyncio.sleep(0)
    records = read_trace(trace_path)
    assert [r.source for r in records[:2]] == ["miss", "tier1"]
    assert records[0].key == records[1].key and ":bright:" in records[0].key
    assert records[0].size_bytes > 44
    assert len(records) == 2 + 4  # and one line per chunk of the 4-chunk stream
