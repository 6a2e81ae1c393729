"""Warming whole tracks into tier2 on request (``POST /api/cache/warm``).

One background task per (track, variant); a second request for the same variant while
it runs is acknowledged, not duplicated. Each chunk goes through the cache's single
render per key, waits for on-demand renders first (listeners always jump the queue),
and reports progress on the WebSocket's ``tracks`` topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from ..cache import ChunkCache
from ..errors import MasterstreamError
from .params import Variant

log = logging.getLogger("masterstream.api")
ProgressFn = Callable[[int, Variant, int, int], Awaitable[None]]


class TrackWarming:
    """Background whole-track renders into tier2, one task per (track, variant)."""

    def __init__(self, cache: ChunkCache, on_progress: ProgressFn | None = None) -> None:
        self.cache = cache
        self.on_progress = on_progress
        self._tasks: dict[tuple[int, Variant], asyncio.Task[None]] = {}

    def running(self, track_id: int, variant: Variant) -> bool:
        task = self._tasks.get((track_id, variant))
        return task is not None and not task.done()

    @property
    def active(self) -> list[tuple[int, Variant]]:
        return [job for job, task in self._tasks.items() if not task.done()]

    def start(self, track_id: int, variant: Variant) -> bool:
        """Start warming; False when the same job is already running."""
        if self.running(track_id, variant):
            return False
        job = (track_id, variant)
        task = asyncio.get_running_loop().create_task(self._run(track_id, variant))
        self._tasks[job] = task
        task.add_done_callback(lambda _t, job=job: self._tasks.pop(job, None))
        return True

    async def _run(self, track_id: int, variant: Variant) -> None:
        cache = self.cache
        total = cache.track_info(track_id).chunk_count
        done = 0
        try:
            for k in range(total):
                key = cache.make_key(track_id, k, variant.preset, variant.intensity, variant.fmt)
                if key not in cache.tier2:
                    await cache.ondemand_idle()
                    await cache.render_once(key, to_tier1=False)
                done += 1
                if self.on_progress is not None:
                    await self.on_progress(track_id, variant, done, total)
        except MasterstreamError as exc:
            log.warning("warming track %s stopped: %s", track_id, exc)

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
