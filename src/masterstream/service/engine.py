"""The engine: everything a server needs, built from one :class:`Settings` and closed once.

catalog → track library → plan store → chunk renderer (thread pool) → two-tier chunk
cache (memory + disk) with its warmer. The API builds one in its lifespan and keeps it
on ``app.state``; nothing here is created at import time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from ..cache import ChunkCache, DiskTier, MemoryTier
from ..config import Settings
from ..errors import MasterstreamError
from ..library.catalog import Catalog
from ..mastering import PIPELINE_VERSION
from .plans import PlanStore
from .renderer import ChunkRenderer
from .tracks import TrackLibrary
from .workspace import ProgressFactory, prepare_library

log = logging.getLogger("masterstream.service")


@dataclass(slots=True)
class Engine:
    settings: Settings
    catalog: Catalog
    library: TrackLibrary
    plans: PlanStore
    renderer: ChunkRenderer
    cache: ChunkCache
    _background: set[asyncio.Task[int]] = field(default_factory=set)

    @classmethod
    async def open(
        cls, settings: Settings, *, prepare: bool = True, progress: ProgressFactory | None = None
    ) -> Engine:
        """Open the catalog, prepare the library (demo library on first use) and the cache."""
        catalog = Catalog(settings.catalog_path)
        try:
            library = TrackLibrary(catalog, chunk_duration_s=settings.chunk_duration_s)
            if prepare:
                await asyncio.to_thread(prepare_library, library, settings, progress=progress)
            plans = PlanStore(catalog, pipeline_version=PIPELINE_VERSION)
            renderer = ChunkRenderer(
                library, plans, workers=settings.render_workers, pool=settings.render_pool
            )
            tier1 = MemoryTier(settings.tier1_capacity_bytes, policy=settings.eviction_policy)
            tier2 = await asyncio.to_thread(
                DiskTier, settings.effective_cache_dir, settings.tier2_capacity_bytes,
                policy=settings.eviction_policy,
            )  # fmt: skip
        except BaseException:
            catalog.close()
            raise
        cache = ChunkCache(tier1, tier2, resolver=library, render=renderer,
                           pipeline_version=PIPELINE_VERSION)  # fmt: skip
        return cls(settings, catalog, library, plans, renderer, cache)

    async def prepare_plans(self, preset: str) -> int:
        """Plan ``preset`` for every track that has no plan yet, one at a time, each only
        once no listener waits for a render; returns how many were computed. Run in the
        background after start-up, it makes a track's first chunk as fast as any other."""
        computed = 0
        for record in self.library.records():
            if self.plans.cached(record, preset) is not None:
                continue
            await self.cache.ondemand_idle()
            try:
                await self.renderer.ensure_plan(record, preset)
            except MasterstreamError as exc:  # a bad file must not stop the others
                log.warning("cannot plan %s for track %s: %s", preset, record.id, exc)
                continue
            computed += 1
        return computed

    def plan_in_background(self, preset: str) -> None:
        """Run :meth:`prepare_plans` as a background task (after start-up, after a scan)."""
        task = asyncio.get_running_loop().create_task(
            self.prepare_plans(preset), name=f"masterstream-plans-{preset}"
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        """Stop the warmer and pending writes, finish or abandon renders, close the catalog."""
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.cache.aclose()
        await asyncio.to_thread(self.renderer.close)
        self.catalog.close()
