"""Warming whole tracks into tier2 on request (``POST /api/cache/warm``).

One background task per (track, variant, format); a second request for the same job while
it runs is acknowledged, not duplicated. Each chunk goes through the chunk service in the
``WARM`` lane, so listeners' renders and the warmer's look-ahead always go first, and
progress is reported to ``on_progress`` (the WebSocket's ``tracks`` topic).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from ..cache import Lane, Priority
from ..errors import MasterstreamError
from .chunks import ChunkService
from .request import ChunkRequest

log = logging.getLogger("masterstream.service")
ProgressFn = Callable[[ChunkRequest, int, int], Awaitable[None]]


class TrackWarming:
    """Background whole-track renders into tier2, one task per track request."""

    def __init__(self, chunks: ChunkService, on_progress: ProgressFn | None = None) -> None:
        self.chunks = chunks
        self.on_progress = on_progress
        self._tasks: dict[ChunkRequest, asyncio.Task[None]] = {}

    @property
    def active(self) -> list[ChunkRequest]:
        """The running jobs (each as the request for the track's chunk 0)."""
        return [job for job, task in self._tasks.items() if not task.done()]

    def start(self, request: ChunkRequest) -> bool:
        """Start warming ``request``'s whole track; False when the same job already runs."""
        job = request.at(0)
        task = self._tasks.get(job)
        if task is not None and not task.done():
            return False
        self.chunks.key(job)  # an unknown track fails now, not in the background
        task = asyncio.get_running_loop().create_task(self._run(job))
        self._tasks[job] = task
        task.add_done_callback(lambda _t, job=job: self._tasks.pop(job, None))
        return True

    async def _run(self, job: ChunkRequest) -> None:
        total = self.chunks.cache.track_info(job.track_id).chunk_count
        priority = Priority(Lane.WARM, self.chunks.clock())
        try:
            for done, k in enumerate(range(total), start=1):
                await self.chunks.prefetch(job.at(k), priority=priority)
                if self.on_progress is not None:
                    await self.on_progress(job, done, total)
        except MasterstreamError as exc:
            log.warning("warming track %s stopped: %s", job.track_id, exc)

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
