"""Rendering one cache key to encoded bytes, off the event loop.

:class:`ChunkRenderer` is the cache's ``render`` function. On the event loop it only
resolves the key (track record, geometry, plan from memory or the catalog); the work —
planning a track, decoding a chunk's window, mastering and encoding it — runs as a
:mod:`~masterstream.service.jobs` job in a pool sized to the machine. The default pool is
threads: ``bench/bench_render_pool.py`` measures them level with a process pool in
chunks/s and in tier1-hit latency under render load (numpy, scipy and the numba kernels
release the GIL), while worker processes cost ~140 MB each and a spawn at start-up.
``pool="process"`` remains for hosts that want a crashing decoder isolated from the
server. Plans are computed once per (track, preset) however many chunks ask at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Literal

from ..cache import ORIGINAL, ChunkKey, SingleFlight
from ..errors import RenderError, SourceUnavailableError
from ..library.catalog import TrackRecord
from ..mastering import MasteringPlan
from .jobs import RenderJob, compute_plan, init_worker, run_render_job
from .plans import PlanStore, plan_key
from .tracks import TrackLibrary

PoolKind = Literal["process", "thread"]


def default_worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def dither_seed(key: ChunkKey) -> int:
    """A per-chunk dither seed derived from the key, so renders are reproducible."""
    return int.from_bytes(hashlib.blake2b(key.to_str().encode(), digest_size=8).digest(), "little")


def _make_pool(kind: PoolKind, workers: int) -> Executor:
    if kind == "thread":
        return ThreadPoolExecutor(workers, thread_name_prefix="masterstream-render")
    if kind == "process":
        # spawn, not fork: the server process has threads (event loop, disk I/O).
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker)
    raise ValueError(f"render pool must be 'process' or 'thread', got {kind!r}")


class ChunkRenderer:
    """Turns a :class:`ChunkKey` into the chunk's encoded bytes."""

    def __init__(
        self, library: TrackLibrary, plans: PlanStore, *, workers: int = 0,
        pool: PoolKind = "thread",
    ) -> None:  # fmt: skip
        self.library = library
        self.plans = plans
        self.workers = workers or default_worker_count()
        self.pool_kind = pool
        self._pool = _make_pool(pool, self.workers)
        self._plan_flights = SingleFlight()

    # --- async: the server ------------------------------------------------------------

    async def __call__(self, key: ChunkKey) -> bytes:
        record, preset = self._check(key)
        plan = await self.ensure_plan(record, preset)
        return await self._submit(run_render_job, self._job(key, record, plan))

    async def ensure_plan(self, record: TrackRecord, preset: str) -> MasteringPlan:
        """The track's plan for ``preset``: stored, or computed once in the pool."""
        plan = self.plans.cached(record, preset)
        if plan is None:
            key = plan_key(record, preset)
            plan = await self._plan_flights.run(key, lambda: self._compute_plan(record, preset))
        return plan

    async def _compute_plan(self, record: TrackRecord, preset: str) -> MasteringPlan:
        plan = await self._submit(compute_plan, record.path, preset, record.sample_rate,
                                  record.channels, record.fingerprint)  # fmt: skip
        await asyncio.to_thread(self.plans.remember, record, preset, plan)
        return plan

    async def _submit(self, fn: Any, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, fn, *args)
        except BrokenProcessPool as exc:
            self._pool = _make_pool(self.pool_kind, self.workers)  # replace the dead workers
            raise RenderError("a render worker died; the render pool was restarted") from exc

    # --- sync: the CLI ----------------------------------------------------------------

    def render_bytes(self, key: ChunkKey) -> bytes:
        """Render ``key`` in the calling thread (the CLI's path; same bytes as the server)."""
        record, preset = self._check(key)
        return run_render_job(self._job(key, record, self.plans.get(record, preset)))

    # --- shared -----------------------------------------------------------------------

    def _check(self, key: ChunkKey) -> tuple[TrackRecord, str]:
        record = self.library.get(key.track_id)
        if record.signature != key.signature:
            raise SourceUnavailableError(
                f"track {record.id} changed since this chunk was requested", path=record.path
            )
        ensure_unchanged_on_disk(record)
        self.library.check_chunk(key.track_id, key.chunk_index)
        return record, key.preset or ORIGINAL

    def _job(self, key: ChunkKey, record: TrackRecord, plan: MasteringPlan) -> RenderJob:
        return RenderJob(
            path=record.path, total_frames=record.frames, sample_rate=record.sample_rate,
            chunk_duration_s=self.library.chunk_duration_s, chunk_index=key.chunk_index,
            plan=plan, intensity=key.intensity, fmt=key.fmt,
            dither_seed=None if key.preset is None else dither_seed(key),
        )  # fmt: skip

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
