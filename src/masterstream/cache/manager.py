"""ChunkCache: the two-tier chunk cache the rest of masterstream talks to.

Design notes. A lookup resolves the track (signature and chunk count, from the
service's :class:`TrackResolver`), builds the :class:`ChunkKey` and asks tier1 then tier2.
A tier whose ``blocking`` flag is false (memory) is called inline, so a tier1 hit returns
without a thread hop, a copy or any I/O; a blocking tier (disk) is called through
``asyncio.to_thread``. A tier2 hit is promoted to tier1.

A miss in ``get_or_render`` goes through :class:`SingleFlight`: one render per key; the
render task stores the bytes in tier1 and hands them to every waiter, then writes tier2
(while that write is pending the bytes stay reachable in ``_writing``, so nobody renders
the chunk again). A render that raises caches nothing and fails all waiters. Every render
carries a :class:`Priority`; when a more urgent caller joins a render that is still queued
(a listener asks for a chunk the warmer scheduled), the renderer is told to promote it.
The :class:`~masterstream.cache.warmer.Warmer` is built beside the cache and reaches it
only through :meth:`fetch`, :meth:`prefetch` and the lookups of its ``WarmTarget`` protocol.

``clear_track``/``clear`` bump an epoch, so a render that was in flight when its track
was cleared does not store stale bytes afterwards.

With a :class:`~.shared_cluster.SharedCluster` (several servers sharing Redis), lookups go
tier1 → tier2 → shared (a shared hit is copied into tier1, and into tier2 behind the
response); a miss renders through the cluster's lock, so one server renders and the others
read its bytes from the shared tier; clears are also applied to the shared tier and
broadcast, and other servers' clears are applied here to the local tiers.

Hit rates (``get_stats``), all from counts: per tier ``hits / (hits + misses)`` over the
lookups that reached it (tier2 is asked only after a tier1 miss, so its rate is
conditional on a tier1 miss); overall ``total_hits / (total_hits + total_misses)`` with
``total_hits = tier1 hits + tier2 hits`` and ``total_misses = tier2 misses``, i.e. the
share of requests (``get_chunk`` calls; ``get_or_render`` makes one) served from cache.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..errors import ChunkOutOfRangeError, MasterstreamError, RenderError
from .keys import ORIGINAL, TRACK_LOUDNESS, ChunkKey
from .protocols import ONDEMAND_NOW, Priority, Renderer, TrackCacheInfo, TrackResolver
from .render_stats import RenderStats
from .singleflight import SingleFlight
from .stats import CacheStatsSnapshot, OverallStats, RenderSnapshot
from .status import track_status
from .tier import Tier

if TYPE_CHECKING:
    from .shared_cluster import SharedCluster


class ChunkCache:
    """Two tiers and one render per key, most urgent render first."""

    def __init__(
        self,
        tier1: Tier,
        tier2: Tier,
        *,
        resolver: TrackResolver,
        render: Renderer,
        pipeline_version: str,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedCluster | None = None,
    ) -> None:
        self.tier1 = tier1
        self.tier2 = tier2
        self.shared = shared
        if shared is not None:
            shared.on_invalidate(self.drop_local)
        self.resolver = resolver
        self.pipeline_version = pipeline_version
        self.clock = clock
        self._render = render
        self._promote: Callable[[ChunkKey, Priority], object] | None = getattr(
            render, "promote", None
        )
        self._flights = SingleFlight()
        self._writing: dict[ChunkKey, bytes] = {}
        self._write_tasks: set[asyncio.Task[None]] = set()
        self._infos: dict[int, TrackCacheInfo] = {}
        self._last_variant: dict[int, tuple[str | None, float, str]] = {}
        self._epochs: dict[int, int] = {}
        self._epoch = 0
        self._ondemand_waiting = 0
        self.render_stats = RenderStats()
        self.requests = 0
        self.warmer_stats: Callable[[], dict[str, object]] = dict
        """Stats of the warmer that follows this cache's listeners (set by its builder)."""

    # --- keys --------------------------------------------------------------------------

    def track_info(self, track_id: int) -> TrackCacheInfo:
        """The resolver's view of a track (raises ``TrackNotFoundError``); remembered for stats."""
        info = self.resolver.track_cache_info(track_id)
        self._infos[track_id] = info
        return info

    def make_key(
        self,
        track_id: int,
        chunk_idx: int,
        preset: str | None = None,
        intensity: float = 1.0,
        fmt: str = "wav",
        info: TrackCacheInfo | None = None,
        loudness: str = TRACK_LOUDNESS,
    ) -> ChunkKey:
        """The key for a chunk of the track as it is now; raises on an out-of-range chunk.
        ``preset`` None or ``"original"`` both mean the unmastered audio. The cache knows
        no albums: album loudness keys are made by the chunk service
        (:class:`~masterstream.service.warm_target.ServiceWarmTarget` for the warmer)."""
        if loudness != TRACK_LOUDNESS:
            raise ValueError(f"ChunkCache.make_key makes track-mode keys, not {loudness!r}")
        info = self.track_info(track_id) if info is None else info
        if preset == ORIGINAL:
            preset = None
        if not 0 <= chunk_idx < info.chunk_count:
            raise ChunkOutOfRangeError(track_id, chunk_idx, info.chunk_count)
        return ChunkKey(
            track_id, info.signature, self.pipeline_version, preset, intensity, chunk_idx, fmt
        )

    # --- the read path -----------------------------------------------------------------

    async def get_chunk(
        self,
        track_id: int,
        chunk_idx: int,
        preset: str | None = None,
        intensity: float = 1.0,
        fmt: str = "wav",
    ) -> tuple[bytes | None, str]:
        """``(bytes, "tier1" | "tier2" | "shared")`` on a hit, ``(None, "miss")`` otherwise."""
        key = self.make_key(track_id, chunk_idx, preset, intensity, fmt)
        self._count_request(key)
        return await self._lookup(key)

    async def fetch(self, key: ChunkKey, priority: Priority = ONDEMAND_NOW) -> tuple[bytes, str]:
        """A request for ``key``: ``(bytes, "tier1" | "tier2")`` on a hit, else the bytes of
        the one render of this chunk (rendered at ``priority``) and ``"miss"``."""
        data, source = await self.lookup(key)
        if data is None:
            return await self.render_missing(key, priority), "miss"
        return data, source

    async def lookup(self, key: ChunkKey) -> tuple[bytes | None, str]:
        """Count a request for ``key`` and look it up: tier1, then tier2 (promoting)."""
        self._count_request(key)
        return await self._lookup(key)

    async def render_missing(self, key: ChunkKey, priority: Priority) -> bytes:
        """The bytes of ``key`` after a :meth:`lookup` missed: its one render, into tier1.
        A request whose chunk was rendered for another one between its lookup and now
        shares that render: it counts as a coalesced waiter too."""
        if key in self._writing or key in self.tier1:
            self._flights.coalesced_waiters += 1
        self._ondemand_waiting += 1
        try:
            return await self.render_once(key, to_tier1=True, priority=priority)
        finally:
            self._ondemand_waiting -= 1

    async def prefetch(self, key: ChunkKey, *, to_tier1: bool, priority: Priority) -> None:
        """Make ``key`` cached without counting a request: into tier1 (promoted from tier2
        when it is there, rendered otherwise) or into tier2 only."""
        if to_tier1 and self.tier1.touch(key):
            return
        if key in self.tier2:
            tier2 = self.tier2
            data = await asyncio.to_thread(tier2.peek, key) if tier2.blocking else tier2.peek(key)
            if data is not None:
                tier2.touch(key)  # in use: tell tier2's policy (no hit is counted)
                if to_tier1:
                    await self._put(self.tier1, key, data)
                return
        data = None if self.shared is None else await self.shared.tier.peek(key)
        if data is not None:  # another server rendered it: copy, do not render again
            if to_tier1:
                await self._put(self.tier1, key, data)
            self._write_behind(key, data, self._epoch_of(key))
            return
        await self.render_once(key, to_tier1=to_tier1, priority=priority)

    def keep_hot(self, key: ChunkKey) -> bool:
        """True if ``key`` is in tier1, whose policy now counts it as just used."""
        return self.tier1.touch(key)

    def cached_in(self, key: ChunkKey, tier: str) -> bool:
        """Whether ``key`` is in ``tier`` ("tier1"/"tier2") or being rendered or written."""
        if key in self._flights or key in self._writing:
            return True
        return key in (self.tier1 if tier == "tier1" else self.tier2)

    def _count_request(self, key: ChunkKey) -> None:
        self.requests += 1
        self._last_variant[key.track_id] = (key.preset, key.intensity, key.fmt)

    async def _lookup(self, key: ChunkKey) -> tuple[bytes | None, str]:
        tier1, tier2 = self.tier1, self.tier2
        data = await asyncio.to_thread(tier1.get, key) if tier1.blocking else tier1.get(key)
        if data is not None:
            return data, "tier1"
        data = await asyncio.to_thread(tier2.get, key) if tier2.blocking else tier2.get(key)
        if data is not None:
            await self._put(tier1, key, data)
            return data, "tier2"
        if self.shared is not None:
            epoch = self._epoch_of(key)
            data = await self.shared.tier.get(key)
            if data is not None:
                await self._put(tier1, key, data)
                self._write_behind(key, data, epoch)
                return data, "shared"
        return None, "miss"

    async def get_or_render(
        self,
        track_id: int,
        chunk_idx: int,
        preset: str | None = None,
        intensity: float = 1.0,
        fmt: str = "wav",
    ) -> tuple[bytes, str]:
        """:meth:`fetch` for a chunk given by its parts (the seed's calling style)."""
        return await self.fetch(self.make_key(track_id, chunk_idx, preset, intensity, fmt))

    async def render_once(
        self, key: ChunkKey, *, to_tier1: bool, priority: Priority = ONDEMAND_NOW
    ) -> bytes:
        """The chunk's bytes via the single render for ``key`` (joined if one is running,
        and promoted when this caller is more urgent)."""
        epoch = self._epoch_of(key)
        pending = self._writing.get(key)
        if pending is None:
            pending = self.tier1.peek(key)
        if pending is None:
            if key in self._flights and self._promote is not None:
                self._promote(key, priority)
            pending = await self._flights.run(
                key, lambda: self._render_and_store(key, to_tier1, priority)
            )
        if to_tier1 and key not in self.tier1 and epoch == self._epoch_of(key):
            await self._put(self.tier1, key, pending)
        return pending

    def _epoch_of(self, key: ChunkKey) -> tuple[int, int]:
        return self._epoch, self._epochs.get(key.track_id, 0)

    async def _render_and_store(self, key: ChunkKey, to_tier1: bool, priority: Priority) -> bytes:
        epoch = self._epoch_of(key)
        if self.shared is None:
            data = await self._render_here(key, priority)
        else:
            data, _ = await self.shared.renders.render(
                key, lambda: self._render_here(key, priority),
                store=lambda: epoch == self._epoch_of(key),
            )  # fmt: skip
        if epoch != self._epoch_of(key):
            return data  # the track was cleared meanwhile: hand out, do not store
        if to_tier1:
            await self._put(self.tier1, key, data)
        self._write_behind(key, data, epoch)
        return data

    async def _render_here(self, key: ChunkKey, priority: Priority) -> bytes:
        started_s = self.clock()
        try:
            data = await self._render(key, priority)
            if type(data) is not bytes:
                raise RenderError(f"render returned {type(data).__name__}, not bytes for {key}")
        except Exception:
            self.render_stats.record_failure()
            raise
        self.render_stats.record(self.clock() - started_s)
        return data

    def _write_behind(self, key: ChunkKey, data: bytes, epoch: tuple[int, int]) -> None:
        """Write ``data`` to tier2 in the background (reachable in ``_writing`` meanwhile)."""
        self._writing[key] = data
        task = asyncio.get_running_loop().create_task(self._store_tier2(key, data, epoch))
        self._write_tasks.add(task)
        task.add_done_callback(self._write_tasks.discard)

    async def _store_tier2(self, key: ChunkKey, data: bytes, epoch: tuple[int, int]) -> None:
        try:
            if epoch == self._epoch_of(key):
                await self._put(self.tier2, key, data)
        finally:
            self._writing.pop(key, None)

    @staticmethod
    async def _put(tier: Tier, key: ChunkKey, data: bytes) -> bool:
        if tier.blocking:
            return await asyncio.to_thread(tier.put, key, data)
        return tier.put(key, data)

    async def put_chunk(
        self,
        track_id: int,
        chunk_idx: int,
        data: bytes,
        preset: str | None = None,
        intensity: float = 1.0,
        fmt: str = "wav",
    ) -> None:
        """Store bytes rendered elsewhere in both tiers."""
        key = self.make_key(track_id, chunk_idx, preset, intensity, fmt)
        await self._put(self.tier1, key, data)
        await self._put(self.tier2, key, data)

    def note_variant(self, key: ChunkKey) -> None:
        """``key``'s variant is being played: the per-track status in stats follows it."""
        self._last_variant[key.track_id] = (key.preset, key.intensity, key.fmt)

    # --- clearing ------------------------------------------------------------------------

    async def clear_track(self, track_id: int) -> int:
        """Delete every chunk of exactly ``track_id`` from every tier (and tell the other
        servers sharing the shared tier to do the same); returns entries removed here."""
        removed = await self.drop_local(track_id)
        if self.shared is not None:
            await self.shared.tier.delete_track(track_id)
            await self.shared.events.invalidate(track_id)
        return removed

    async def clear(self) -> int:
        """Delete every chunk from every tier (on every server); returns entries removed here."""
        removed = await self.drop_local(None)
        if self.shared is not None:
            await self.shared.tier.clear()
            await self.shared.events.invalidate(None)
        return removed

    async def drop_local(self, track_id: int | None) -> int:
        """Delete the chunks of ``track_id`` (None: all) from this server's tiers only.

        The epoch moves first, so no render or write that starts later stores old bytes;
        tier2 writes already past their epoch check are awaited, then deleted with the rest."""
        if track_id is None:
            self._epoch += 1
            await self.flush()
            self._writing.clear()
            return sum([await self._call(tier, tier.clear) for tier in (self.tier1, self.tier2)])
        self._epochs[track_id] = self._epochs.get(track_id, 0) + 1
        await self.flush()
        removed = 0
        for tier in (self.tier1, self.tier2):
            removed += await self._call(tier, _delete_track, tier, track_id)
        for key in [k for k in self._writing if k.track_id == track_id]:
            self._writing.pop(key, None)
        return removed

    @staticmethod
    async def _call(tier: Tier, fn: Callable[..., int], *args: object) -> int:
        return await asyncio.to_thread(fn, *args) if tier.blocking else fn(*args)

    # --- status and stats ------------------------------------------------------------------

    def track_status(
        self,
        track_id: int,
        preset: str | None = None,
        intensity: float = 1.0,
        fmt: str = "wav",
    ) -> dict[str, object]:
        """The seed's ``TrackCacheStatusResponse`` fields for one track and variant."""
        info = self.track_info(track_id)
        preset = None if preset == ORIGINAL else preset
        return track_status(self, track_id, info, preset, intensity, fmt)

    def stats(self) -> CacheStatsSnapshot:
        """Typed counters of both tiers, totals, renders and the warmer; visits no cached key
        (``tracks_cached`` counts the distinct track ids the tiers index)."""
        tier1, tier2 = self.tier1.stats(), self.tier2.stats()
        shared = None if self.shared is None else self.shared.tier.stats()
        tracks_cached = len({*self.tier1.track_ids(), *self.tier2.track_ids()})
        return CacheStatsSnapshot(
            tier1=tier1,
            tier2=tier2,
            overall=OverallStats.of(
                tier1, tier2, requests=self.requests, tracks_cached=tracks_cached, shared=shared
            ),
            render=RenderSnapshot.of(
                self.render_stats,
                coalesced_waiters=self._flights.coalesced_waiters,
                in_flight=len(self._flights),
                ondemand_waiting=self._ondemand_waiting,
            ),
            warmer=MappingProxyType(self.warmer_stats()),
            shared=shared,
            cluster=None if self.shared is None else MappingProxyType(self.shared.status()),
        )

    def get_stats(self) -> dict[str, object]:
        """The seed's dict: :meth:`stats` plus ``tracks``, the status of every track with a
        chunk in a tier, measured on the variant last requested or played on it (the
        original WAV if none). Walks every cached key; monitoring reads :meth:`stats`."""
        snapshot = self.stats()
        tracks: dict[int, dict[str, object]] = {}
        for track_id in sorted({*self.tier1.track_ids(), *self.tier2.track_ids()}):
            info = self._infos.get(track_id)
            if info is None:
                try:
                    info = self.track_info(track_id)
                except MasterstreamError:
                    continue
            preset, intensity, fmt = self._last_variant.get(track_id, (None, 1.0, "wav"))
            tracks[track_id] = track_status(self, track_id, info, preset, intensity, fmt)
        return snapshot.as_dict(tracks)

    async def flush(self) -> None:
        """Wait until every rendered chunk has been written to tier2 (or failed to)."""
        while self._write_tasks:
            await asyncio.gather(*self._write_tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel in-flight renders and wait for pending tier2 writes."""
        await self._flights.aclose()
        await asyncio.gather(*self._write_tasks, return_exceptions=True)


def _delete_track(tier: Tier, track_id: int) -> int:
    return sum(1 for key in tier.keys(track_id) if tier.delete(key))
