"""Scale-out for real: a redis-server and three ``masterstream serve`` processes sharing it
over loopback. Chunks rendered anywhere are served everywhere, a cold burst renders once in
total, clears reach every server, a SIGKILLed lock holder is taken over, a corrupt shared
entry is never served, Redis stays within maxmemory, and a Redis crash costs no request."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
import redis
import soundfile as sf
from tests.cache.redis_process import RedisProcess
from tests.conftest import write_tone
from tests.e2e.server_process import ServerProcess

from masterstream.cache.shared import unframe

pytestmark = pytest.mark.timeout(300)
TOKEN = "scale-out-token"
CHUNK_S = 1.0
MAXMEMORY_BYTES = 6_000_000
RENDERS = re.compile(r"^masterstream_cache_renders_total (\S+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scale-out")
    (root / "music").mkdir()
    write_tone(root / "music" / "tone-a.wav", duration_s=6.0, sample_rate=44100, channels=2)
    return root


@pytest.fixture(scope="module")
def redis_server(workdir):
    process = RedisProcess(workdir, maxmemory_bytes=MAXMEMORY_BYTES).start()
    yield process
    process.stop()


def make_server(workdir: Path, name: str, redis_url: str) -> ServerProcess:
    return ServerProcess(
        workdir, "--library", str(workdir / "music"), "--data-dir", str(workdir / name / "data"),
        "--cache-dir", str(workdir / name / "cache"), "--admin-token", TOKEN,
        "--redis-url", redis_url, "--server-id", name,
        # every simulated listener comes from one loopback address: no per-address budget;
        # three servers each planning all five presets of the library in the background
        # would load the two cores so that Redis calls time out (50 ms) and servers fall
        # back to rendering alone, which these tests count: the default preset only
        env={"MASTERSTREAM_CHUNK_DURATION_S": str(CHUNK_S), "MASTERSTREAM_RENDER_WORKERS": "1",
             "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0",
             "MASTERSTREAM_PLAN_PRESETS": "adaptive"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def servers(workdir, redis_server):
    started = [make_server(workdir, name, redis_server.url).start() for name in "abc"]
    yield started
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def store(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


def track_id(server: ServerProcess) -> int:
    return httpx.get(server.base_url + "/api/tracks").json()["items"][0]["id"]


def renders(server: ServerProcess) -> float:
    return float(RENDERS.search(httpx.get(server.base_url + "/metrics").text).group(1))


def chunk(server: ServerProcess, index: int, preset: str) -> httpx.Response:
    tid = track_id(server)
    response = httpx.get(f"{server.base_url}/api/tracks/{tid}/chunks/{index}",
                         params={"preset": preset}, timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    return response


def frames(wav: bytes) -> int:
    return sf.info(io.BytesIO(wav)).frames


def test_a_chunk_rendered_on_one_server_is_served_by_the_others(servers) -> None:
    a, b, c = servers
    first = chunk(a, 0, "warm")
    assert first.headers["X-Cache-Source"] == "miss"
    for other in (b, c):
        again = chunk(other, 0, "warm")
        assert again.headers["X-Cache-Source"] == "shared"
        assert again.headers["Cache-Status"] == "masterstream; hit; detail=shared"
        assert again.content == first.content
    assert chunk(b, 0, "warm").headers["X-Cache-Source"] == "tier1"
    stats = httpx.get(b.base_url + "/api/cache/stats").json()
    assert stats["shared"]["hits"] >= 1 and stats["cluster"]["server_id"] == "b"
    assert 'masterstream_server_info{server_id="b"} 1.0' in httpx.get(b.base_url + "/metrics").text


def test_sixty_concurrent_cold_requests_over_three_servers_render_once(servers) -> None:
    before = sum(renders(s) for s in servers)
    tid = track_id(servers[0])
    urls = [f"{servers[i % 3].base_url}/api/tracks/{tid}/chunks/2?preset=bright"
            for i in range(60)]  # fmt: skip

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(*(client.get(url) for url in urls))

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 60
    assert len({r.content for r in responses}) == 1
    assert sum(renders(s) for s in servers) - before == 1


def test_clearing_a_track_on_one_server_clears_it_on_every_server(servers, store) -> None:
    a, b, c = servers
    for server in servers:
        chunk(server, 1, "punchy")  # in every server's tier1 now
    tid = track_id(a)
    cleared = httpx.delete(f"{a.base_url}/api/cache/tracks/{tid}",
                           headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert cleared.status_code == 200
    assert not store.keys(f"ms:c:ck1:{tid}:*")
    deadline = time.monotonic() + 10
    while httpx.get(b.base_url + "/api/cache/stats").json()["tier1"]["chunks"] != 0:
        assert time.monotonic() < deadline, "b kept its copies"
        time.sleep(0.05)
    assert chunk(b, 1, "punchy").headers["X-Cache-Source"] == "miss"
    assert chunk(c, 1, "punchy").headers["X-Cache-Source"] == "shared"


def test_a_corrupt_shared_entry_is_never_served(servers, store) -> None:
    a, b, _ = servers
    good = chunk(a, 3, "warm").content
    (name,) = store.keys("ms:c:*:warm:*:3:*")
    raw = store.get(name)
    store.set(name, raw[:-100] + bytes(100))
    again = chunk(b, 3, "warm")
    assert again.headers["X-Cache-Source"] == "miss" and again.content == good
    assert httpx.get(b.base_url + "/api/cache/stats").json()["shared"]["corrupt_reads"] == 1
    assert unframe(store.get(name)) == good


def test_a_sigkilled_lock_holder_is_taken_over_with_no_partial_chunk(
    workdir, redis_server, servers, store
) -> None:
    holder = make_server(workdir, "d", redis_server.url).start()
    _, b, _ = servers
    tid = track_id(holder)
    urls = [f"{holder.base_url}/api/tracks/{tid}/chunks/{k}?preset=gentle" for k in range(6)]
    threads = [threading.Thread(target=lambda u=u: _ignore_errors(u)) for u in urls]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not store.keys("ms:lock:*:gentle:*"):
        assert time.monotonic() < deadline, "the holder never took a lock"
        time.sleep(0.002)
    holder.stop(signal.SIGKILL)
    for thread in threads:
        thread.join()
    served = [chunk(b, k, "gentle") for k in range(6)]
    geometry = frames(chunk(b, 0, "warm").content)
    assert all(frames(r.content) == geometry for r in served)
    status = httpx.get(b.base_url + "/api/cache/stats").json()["cluster"]
    assert status["renders"]["takeovers"] >= 1
    for name in store.keys("ms:c:*"):
        assert unframe(store.get(name)) is not None


def _ignore_errors(url: str) -> None:
    with contextlib.suppress(httpx.TransportError):  # the server is killed under it
        httpx.get(url, timeout=30)


def test_the_shared_tier_stays_within_maxmemory(servers, store) -> None:
    a = servers[0]
    tid = track_id(a)
    for intensity in (0.1, 0.3, 0.5, 0.7, 0.9):
        for index in range(6):
            url = f"{a.base_url}/api/tracks/{tid}/chunks/{index}"
            httpx.get(url, params={"preset": "bright", "intensity": intensity}, timeout=60)
    memory = store.info("memory")
    assert memory["maxmemory"] == MAXMEMORY_BYTES
    assert memory["used_memory"] <= MAXMEMORY_BYTES
    assert store.info("stats")["evicted_keys"] > 0  # 30 more chunks of ~176 kB did not fit


def test_redis_killed_and_restarted_under_load_fails_no_request(servers, redis_server) -> None:
    tid = track_id(servers[0])
    failures: list[str] = []
    statuses: list[int] = []
    stop = threading.Event()

    def load(server: ServerProcess, preset: str) -> None:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            index = 0
            while not stop.is_set():
                for query in (
                    {"preset": "warm"},
                    {"preset": preset, "intensity": index % 90 / 100},
                ):
                    r = client.get(f"/api/tracks/{tid}/chunks/{index % 6}", params=query)
                    statuses.append(r.status_code)
                    if r.status_code != 200:
                        failures.append(f"{server.base_url} {r.status_code} {r.text[:200]}")
                index += 1

    workers = [threading.Thread(target=load, args=(s, p))
               for s, p in zip(servers, ("warm", "bright", "punchy"), strict=True)]  # fmt: skip
    for worker in workers:
        worker.start()
    time.sleep(1.0)
    redis_server.kill()
    time.sleep(2.0)
    health = httpx.get(servers[1].base_url + "/api/health")
    redis_server.start()
    time.sleep(3.0)
    stop.set()
    for worker in workers:
        worker.join()
    assert failures == [] and len(statuses) > 20
    assert health.status_code == 200 and health.json()["status"] == "warn"
    assert health.json()["checks"]["cache:shared"][0]["status"] == "warn"
    a, b, _ = servers
    deadline = time.monotonic() + 15
    while not all(httpx.get(s.base_url + "/api/cache/stats").json()["cluster"]["available"]
                  for s in servers):  # fmt: skip
        assert time.monotonic() < deadline, "the shared tier did not come back"
        time.sleep(0.1)
    assert chunk(a, 4, "original").headers["X-Cache-Source"] == "miss"
    assert chunk(b, 4, "original").headers["X-Cache-Source"] == "shared"
