"""In-process server fixtures: a tiny real library, the real app and its lifespan,
driven through ``httpx.ASGITransport``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from masterstream.api import ServerOptions, create_app
from masterstream.config import Settings
from tests.conftest import write_tone

CHUNK_S = 1.0


@pytest.fixture(scope="session")
def tiny_library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short tracks: stereo 44.1 kHz (3.5 s, 4 chunks), mono 48 kHz (2.2 s, 3 chunks)."""
    directory = tmp_path_factory.mktemp("tiny-library")
    write_tone(directory / "a-stereo.wav", duration_s=3.5, sample_rate=44100, channels=2)
    write_tone(
        directory / "b-mono.flac", duration_s=2.2, sample_rate=48000, channels=1,
        frequency_hz=220.0,
    )  # fmt: skip
    return directory


@pytest.fixture
def settings(tmp_path: Path, tiny_library_dir: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        library_dir=tiny_library_dir,
        cache_dir=tmp_path / "cache",
        chunk_duration_s=CHUNK_S,
        render_workers=2,
        render_pool="thread",
        watch_library=False,  # tests that write files then POST /api/library/scan: no race
    )


def make_options(**overrides: object) -> ServerOptions:
    base = {"monitor_interval_s": 0.05, "stats_interval_s": 0.1}
    base.update(overrides)
    return ServerOptions(**base)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def serve_in_process(app) -> AsyncIterator[str]:
    """Run ``app`` under a real uvicorn server on a free loopback port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def open_client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def app(settings: Settings):
    return create_app(settings, make_options())


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async for c in open_client(app):
        yield c


@pytest.fixture
async def demo_client(settings: Settings, demo_library_dir: Path):
    """``(client, app)`` of a server on the (shortened) demo library: music-like material."""
    app = create_app(settings.with_overrides(library_dir=demo_library_dir), make_options())
    async for c in open_client(app):
        yield c, app


@pytest.fixture
async def tracks(client: httpx.AsyncClient) -> dict[str, dict]:
    """Track summaries by file stem: ``{"a-stereo": {...}, "b-mono": {...}}``."""
    items = (await client.get("/api/tracks")).json()["items"]
    return {item["title"]: item for item in items}
