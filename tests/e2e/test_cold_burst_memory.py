"""Memory of a running server under a cold burst stays bounded.

12 clients ask for 4 distinct cold chunks each, all at once (48 renders queued; plans
computed beforehand, so only chunk renders run). The server's RSS is sampled from /proc
every 20 ms. Its growth over the RSS just before the burst must stay under
:data:`GROWTH_BOUND_MB`: two render workers' buffers (a 10 s stereo chunk with context is
~4 MB per float32 array, a render holds around ten: ~40 MB each), tier1's 12 MB and chunks
on their way to clients, with room to spare. Renders running all at once (48 x ~40 MB) or
results piling up (48 x 1.76 MB per WAV chunk) would cross it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.timeout(600)
TRACK_S = 120.0
PRESETS = ("adaptive", "warm", "bright", "punchy")
CLIENTS = 12
GROWTH_BOUND_MB = 150.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("cold-burst")
    (root / "music").mkdir()
    rng = np.random.default_rng(5)
    audio = rng.standard_normal((int(TRACK_S * 44100), 2)).astype(np.float32) * 0.2
    sf.write(root / "music" / "noise.wav", audio, 44100, subtype="PCM_16")
    process = ServerProcess(
        root, "--library", str(root / "music"), "--data-dir", str(root / "data"),
        "--cache-dir", str(root / "cache"),
        env={"MASTERSTREAM_RENDER_WORKERS": "2", "MASTERSTREAM_CHUNK_DURATION_S": "10",
             "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0"},
    ).start()  # fmt: skip
    yield process
    process.stop()


async def burst(base: str) -> list[int]:
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        requests = [client.get(f"/api/tracks/1/chunks/{i}", params={"preset": preset})
                    for i in range(CLIENTS) for preset in PRESETS]  # fmt: skip
        return [r.status_code for r in await asyncio.gather(*requests)]


def test_a_cold_burst_grows_rss_by_a_bounded_amount(server: ServerProcess) -> None:
    assert server.proc is not None
    pid = server.proc.pid
    with httpx.Client(base_url=server.base_url, timeout=300) as http:
        for preset in PRESETS:  # plans first
            assert http.get("/api/tracks/1/chunks/11", params={"preset": preset}).is_success
        assert http.post("/api/cache/clear").is_success
    time.sleep(1.0)
    before_mb = rss_mb(pid)
    peak_mb, done = before_mb, threading.Event()

    def sample() -> None:
        nonlocal peak_mb
        while not done.is_set():
            peak_mb = max(peak_mb, rss_mb(pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        statuses = asyncio.run(burst(server.base_url))
    finally:
        done.set()
        sampler.join()
    assert statuses == [200] * (CLIENTS * len(PRESETS))
    growth_mb = peak_mb - before_mb
    assert growth_mb < GROWTH_BOUND_MB, f"RSS {before_mb:.0f} -> {peak_mb:.0f} MB"
