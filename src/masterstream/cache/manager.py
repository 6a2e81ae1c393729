"""ChunkCache: the two-tier chunk cache the rest of masterstream talks to.

Design notes. A lookup resolves the track (signature and chunk count, from the
service's :class:`TrackResolver`), builds the :class:`ChunkKey` and asks tier1 then tier2.
A tier whose ``blocking`` flag is false (memory) is called inline, so a tier1 hit returns
without a thread hop, a copy or any I/O; a blocking tier (disk) is called through
``asyncio.to_thread``.

The tiers are exclusive (:mod:`.placement`): a render goes to tier1, tier1's victims are
written down to tier2 behind the response, a tier2 hit moves up; :meth:`aclose` writes
tier1 down, so the disk tier still holds everything after a restart.

A miss goes through :class:`~.rendering.Renders` (one render per key, most urgent caller
first). The :class:`~masterstream.cache.warmer.Warmer` reaches the cache only through
:meth:`fetch`, :meth:`prefetch` and the lookups of its ``WarmTarget`` protocol.
``clear_track``/``clear`` bump an epoch, so a render or write that was pending when its
track was cleared stores nothing afterwards.

With a :class:`~.shared_cluster.SharedCluster` (several servers sharing Redis), lookups go
tier1 → tier2 → shared (a shared hit is copied into tier1); a miss renders through the
cluster's lock; clears are applied to the shared tier and broadcast, and other servers'
clears are applied here. Hit rates are defined in :mod:`.stats`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ChunkOutOfRangeError
from .keys import ORIGINAL, TRACK_LOUDNESS, ChunkKey
from .placement import ExclusiveTiers
from .protocols import ONDEMAND_NOW, Priority, Renderer, TrackCacheInfo, TrackResolver
from .rendering import Renders
from .retention import RetentionMeter
from .stats import CacheStatsSnapshot
from .status import every_track_status, track_status
from .tier import Tier

if TYPE_CHECKING:
    from .shared_cluster import SharedCluster


class ChunkCache:
    """Two exclusive tiers and one render per key, most urgent render first."""

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
        self.tiers = ExclusiveTiers(tier1, tier2)
        self.tier1 = tier1
        self.tier2 = tier2
        self._epoch_of = self.tiers.epoch_of
        self._store = self.tiers.store
        self.shared = shared
        if shared is not None:
            shared.on_invalidate(self.drop_local)
        self.resolver = resolver
        self.pipeline_version = pipeline_version
        self.clock = clock
        self.renders = Renders(render, clock=clock, epoch_of=self._epoch_of, shared=shared,
                               store=self._store)  # fmt: skip
        self.render_stats = self.renders.stats
        self._infos: dict[int, TrackCacheInfo] = {}
        self._last_variant: dict[int, tuple[str | None, float, str]] = {}
        self.requests = 0
        self.warmer_stats: Callable[[], dict[str, object]] = dict
        """Stats of the warmer that follows this cache's listeners (set by its builder)."""
        self.retention = RetentionMeter(
            tier1.capacity_bytes + tier2.capacity_bytes, lambda: tier2.stats().evicted_bytes,
            clock=clock,
        )  # fmt: skip

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
        if self.tiers.pending(key) is not None:
            self.renders.flights.coalesced_waiters += 1
        self.renders.ondemand_waiting += 1
        try:
            data = await self.render_once(key, to_tier1=True, priority=priority)
        finally:
            self.renders.ondemand_waiting -= 1
        self.tiers.observe(key, len(data), hit=False)
        return data

    async def prefetch(self, key: ChunkKey, *, to_tier1: bool, priority: Priority) -> None:
        """Make ``key`` cached without counting a request: into tier1 (moved up from tier2
        when it is there, rendered otherwise) or anywhere (tier2 for a new chunk)."""
        self.tiers.observe(key, None, counted=False)
        if await self.tiers.prefetch(key, to_tier1=to_tier1):
            return
        data = None
        if self.shared is not None:
            data = await self.shared.tier.peek(key)  # another server rendered it: no render
        if data is not None:
            await self._store(key, data, self._epoch_of(key), to_tier1)
            return
        await self.render_once(key, to_tier1=to_tier1, priority=priority)

    def keep_hot(self, key: ChunkKey) -> bool:
        """True if ``key`` is in tier1, whose policy now counts it as just used."""
        if not self.tier1.touch(key):
            return False
        self.tiers.observe(key, None, counted=False)
        return True

    def retention_s(self) -> float:
        """Seconds a chunk nobody asks for stays cached, at the recent eviction rate
        (:mod:`.retention`; inf while nothing is evicted)."""
        return self.retention.retention_s()

    def cached_in(self, key: ChunkKey, tier: str) -> bool:
        """Whether ``key`` is being rendered or is in ``tier`` ("tier1"; "tier2": cached at
        all, as a key in tier1 goes down to tier2 when tier1 evicts it)."""
        return key in self.renders or self.tiers.cached_in(key, tier)

    def cached_keys(self, track_id: int) -> list[ChunkKey]:
        """Keys of ``track_id`` held here: in tier1, on their way down, in tier2."""
        return self.tiers.keys(track_id)

    def _count_request(self, key: ChunkKey) -> None:
        self.requests += 1
        self._last_variant[key.track_id] = (key.preset, key.intensity, key.fmt)

    async def _lookup(self, key: ChunkKey) -> tuple[bytes | None, str]:
        data, source = await self.tiers.get(key)
        if data is not None:
            self.tiers.observe(key, len(data), hit=True)
        elif self.shared is not None:
            epoch = self._epoch_of(key)
            data = await self.shared.tier.get(key)
            if data is not None:
                await self._store(key, data, epoch, True)
                return data, "shared"
        return data, source

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
        pending = self.tiers.pending(key)
        if pending is None:
            pending = await self.renders.run(key, to_tier1=to_tier1, priority=priority)
        if to_tier1 and key not in self.tier1:
            await self._store(key, pending, epoch, True)
        return pending

    async def put_chunk(
        self,
        track_id: int,
        chunk_idx: int,
        data: bytes,
        preset: str | None = None,
        intensity: float = 1.0,
        fmt: str = "wav",
    ) -> None:
        """Store bytes rendered elsewhere: into tier1 (tier2 once tier1 evicts them)."""
        key = self.make_key(track_id, chunk_idx, preset, intensity, fmt)
        await self._store(key, data, self._epoch_of(key), True)

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

        Epochs make sure nothing rendered or written for them before is stored later."""
        return await self.tiers.drop(track_id)

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
        return CacheStatsSnapshot.of(
            self.tier1, self.tier2, requests=self.requests, render=self.renders.snapshot(),
            warmer=self.warmer_stats(), shared=self.shared,
        )  # fmt: skip

    def get_stats(self) -> dict[str, object]:
        """The seed's dict: :meth:`stats` plus ``tracks``, the status of every track with a
        chunk in a tier, measured on the variant last requested or played on it (the
        original WAV if none). Walks every cached key; monitoring reads :meth:`stats`."""
        tracks = every_track_status(self, self._infos, self._last_variant, self.track_info)
        return self.stats().as_dict(tracks)

    async def flush(self) -> None:
        """Wait until every pending tier2 write is done (or failed)."""
        await self.tiers.writes.flush()

    async def write_down(self) -> int:
        """Move tier1's chunks down to tier2, as :meth:`aclose` does; returns how many."""
        return await self.tiers.writes.write_down()

    async def aclose(self) -> None:
        """Cancel in-flight renders, finish tier2 writes and write tier1 down to tier2."""
        await self.renders.aclose()
        await self.tiers.aclose()
