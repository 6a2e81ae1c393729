"""The real app on a one-track library (a 2.5 s tone, 1 s chunks), driven in process, for
the tests that read its /metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from masterstream.api import create_app
from masterstream.config import Settings
from tests.api.conftest import make_options, open_client
from tests.conftest import write_tone


async def tone_app_client(root: Path, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Yields a client of the started app; ``settings`` override the test defaults."""
    library = root / "music"
    library.mkdir()
    write_tone(library / "tone.wav", duration_s=2.5)
    values: dict[str, Any] = {
        "data_dir": root / "data", "library_dir": library, "cache_dir": root / "cache",
        "chunk_duration_s": 1.0, "render_workers": 1, "render_pool": "thread",
        "watch_library": False, **settings,
    }  # fmt: skip
    async for client in open_client(
        create_app(Settings(**values), make_options(prepare_plans=False))
    ):
        yield client


async def first_track_id(client: httpx.AsyncClient) -> int:
    return (await client.get("/api/tracks")).json()["items"][0]["id"]
