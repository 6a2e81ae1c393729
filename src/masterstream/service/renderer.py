"""Rendering one cache key to encoded bytes, off the event loop.

:class:`ChunkRenderer` is the cache's ``render`` function: it resolves the key to a
track and a mastering plan, decodes only the chunk's render window, masters it and
encodes it, all inside a thread pool sized to the machine (numpy, scipy and the
compiled dynamics release the GIL, and threads share plans and decoded state without
pickling — measured in ``bench/bench_render.py``). The event loop only awaits.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..audio.encode import encode
from ..cache import ChunkKey
from ..errors import SourceUnavailableError
from ..library.catalog import TrackRecord
from ..mastering import render_chunk
from .plans import ORIGINAL, PlanStore
from .tracks import TrackLibrary


def default_worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def dither_seed(key: ChunkKey) -> int:
    """A per-chunk dither seed derived from the key, so renders are reproducible."""
    return int.from_bytes(hashlib.blake2b(key.to_str().encode(), digest_size=8).digest(), "little")


class ChunkRenderer:
    """Turns a :class:`ChunkKey` into the chunk's encoded bytes."""

    def __init__(self, library: TrackLibrary, plans: PlanStore, *, workers: int = 0) -> None:
        self.library = library
        self.plans = plans
        self.workers = workers or default_worker_count()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="masterstream-render")

    async def __call__(self, key: ChunkKey) -> bytes:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.render_bytes, key)

    def render_bytes(self, key: ChunkKey) -> bytes:
        """Render ``key`` synchronously (runs in a pool thread, or directly from the CLI)."""
        record = self.library.get(key.track_id)
        if record.signature != key.signature:
            raise SourceUnavailableError(
                f"track {record.id} changed since this chunk was requested", path=record.path
            )
        ensure_unchanged_on_disk(record)
        geometry = self.library.check_chunk(key.track_id, key.chunk_index)
        preset = key.preset or ORIGINAL
        plan = self.plans.get(record, preset)
        audio = render_chunk(record.path, geometry, key.chunk_index, plan, key.intensity)
        seed = None if preset == ORIGINAL else dither_seed(key)
        return encode(audio, record.sample_rate, key.fmt, dither_seed=seed)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def ensure_unchanged_on_disk(record: TrackRecord) -> None:
    """Refuse to render a file whose bytes may differ from the scanned signature.

    A size or modification-time change means the content may have changed; rendering it
    under the old signature would cache new audio under an old key. A rescan fixes it.
    """
    try:
        stat = Path(record.path).stat()
    except OSError as exc:
        raise SourceUnavailableError(
            f"source file of track {record.id} is missing or unreadable: {record.path}",
            path=record.path,
        ) from exc
    if (stat.st_size, stat.st_mtime_ns) != (record.size_bytes, record.mtime_ns):
        raise SourceUnavailableError(
            f"source file of track {record.id} changed on disk since the last scan; rescan the"
            " library", path=record.path,
        )  # fmt: skip
