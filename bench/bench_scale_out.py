"""Scale-out on one machine: 1, 2 and 3 ``masterstream serve`` processes sharing one
redis-server over loopback.

1. Aggregate tier1-hit throughput: one wrk per server (1 thread, 8 connections, over the
   same six warm chunks), run at the same time, requests per second summed; an httpx
   load generator when wrk is missing.
2. Cold bursts: 60 concurrent requests for one never-rendered chunk spread round-robin
   over the servers; renders counted from every server's ``masterstream_cache_renders``.
3. The shared tier's cost on a hit, in-process: the same ``ChunkCache`` lookup answered by
   tier2 (disk) and by the shared tier (Redis), tier1 emptied before each lookup; medians.

Every server competes for the same 2 cores as Redis and the load generator, so (1) shows
what two cores allow, not how the design scales across machines.

    .venv/bin/python bench/bench_scale_out.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cache.fakes import FakeRender, FakeResolver  # noqa: E402
from tests.cache.redis_process import RedisProcess  # noqa: E402
from tests.conftest import write_tone  # noqa: E402
from tests.e2e.server_process import ServerProcess  # noqa: E402

from masterstream.cache import ChunkCache, DiskTier, MemoryTier, SharedCluster  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "scale_out.md"
RENDERS = re.compile(r"^masterstream_cache_renders_total (\S+)$", re.MULTILINE)
WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
CHUNK_BYTES = 176_444  # one second of 44.1 kHz stereo 16-bit WAV with its header


def start_servers(root: Path, count: int, redis_url: str) -> list[ServerProcess]:
    return [ServerProcess(
        root, "--library", str(root / "music"), "--data-dir", str(root / f"s{count}{i}/data"),
        "--cache-dir", str(root / f"s{count}{i}/cache"), "--redis-url", redis_url,
        "--server-id", f"s{i}",
        env={"MASTERSTREAM_CHUNK_DURATION_S": "1.0", "MASTERSTREAM_RENDER_WORKERS": "1"},
    ).start() for i in range(count)]  # fmt: skip


def renders(server: ServerProcess) -> float:
    return float(RENDERS.search(httpx.get(server.base_url + "/metrics").text).group(1))


def hit_throughput(servers: list[ServerProcess], seconds: float, tid: int) -> float:
    for server in servers:
        for k in range(6):
            httpx.get(f"{server.base_url}/api/tracks/{tid}/chunks/{k}?preset=warm", timeout=60)
    url = f"/api/tracks/{tid}/chunks/2?preset=warm"
    if shutil.which("wrk"):
        procs = [subprocess.Popen(["wrk", "-t1", "-c8", f"-d{seconds:.0f}s", s.base_url + url],
                                  stdout=subprocess.PIPE, text=True) for s in servers]  # fmt: skip
        outputs = [p.communicate()[0] for p in procs]
        if any("Non-2xx" in out or "Socket errors" in out for out in outputs):
            raise RuntimeError("wrk saw errors:\n" + "\n".join(outputs))
        return sum(float(WRK_RPS.search(out).group(1)) for out in outputs)
    return asyncio.run(_httpx_load([s.base_url + url for s in servers], seconds))


async def _httpx_load(urls: list[str], seconds: float) -> float:
    done = 0
    deadline = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient, url: str) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            await client.get(url)
            done += 1

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(worker(client, url) for url in urls for _ in range(8)))
    return done / seconds


def cold_burst(servers: list[ServerProcess], tid: int, intensity: float) -> tuple[float, float]:
    before = sum(renders(s) for s in servers)
    urls = [f"{servers[i % len(servers)].base_url}/api/tracks/{tid}/chunks/4"
            f"?preset=bright&intensity={intensity}" for i in range(60)]  # fmt: skip

    async def burst() -> tuple[list[int], float]:
        async with httpx.AsyncClient(timeout=60) as client:
            started = time.perf_counter()
            responses = await asyncio.gather(*(client.get(u) for u in urls))
            return [r.status_code for r in responses], time.perf_counter() - started

    statuses, wall_s = asyncio.run(burst())
    if statuses != [200] * 60:
        raise RuntimeError(f"burst failed: {statuses}")
    return sum(renders(s) for s in servers) - before, wall_s


def fallbacks(servers: list[ServerProcess]) -> int:
    """Renders done locally because Redis calls timed out or the breaker was open."""
    stats = [httpx.get(s.base_url + "/api/cache/stats").json()["cluster"] for s in servers]
    return sum(c["renders"]["local_fallbacks"] for c in stats)


async def hit_latency(root: Path, redis_url: str, samples: int) -> tuple[float, float]:
    cluster = SharedCluster.from_url(redis_url, server_id="bench", timeout_s=0.5)
    cache = ChunkCache(MemoryTier(10_000_000), DiskTier(root / "lat", 50_000_000, fsync=False),
                       resolver=FakeResolver({1: 64}), render=FakeRender(CHUNK_BYTES),
                       pipeline_version="1", shared=cluster)  # fmt: skip
    keys = [cache.make_key(1, k) for k in range(32)]
    for key in keys:
        await cache.fetch(key)
    await cache.flush()
    tier2_ms, shared_ms = [], []
    for i in range(samples):
        key = keys[i % len(keys)]
        cache.tier1.clear()
        started = time.perf_counter()
        _, source = await cache.lookup(key)
        tier2_ms.append((time.perf_counter() - started) * 1000)
        assert source == "tier2"
        cache.tier1.clear()
        cache.tier2.delete(key)
        started = time.perf_counter()
        _, source = await cache.lookup(key)
        shared_ms.append((time.perf_counter() - started) * 1000)
        assert source == "shared"
        await cache.flush()
    await cache.aclose()
    await cluster.aclose()
    return statistics.median(tier2_ms), statistics.median(shared_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "music").mkdir()
        write_tone(root / "music" / "tone.wav", duration_s=6.0, sample_rate=44100, channels=2)
        redis_proc = RedisProcess(root, maxmemory_bytes=256_000_000).start()
        try:
            for count in (1, 2, 3):
                servers = start_servers(root, count, redis_proc.url)
                try:
                    tid = httpx.get(servers[0].base_url + "/api/tracks").json()["items"][0]["id"]
                    rps = hit_throughput(servers, args.seconds, tid)
                    burst_renders, burst_s = cold_burst(servers, tid, 0.1 * count)
                    rows.append((count, rps, burst_renders, burst_s, fallbacks(servers)))
                    print(f"{count} servers: {rps:.0f} hits/s, burst {burst_renders:.0f} render(s) "
                          f"in {burst_s * 1000:.0f} ms", flush=True)  # fmt: skip
                finally:
                    for server in servers:
                        server.stop()
            tier2_ms, shared_ms = asyncio.run(hit_latency(root, redis_proc.url, args.samples))
        finally:
            redis_proc.stop()
    write_results(rows, tier2_ms, shared_ms, args)


def write_results(rows, tier2_ms: float, shared_ms: float, args) -> None:
    lines = [
        "# Scale-out: servers sharing one redis-server on loopback",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the end; other "
        "work shared the machine), redis-server with maxmemory 256 MB, allkeys-lru.",
        "",
        f"    .venv/bin/python bench/bench_scale_out.py --seconds {args.seconds:g} "
        f"--samples {args.samples}",
        "",
        "| servers | tier1-hit throughput, all servers (req/s) | renders for 60 cold "
        "requests | burst wall time (ms) | local fallbacks (Redis call timed out) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for count, rps, burst_renders, burst_s, local in rows:
        lines.append(f"| {count} | {rps:,.0f} | {burst_renders:.0f} | {burst_s * 1000:,.0f} "
                     f"| {local} |")  # fmt: skip
    lines += [
        "",
        f"Hit latency in-process ({args.samples} lookups of a {CHUNK_BYTES:,}-byte chunk, "
        f"tier1 emptied first; medians): tier2 (disk) {tier2_ms:.3f} ms, shared tier "
        f"(Redis, loopback, checksum verified) {shared_ms:.3f} ms: "
        f"{shared_ms / tier2_ms:.2f}x tier2.",
        "",
        "Throughput is one wrk per server (1 thread, 8 connections) against the same chunk, "
        "all at once: on two cores more servers share the same CPU, so the sum measures "
        "contention, not the capacity of more machines.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
