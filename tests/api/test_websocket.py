"""The /ws feed through a real uvicorn server and a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from masterstream.api import create_app
from masterstream.api.state import ServerOptions
from masterstream.api.websocket import ClientConnection
from tests.api.conftest import make_options, serve_in_process
from tests.live_feed import receive_until, send

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def live_app(settings):
    return create_app(settings, make_options())


@pytest.fixture
async def server(live_app):
    async with serve_in_process(live_app) as address:
        yield address


@pytest.fixture
async def http(server):
    async with httpx.AsyncClient(base_url=f"http://{server}") as client:
        yield client


async def track_ids(http) -> dict[str, int]:
    items = (await http.get("/api/tracks")).json()["items"]
    return {i["title"]: i["id"] for i in items}


async def test_subscribe_gets_a_snapshot_then_periodic_stats(server):
    async with connect(f"ws://{server}/ws") as ws:
        await send(ws, "subscribe", topics=["cache_stats", "health"])
        snapshot = await receive_until(ws, "snapshot")
        assert snapshot["data"]["topics"] == ["cache_stats", "health"]
        assert "tier1" in snapshot["data"]["cache_stats"]
        assert snapshot["data"]["health"]["status"] == "healthy"
        stats = await receive_until(ws, "cache_stats")
        assert stats["seq"] > snapshot["seq"] and "overall" in stats["data"]
        assert isinstance(stats["ts"], float)
        await send(ws, "unsubscribe", topics=["cache_stats"])
        assert (await receive_until(ws, "unsubscribed"))["data"]["topics"] == ["health"]


async def test_malformed_and_unknown_messages_get_errors_and_the_connection_lives(server):
    async with connect(f"ws://{server}/ws") as ws:
        cases = [
            ("{not json", "malformed_json"),
            (json.dumps(["a", "list"]), "malformed_message"),
            (json.dumps({"type": "dance"}), "unknown_type"),
            (json.dumps({"type": "subscribe", "data": {"topics": ["weather"]}}), "unknown_topic"),
            (json.dumps({"type": "subscribe", "data": {"topics": "health"}}), "invalid_message"),
            (json.dumps({"type": "playback_position", "data": {"track_id": 999,
                                                              "position_s": 1}}),
             "invalid_position"),
            (json.dumps({"type": "playback_position", "data": {"track_id": 1,
                                                              "position_s": -3}}),
             "invalid_message"),
            (b"\x00\x01", "unsupported_frame"),
            (json.dumps({"type": "pong", "pad": "x" * 70_000}), "message_too_large"),
        ]  # fmt: skip
        for payload, code in cases:
            await ws.send(payload)
            error = await receive_until(ws, "error")
            assert error["data"]["code"] == code and error["data"]["message"]
        await send(ws, "ping")
        pong = await receive_until(ws, "pong")  # still alive: the ping after the errors answered
        assert pong["seq"] > error["seq"] and pong["data"] == {}


async def test_playback_position_makes_the_warmer_fill_the_next_chunk(server, http, live_app):
    track_id = (await track_ids(http))["a-stereo"]
    params = {"preset": "warm", "intensity": "0.6"}
    info_url = f"/api/tracks/{track_id}/chunks/1/info"
    assert (await http.get(info_url, params=params)).json()["cache_source"] == "miss"
    async with connect(f"ws://{server}/ws") as ws:
        await send(ws, "subscribe", topics=["tracks"])
        await receive_until(ws, "snapshot")
        await send(ws, "playback_position", track_id=track_id, position_s=0.2, preset="warm",
                   intensity=0.6)  # fmt: skip
        progress = await receive_until(ws, "track_cache_progress")
        assert progress["data"]["track_id"] == track_id
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = (await http.get(info_url, params=params)).json()
            if info["cache_source"] != "miss":
                break
            await asyncio.sleep(0.05)
        cache = live_app.state.ms.engine.cache
        assert info["cache_source"] in {"tier1", "tier2"}, cache.get_stats()


async def test_alerts_and_health_changes_are_pushed_on_transition(server, http, live_app, caplog):
    caplog.set_level(logging.INFO, logger="masterstream.api")
    live_app.state.ms.monitor.min_requests = 1  # judge the hit rate from the first request
    tid = (await track_ids(http))["b-mono"]
    async with connect(f"ws://{server}/ws") as ws:
        await send(ws, "subscribe", topics=["alerts", "health"])
        snapshot = await receive_until(ws, "snapshot")
        assert snapshot["data"]["alerts"] == []
        for k in range(3):  # misses only: the hit rate is 0, below the critical threshold
            await http.get(f"/api/tracks/{tid}/chunks/{k}")
        changed = await receive_until(ws, "health_changed")
        assert changed["data"]["previous"] == "healthy"
        assert changed["data"]["status"] == "critical"
        alert = await receive_until(ws, "alert")
        assert alert["data"]["state"] == "raised"
        assert alert["data"]["alert"]["metric"].endswith("hit_rate")
    raised = [r for r in caplog.records if r.getMessage().startswith("alert raised: ")]
    assert raised and raised[0].levelno == logging.ERROR  # critical: logged once, as an error
    assert alert["data"]["alert"]["id"] in raised[0].getMessage()


async def test_warming_reports_progress(server, http):
    tid = (await track_ids(http))["b-mono"]
    async with connect(f"ws://{server}/ws") as ws:
        await send(ws, "subscribe", topics=["tracks"])
        snapshot = await receive_until(ws, "snapshot")
        assert {t["title"] for t in snapshot["data"]["tracks"]} == {"a-stereo", "b-mono"}
        body = {"track_id": tid, "preset": "bright"}
        assert (await http.post("/api/cache/warm", json=body)).status_code == 202
        seen = []
        while not seen or seen[-1]["warmed_chunks"] < 3:
            frame = await receive_until(ws, "track_cache_progress")
            if frame["data"].get("source") == "warm":
                seen.append(frame["data"])
        assert [f["warmed_chunks"] for f in seen] == [1, 2, 3]
        assert seen[-1]["total_chunks"] == 3 and seen[-1]["preset"] == "bright"


async def test_cache_clear_is_broadcast(server, http):
    async with connect(f"ws://{server}/ws") as ws:
        await send(ws, "subscribe", topics=["health"])
        await receive_until(ws, "snapshot")
        assert (await http.post("/api/cache/clear")).status_code == 200
        cleared = await receive_until(ws, "cache_cleared")
        assert cleared["data"]["track_id"] is None


async def test_heartbeat_closes_a_silent_client_with_1001(settings):
    options = make_options(ping_interval_s=0.3, pong_timeout_s=0.2)
    async with (
        serve_in_process(create_app(settings, options)) as address,
        connect(f"ws://{address}/ws") as ws,
    ):
        assert json.loads(await ws.recv())["type"] == "ping"
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd.code == 1001


async def test_a_client_that_answers_pings_stays(settings):
    options = make_options(ping_interval_s=0.3, pong_timeout_s=0.2)
    async with (
        serve_in_process(create_app(settings, options)) as address,
        connect(f"ws://{address}/ws") as ws,
    ):
        pings = []
        for _ in range(3):  # three heartbeats, each answered: the server keeps the client
            pings.append(await receive_until(ws, "ping"))
            await send(ws, "pong")
        assert [p["data"]["timeout_s"] for p in pings] == [0.2, 0.2, 0.2]
        assert pings[0]["seq"] < pings[1]["seq"] < pings[2]["seq"]
        await send(ws, "ping")
        pong = await receive_until(ws, "pong")
        assert pong["seq"] > pings[-1]["seq"] and pong["ts"] >= pings[-1]["ts"]


async def test_flooding_is_rate_limited(settings):
    options = make_options(ws_messages_per_s=1.0, ws_burst_messages=3)
    async with (
        serve_in_process(create_app(settings, options)) as address,
        connect(f"ws://{address}/ws") as ws,
    ):
        for _ in range(6):
            await send(ws, "ping")
        kinds = [json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] for _ in range(6)]
        assert kinds.count("pong") == 3 and kinds.count("error") == 3


async def test_server_shutdown_closes_clients_cleanly(settings):
    async with serve_in_process(create_app(settings, make_options())) as address:
        ws = await connect(f"ws://{address}/ws")
        await send(ws, "ping")
        await receive_until(ws, "pong")
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    # uvicorn closes open sockets with 1012 (service restart) before the lifespan ends
    assert closed.value.rcvd is not None and closed.value.rcvd.code in {1001, 1012}


class RecordingSocket:
    """The network side of a socket whose reader is away: frames pile up until it returns."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send_text(self, text: str) -> None:
        self.sent.append(json.loads(text))


async def test_a_slow_client_keeps_only_the_newest_stats_frame():
    socket = RecordingSocket()
    client = ClientConnection(socket, ServerOptions(ws_queue_frames=4), time.monotonic)  # type: ignore[arg-type]
    for i in range(1000):
        client.enqueue("cache_stats", {"n": i})
    client.enqueue("cache_cleared", {"track_id": None})
    writer = asyncio.ensure_future(client.writer())
    await asyncio.sleep(0.01)
    assert [m["type"] for m in socket.sent] == ["cache_cleared", "cache_stats"]
    assert socket.sent[1]["data"] == {"n": 999} and client.dropped_stats_frames == 999
    assert [m["seq"] for m in socket.sent] == [1, 2]
    for i in range(4):  # the writer does not run in between: the queue fills up to its bound
        client.enqueue("alert", {"i": i})
    assert client.close_code is None
    client.enqueue("alert", {"i": 4})
    assert client.close_code == 1008
    await asyncio.wait_for(writer, 1)
