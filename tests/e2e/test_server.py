"""The real thing: ``masterstream serve`` in a subprocess, driven over loopback HTTP and
WebSocket. Chunks are served miss -> tier1 -> (after a restart) tier2, /stream seeks
return exactly the chunks' PCM, the WebSocket feed works end to end, admin auth holds."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest
from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess
from tests.live_feed import receive_until, send
from websockets.asyncio.client import connect as connect_async
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from masterstream.audio.encode import WAV_HEADER_BYTES

pytestmark = pytest.mark.timeout(240)
TOKEN = "e2e-admin-token"
CHUNK_S = 1.0


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("e2e")
    library = root / "music"
    library.mkdir()
    write_tone(library / "tone-a.wav", duration_s=4.5, sample_rate=44100, channels=2)
    write_tone(library / "tone-b.flac", duration_s=3.0, sample_rate=48000, channels=1,
               frequency_hz=300.0)  # fmt: skip
    return root


def make_server(workdir: Path, *extra: str, state: str = "shared") -> ServerProcess:
    """A server on the e2e library; ``state`` names its own data and cache directories."""
    return ServerProcess(
        workdir,
        "--library", str(workdir / "music"), "--data-dir", str(workdir / state / "data"),
        "--cache-dir", str(workdir / state / "cache"), "--admin-token", TOKEN,
        "--stats-interval", "0.2", *extra,
        env={"MASTERSTREAM_CHUNK_DURATION_S": str(CHUNK_S), "MASTERSTREAM_RENDER_WORKERS": "2"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def server(workdir):
    process = make_server(workdir, "--ping-interval", "1.0", "--pong-timeout", "0.5").start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


def track_id(http: httpx.Client, title: str) -> int:
    items = http.get("/api/tracks").json()["items"]
    return next(i["id"] for i in items if i["title"] == title)


def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def test_startup_says_where_it_listens_and_what_it_serves(server):
    log = server.log()
    assert f"listening on http://127.0.0.1:{server.port}" in log
    assert f"serving the library at {server.workdir / 'music'}" in log
    assert server.library_status()["files_indexed"] == 2
    with httpx.Client(base_url=server.base_url) as http:
        assert len(http.get("/api/tracks").json()["items"]) == 2


def test_stream_chunk_by_chunk_then_restart_serves_from_disk(workdir):
    first = make_server(workdir, state="restart").start()
    try:
        with httpx.Client(base_url=first.base_url, timeout=60) as http:
            tid = track_id(http, "tone-b")
            http.post("/api/cache/clear", headers=admin())
            urls = [f"/api/tracks/{tid}/chunks/{k}?preset=punchy" for k in range(3)]
            bodies = []
            for url in urls:
                response = http.get(url)
                assert response.headers["x-cache-source"] == "miss"
                assert response.headers["cache-status"] == "masterstream; fwd=miss; stored"
                bodies.append(response.content)
            for url, body in zip(urls, bodies, strict=True):
                response = http.get(url)
                assert response.headers["x-cache-source"] == "tier1"
                assert response.content == body
            etag = response.headers["etag"]
            assert http.get(urls[-1], headers={"If-None-Match": etag}).status_code == 304
    finally:
        assert first.stop(signal.SIGINT) == 0  # graceful: pending disk writes finish
    assert "Application shutdown complete" in first.log()

    second = make_server(workdir, state="restart").start()
    try:
        with httpx.Client(base_url=second.base_url, timeout=60) as http:
            for url, body in zip(urls, bodies, strict=True):
                response = http.get(url)
                assert response.headers["x-cache-source"] == "tier2"
                assert response.headers["cache-status"] == "masterstream; hit; detail=tier2"
                assert response.content == body
    finally:
        # uvicorn re-raises SIGTERM after a graceful shutdown, so the status names the signal
        assert second.stop(signal.SIGTERM) in {0, -signal.SIGTERM}
    assert second.log().count("Application shutdown complete") == 1
    assert "Traceback" not in first.log() + second.log()


def test_shutdown_during_renders_leaves_no_partial_files(workdir):
    """SIGTERM while a whole-track stream is rendering: in-flight renders are finished or
    abandoned, the disk tier holds only complete entries, and the next start serves them."""
    process = make_server(workdir, state="interrupted").start()
    with httpx.Client(base_url=process.base_url, timeout=60) as http:
        tid = track_id(http, "tone-a")
        with http.stream("GET", f"/api/tracks/{tid}/stream", params={"preset": "punchy"}) as r:
            assert r.status_code == 200
            next(r.iter_bytes())  # the first chunk is out; the next one is rendering
            assert process.stop(signal.SIGTERM) in {0, -signal.SIGTERM}
    assert "Application shutdown complete" in process.log()
    cache_dir = workdir / "interrupted" / "cache"
    assert not [p for p in cache_dir.rglob("*") if p.name.endswith(".tmp")]
    again = make_server(workdir, state="interrupted").start()
    try:
        with httpx.Client(base_url=again.base_url, timeout=60) as http:
            body = http.get(f"/api/tracks/{tid}/stream", params={"preset": "punchy"})
            assert body.status_code == 200
            assert len(body.content) == int(body.headers["content-length"])
    finally:
        again.stop()


def test_range_seek_returns_the_chunks_pcm(http):
    tid = track_id(http, "tone-a")
    params = {"preset": "bright", "intensity": "0.7"}
    head = http.head(f"/api/tracks/{tid}/stream", params=params)
    total = int(head.headers["content-length"])
    assert total == WAV_HEADER_BYTES + round(4.5 * 44100) * 4
    block = 4
    first = WAV_HEADER_BYTES + round(3.2 * 44100) * block  # a seek into chunk 3
    part = http.get(f"/api/tracks/{tid}/stream", params=params,
                    headers={"Range": f"bytes={first}-"})  # fmt: skip
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes {first}-{total - 1}/{total}"
    chunks = [http.get(f"/api/tracks/{tid}/chunks/{k}", params=params) for k in (3, 4)]
    assert [c.headers["x-cache-source"] for c in chunks] == ["tier1", "tier1"]  # seek rendered
    pcm = b"".join(c.content[WAV_HEADER_BYTES:] for c in chunks)
    offset = first - WAV_HEADER_BYTES - 3 * 44100 * block
    assert part.content == pcm[offset:]
    untouched = http.get(f"/api/tracks/{tid}/chunks/1/info", params=params).json()
    assert untouched["cache_source"] == "miss"  # chunks before the seek were never rendered
    bad = http.get(f"/api/tracks/{tid}/stream", headers={"Range": "bytes=x-y"})
    assert bad.status_code == 416


async def test_websocket_flow(server, http):
    tid = track_id(http, "tone-a")
    async with connect_async(server.ws_url) as ws:
        await send(ws, "subscribe", topics=["cache_stats", "tracks", "health"])
        snapshot = await receive_until(ws, "snapshot")
        assert {"cache_stats", "tracks", "health"} <= set(snapshot["data"])
        stats = await receive_until(ws, "cache_stats")
        assert "tier1" in stats["data"] and stats["seq"] > snapshot["seq"]

        await ws.send("this is not json")
        assert (await receive_until(ws, "error"))["data"]["code"] == "malformed_json"

        await send(ws, "playback_position", track_id=tid, position_s=0.1, preset="gentle",
                   intensity=0.4)  # fmt: skip
        progress = await receive_until(ws, "track_cache_progress")
        assert progress["data"]["track_id"] == tid
        deadline = time.monotonic() + 60
        source = "miss"
        while time.monotonic() < deadline and source == "miss":
            info = await asyncio.to_thread(
                http.get, f"/api/tracks/{tid}/chunks/1/info",
                params={"preset": "gentle", "intensity": "0.4"},
            )  # fmt: skip
            source = info.json()["cache_source"]
            await asyncio.sleep(0.1)
        assert source in {"tier1", "tier2"}  # the warmer filled the next chunk

        ping = await receive_until(ws, "ping")  # heartbeat every second here
        assert ping["data"]["timeout_s"] == 0.5
        await send(ws, "pong")
        await send(ws, "ping")
        pong = await receive_until(ws, "pong")
        assert pong["seq"] > ping["seq"] and pong["data"] == {}


def test_websocket_without_pongs_is_closed_1001(server):
    with connect(server.ws_url) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=10)  # never answer the pings
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001


def test_admin_auth(http):
    assert http.post("/api/cache/clear").status_code == 401
    assert (
        http.post("/api/cache/clear", headers={"Authorization": "Bearer nope"}).status_code == 403
    )
    assert http.post("/api/cache/clear", headers=admin()).status_code == 200
    tid = track_id(http, "tone-b")
    warm = http.post("/api/cache/warm", json={"track_id": tid, "preset": "warm"}, headers=admin())
    assert warm.status_code == 202
    assert http.post("/api/library/scan", headers=admin()).json()["tracks"] == 2
    problem = http.get("/api/tracks/424242")
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
