"""Rendering one cache key to encoded bytes, off the event loop, most urgent first.

:class:`ChunkRenderer` is the cache's :class:`~masterstream.cache.Renderer`. On the event
loop it only resolves the key (track record, geometry, plan from memory or the catalog);
the work — planning a track, decoding a chunk's window, mastering and encoding it — runs
as a :mod:`~masterstream.service.jobs` job on the :class:`WorkScheduler`'s workers, by
priority. Plans are computed once per (track, preset) however many chunks ask at once,
and run as *long* jobs, which never hold every worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..audio.formats import parse_token
from ..cache import ORIGINAL, ChunkKey, Priority, SingleFlight
from ..cache.keys import TRACK_LOUDNESS
from ..errors import SourceUnavailableError
from ..library.catalog import TrackRecord
from ..library.records import FileStamp
from ..mastering import MasteringPlan
from .album_loudness import AlbumPlans
from .jobs import RenderJob, compute_headroom_plan, compute_plans, measure_and_plan, run_render_job
from .plans import PlanKey, PlanStore, plan_cost_s, plan_key
from .scheduler import WorkScheduler
from .tracks import TrackLibrary

BATCH_COST_S = 3.0
"""Background plans of one track share a job (one decode) up to about this much work while
listeners are quiet: a listener may wait for a batch (joining it, or for the worker it
holds), so while they are active a background job plans one preset."""


def default_worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def dither_seed(key: ChunkKey) -> int:
    """A per-chunk dither seed derived from what the chunk's audio is (content signature,
    pipeline, preset, intensity, index, album loudness), never from the catalog id, so a
    file rendered by path and the same file served from the catalog get the same samples."""
    text = (
        f"{key.signature}:{key.pipeline_version}:{key.preset}:{key.intensity:.2f}:{key.chunk_index}"
    )
    if key.loudness != TRACK_LOUDNESS:
        text += f":{key.loudness}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class ChunkRenderer:
    """Turns a :class:`ChunkKey` into the chunk's encoded bytes on the scheduler's workers."""

    def __init__(self, library: TrackLibrary, plans: PlanStore, scheduler: WorkScheduler) -> None:
        self.library = library
        self.plans = plans
        self.scheduler = scheduler
        self._plan_flights = SingleFlight()
        self._batch_of: dict[object, object] = {}  # a plan's flight -> its batch's job tag
        self.albums = AlbumPlans(library, plans, scheduler, ensure_unchanged_on_disk)
        # a fingerprint measured on demand (track played before its analysis) goes here
        self.on_fingerprint: Callable[[TrackRecord, dict[str, Any]], None] | None = None

    async def __call__(self, key: ChunkKey, priority: Priority) -> bytes:
        record, preset = self._check(key)
        fmt = parse_token(key.fmt)  # decoded lossy audio peaks higher: leave headroom for it
        headroom_db = 0.0 if fmt.lossy is None else fmt.lossy.peak_headroom_db(fmt.bitrate_kbps)
        if key.loudness == TRACK_LOUDNESS:
            plan = await self.ensure_plan(record, preset, priority, headroom_db)
        else:  # from the track-mode plan, calibrated to the track's place in its album
            base = lambda: self.ensure_plan(record, preset, priority)  # noqa: E731
            plan = await self.albums.plan(record, preset, headroom_db, key.loudness, priority, base)
        return await self.scheduler.run(
            run_render_job, self._job(key, record, plan), priority=priority, tag=key
        )

    def promote(self, key: ChunkKey, priority: Priority) -> None:
        """An on-demand request joined ``key``'s render: hurry it (and its plan) up."""
        if not self.scheduler.promote(key, priority):
            record = self.library.get(key.track_id)
            self._promote_plan(self._plan_tag(record, key.preset or ORIGINAL), priority)

    async def ensure_plan(
        self, record: TrackRecord, preset: str, priority: Priority, headroom_db: float = 0.0
    ) -> MasteringPlan:
        """The track's plan for ``preset`` (with ``headroom_db`` of extra true-peak headroom
        for a lossy encoding): stored, or computed once on a worker."""
        plan = self.plans.cached(record, preset, headroom_db)
        if plan is not None:
            return plan
        tag = self._plan_tag(record, preset, headroom_db)
        if tag in self._plan_flights:
            self._promote_plan(tag, priority)
        return await self._plan_flights.run(
            tag, lambda: self._compute_plan(record, preset, priority, headroom_db, tag)
        )

    @staticmethod
    def _plan_tag(
        record: TrackRecord, preset: str, headroom_db: float = 0.0
    ) -> tuple[str, PlanKey]:
        return ("plan", plan_key(record, preset, headroom_db))

    async def prepare_plans(
        self, record: TrackRecord, presets: tuple[str, ...], priority: Priority
    ) -> int:
        """Plan each of ``presets`` that the track has no plan for yet, several per job —
        one decode of the file for all of them — up to about ``BATCH_COST_S`` of work per
        job (a job cannot be pre-empted; one plan per job while listeners are active); how
        many were computed. Each plan of a batch is a flight of its own: a listener asking
        for one joins the batch (and hurries it up) instead of planning it again."""
        missing = [preset for preset in presets if self.plans.cached(record, preset) is None]
        per_plan_s = max(plan_cost_s(record), 1e-3)
        computed = 0
        while missing:
            quiet = not self.scheduler.listeners_active()
            per_job = max(1, int(BATCH_COST_S // per_plan_s)) if quiet else 1
            batch = tuple(p for p in missing[:per_job] if self._plan_tag(record, p)
                          not in self._plan_flights)  # fmt: skip
            missing = missing[per_job:]
            if batch:
                await self._plan_batch(record, batch, priority)
                computed += len(batch)
        return computed

    async def _plan_batch(
        self, record: TrackRecord, batch: tuple[str, ...], priority: Priority
    ) -> None:
        tags = [self._plan_tag(record, preset) for preset in batch]
        job_tag = ("plans", record.id, batch)
        for tag in tags:
            self._batch_of[tag] = job_tag
        work = asyncio.ensure_future(self._run_plans(record, batch, priority, job_tag))

        async def one(preset: str) -> MasteringPlan:
            plan = (await asyncio.shield(work))[preset]
            await asyncio.to_thread(self.plans.remember, record, preset, plan)
            return plan

        try:
            flights = [self._plan_flights.run(tag, lambda p=p: one(p))  # type: ignore[misc]
                       for tag, p in zip(tags, batch, strict=True)]  # fmt: skip
            outcomes = await asyncio.gather(*flights, return_exceptions=True)
        finally:
            for tag in tags:
                self._batch_of.pop(tag, None)
        failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failure is not None:
            raise failure

    def _promote_plan(self, tag: object, priority: Priority) -> None:
        """Hurry up the job computing the plan ``tag`` (its own, or its batch's)."""
        self.scheduler.promote(self._batch_of.get(tag, tag), priority)  # type: ignore[arg-type]

    async def _compute_plan(
        self, record: TrackRecord, preset: str, priority: Priority, headroom_db: float,
        tag: object,
    ) -> MasteringPlan:  # fmt: skip
        if headroom_db > 0.0:  # the preset's own plan first, then a second calibration
            base = await self.ensure_plan(record, preset, priority)
            plan = await self.scheduler.run(
                compute_headroom_plan, record.path, base, headroom_db, priority=priority,
                long=True, tag=tag, cost_s=plan_cost_s(record),
            )  # fmt: skip
        else:
            plan = (await self._run_plans(record, (preset,), priority, tag))[preset]
        await asyncio.to_thread(self.plans.remember, record, preset, plan, headroom_db)
        return plan

    async def _run_plans(
        self, record: TrackRecord, presets: tuple[str, ...], priority: Priority, tag: object
    ) -> dict[str, MasteringPlan]:
        """``presets`` planned for the track in one job (the original's plan reads no audio:
        a short job); a fingerprint measured on the way is handed to ``on_fingerprint``."""
        mastered = sum(preset != ORIGINAL for preset in presets)
        measure = record.fingerprint is None and mastered and self.on_fingerprint is not None
        job: tuple[Any, ...] = (
            (measure_and_plan, record.path, presets) if measure
            else (compute_plans, record.path, presets, record.sample_rate, record.channels,
                  record.fingerprint)
        )  # fmt: skip
        result = await self.scheduler.run(
            *job, priority=priority, long=mastered > 0, tag=tag,
            cost_s=plan_cost_s(record) * max(mastered, 1),
        )  # fmt: skip
        if measure:
            fingerprint, result = result
            await asyncio.to_thread(self.on_fingerprint, record, fingerprint)  # type: ignore[misc]
        return result  # type: ignore[no-any-return]

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
            channels=record.channels,
        )  # fmt: skip


def ensure_unchanged_on_disk(record: TrackRecord) -> None:
    """Refuse to render a file whose bytes may differ from the scanned signature.

    A different stamp (size, mtime, and the ctime and inode that cannot be set back) means
    the content may have changed; rendering it under the old signature would cache new
    audio under an old key. A rescan fixes it.
    """
    try:
        stat = Path(record.path).stat()
    except OSError as exc:
        raise SourceUnavailableError(
            f"source file of track {record.id} is missing or unreadable: {record.path}",
            path=record.path,
        ) from exc
    if not record.unchanged_on_disk(FileStamp.of(stat)):
        raise SourceUnavailableError(
            f"source file of track {record.id} changed on disk since the last scan; rescan the"
            " library", path=record.path,
        )  # fmt: skip
