"""The cache as the warmer sees it, with keys made by the chunk service.

The warmer (:mod:`masterstream.cache.warmer`) plans from playback streams; a key for a
chunk played in album loudness mode carries the album's token, which only the chunk
service can compute (it knows the library's albums). :class:`ServiceWarmTarget` gives the
warmer the cache's lookups and prefetch, and the chunk service's keys, so a listener in
album mode is warmed with exactly the keys its requests will ask for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..cache import ChunkCache, ChunkKey, Priority
from ..cache.keys import TRACK_LOUDNESS as TRACK
from ..cache.protocols import TrackCacheInfo
from .request import ORIGINAL, ChunkRequest, Variant

if TYPE_CHECKING:
    from .chunks import ChunkService


class ServiceWarmTarget:
    """A :class:`~masterstream.cache.WarmTarget` over ``cache`` and ``chunks``."""

    def __init__(self, cache: ChunkCache, chunks: ChunkService) -> None:
        self.cache = cache
        self.chunks = chunks

    def track_info(self, track_id: int) -> TrackCacheInfo:
        return self.cache.track_info(track_id)

    def make_key(
        self, track_id: int, chunk_idx: int, preset: str | None, intensity: float, fmt: str,
        info: TrackCacheInfo | None = None, loudness: str = TRACK,
    ) -> ChunkKey:  # fmt: skip
        if loudness == TRACK:
            return self.cache.make_key(track_id, chunk_idx, preset, intensity, fmt, info)
        variant = Variant(ORIGINAL if preset is None else preset, intensity, loudness)
        return self.chunks.key(ChunkRequest(track_id, chunk_idx, variant, fmt))

    def keep_hot(self, key: ChunkKey) -> bool:
        return self.cache.keep_hot(key)

    def cached_in(self, key: ChunkKey, tier: str) -> bool:
        return self.cache.cached_in(key, tier)

    def retention_s(self) -> float:
        return self.cache.retention_s()

    async def prefetch(self, key: ChunkKey, *, to_tier1: bool, priority: Priority) -> None:
        await self.cache.prefetch(key, to_tier1=to_tier1, priority=priority)
