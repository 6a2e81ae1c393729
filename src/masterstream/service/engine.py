"""The engine: everything a server needs, built from one :class:`Settings` and closed once.

catalog → track library → plan store → work scheduler (priority lanes over a thread or
process pool) → chunk renderer → two-tier chunk cache → chunk service, with the warmer
(following listeners), whole-track warming and the background library scanner beside it
(:mod:`.library_scan`). The API builds one in its
lifespan and keeps it on ``app.state``; the CLI builds one with memory tiers to render;
nothing here is created at import time.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..cache import ChunkCache, DiskTier, Lane, MemoryTier, Priority, Tier, Warmer
from ..config import Settings
from ..errors import MasterstreamError, TrackNotFoundError
from ..library.catalog import Catalog
from ..mastering import PIPELINE_VERSION
from .chunks import ChunkService
from .library_scan import LibraryScanner
from .mastered_figures import MasteredFigures
from .plans import PlanStore
from .renderer import ChunkRenderer, default_worker_count
from .request import PlaybackPosition
from .scheduler import WorkScheduler
from .tracks import TrackLibrary
from .warm_target import ServiceWarmTarget
from .warming import TrackWarming
from .workspace import ProgressFactory, prepare_library

if TYPE_CHECKING:
    from ..cache.shared_cluster import SharedCluster

log = logging.getLogger("masterstream.service")


@dataclass(slots=True)
class Engine:
    settings: Settings
    catalog: Catalog
    library: TrackLibrary
    plans: PlanStore
    scheduler: WorkScheduler
    renderer: ChunkRenderer
    cache: ChunkCache
    warmer: Warmer
    chunks: ChunkService
    warming: TrackWarming
    owns_catalog: bool = True
    scanner: LibraryScanner = field(init=False)
    mastered: MasteredFigures = field(init=False)  # measured output figures (LRU)
    _background: set[asyncio.Task[int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.scanner = LibraryScanner(
            self.settings, self.library, self.scheduler, purge=self.forget_tracks,
            plan=lambda presets: self.plan_in_background(presets),  # looked up late: patchable
        )  # fmt: skip
        self.renderer.on_fingerprint = self.scanner.fingerprint_measured
        self.mastered = MasteredFigures(self.renderer)

    @classmethod
    async def open(
        cls, settings: Settings, *, prepare: bool = True, progress: ProgressFactory | None = None
    ) -> Engine:
        """Open the catalog, prepare the library (demo library on first use; without
        ``prepare``, the :attr:`scanner` does that in the background) and the cache."""
        catalog = Catalog(settings.catalog_target)
        try:
            library = TrackLibrary(catalog, chunk_duration_s=settings.chunk_duration_s)
            if prepare:
                await asyncio.to_thread(prepare_library, library, settings, progress=progress)
            tier1 = MemoryTier(settings.tier1_capacity_bytes, policy=settings.eviction_policy)
            tier2 = await asyncio.to_thread(
                DiskTier, settings.effective_cache_dir, settings.tier2_capacity_bytes,
                policy=settings.eviction_policy, probe_interval_s=settings.disk_probe_interval_s,
            )  # fmt: skip
            shared = None
            if settings.redis_url is not None:
                from ..cache.shared_cluster import SharedCluster  # redis: only when configured

                shared = SharedCluster.from_url(
                    settings.redis_url, server_id=settings.effective_server_id,
                    timeout_s=settings.redis_timeout_ms / 1000.0,
                )  # fmt: skip
                shared.start()
            return cls.assemble(settings, library, tier1, tier2, shared=shared)
        except BaseException:
            catalog.close()
            raise

    @classmethod
    def assemble(
        cls, settings: Settings, library: TrackLibrary, tier1: Tier, tier2: Tier, *,
        warm: bool = True, owns_catalog: bool = True, shared: SharedCluster | None = None,
    ) -> Engine:  # fmt: skip
        """Wire the parts around ``library`` and two tiers (no I/O, no event loop needed)."""
        plans = PlanStore(library.catalog, pipeline_version=PIPELINE_VERSION)
        scheduler = WorkScheduler(
            workers=settings.render_workers or default_worker_count(), pool=settings.render_pool
        )
        renderer = ChunkRenderer(library, plans, scheduler)
        cache = ChunkCache(tier1, tier2, resolver=library, render=renderer,
                           pipeline_version=PIPELINE_VERSION, shared=shared)  # fmt: skip
        chunks = ChunkService(cache, library)
        target = ServiceWarmTarget(cache, chunks)  # album loudness keys come from the service
        warmer = Warmer(target, clock=time.monotonic, sleep=asyncio.sleep,
                        concurrency=scheduler.workers, enabled=warm)  # fmt: skip
        cache.warmer_stats = warmer.stats
        return cls(settings, library.catalog, library, plans, scheduler, renderer, cache,
                   warmer, chunks, TrackWarming(chunks), owns_catalog)  # fmt: skip

    def follow(self, listener: Hashable, position: PlaybackPosition) -> None:
        """A listener reports what it plays and where: the warmer renders ahead of it.
        Raises ``TrackNotFoundError`` for an unknown track."""
        variant = position.variant
        self.warmer.update(position.track_id, position.position_s, variant.key_preset,
                           variant.intensity, position.fmt, listener, variant.loudness)  # fmt: skip
        key = self.cache.make_key(position.track_id, 0, variant.key_preset, variant.intensity,
                                  position.fmt)  # fmt: skip
        self.cache.note_variant(key)

    def unfollow(self, listener: Hashable) -> None:
        """The listener stopped (closed its connection): the warmer stops following it."""
        self.warmer.forget(listener)

    async def forget_tracks(self, track_ids: Iterable[int]) -> int:
        """Drop the plans and cached chunks of tracks that changed or vanished; returns
        the chunk entries removed."""
        cleared = 0
        for track_id in track_ids:
            self.plans.forget_track(track_id)
            cleared += await self.cache.clear_track(track_id)
        return cleared

    async def prepare_plans(self, presets: tuple[str, ...]) -> int:
        """Plan ``presets`` for every track, in the background lane (so after any listener's
        work); returns how many were computed. The first preset is planned for the whole
        library first (fingerprints are measured in the same pass), then each track's other
        presets together, in one pass over its file, each track once listeners have asked
        for no work for a while (:meth:`WorkScheduler.listeners_quiet`; under steady load
        they are planned when first asked for, as they would be without this). Run after
        start-up and after a scan, it makes a track's first chunk — and a switch of preset
        mid-track — as fast as any other chunk."""
        computed = 0
        for later, batch in enumerate((presets[:1], presets[1:])):
            for record in self.library.records() if batch else ():
                if later:  # presets nobody may ask for: in a lull between listeners' requests
                    await self.scheduler.listeners_quiet()
                if later and record.fingerprint is None:
                    try:  # the fingerprint the first pass measured, before the library has it
                        record = await asyncio.to_thread(self.catalog.get_track, record.id)
                    except TrackNotFoundError:
                        continue
                priority = Priority(Lane.BACKGROUND, time.monotonic())
                try:
                    computed += await self.renderer.prepare_plans(record, batch, priority)
                except MasterstreamError as exc:  # a bad file must not stop the others
                    log.warning("cannot plan %s for track %s: %s", ", ".join(batch), record.id,
                                exc)  # fmt: skip
        return computed

    def plan_in_background(self, presets: tuple[str, ...]) -> asyncio.Task[int]:
        """Run :meth:`prepare_plans` as a background task (after start-up, after a scan).
        A track without a fingerprint has it measured on the way (and stored)."""
        task = asyncio.get_running_loop().create_task(
            self.prepare_plans(presets), name="masterstream-plans"
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def aclose(self) -> None:
        """Stop warming and background work, cancel renders, finish pending disk writes,
        stop the workers and close the catalog (if the engine opened it)."""
        await self.scanner.aclose()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.mastered.aclose()
        await self.warming.aclose()
        await self.warmer.aclose()
        await self.cache.aclose()
        if self.cache.shared is not None:
            await self.cache.shared.aclose()
        await asyncio.to_thread(self.scheduler.close)
        if self.owns_catalog:
            self.catalog.close()


RENDER_PATH_MODULES = (
    "masterstream.mastering.render",
    "masterstream.mastering.plan",
    "masterstream.service.jobs",
    "masterstream.audio.opus",
    "masterstream.audio.mp3",
)


def preload_render_path() -> None:
    """Import what the first render needs (DSP, analysis, encoders; about a second), so the
    first listener does not wait for imports. Start-up leaves them out (``/livez`` answers
    first); the app calls this in a thread once it listens."""
    for name in RENDER_PATH_MODULES:
        importlib.import_module(name)
