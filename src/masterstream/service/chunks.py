"""The chunk service: the one way to a mastered chunk, for every entry point.

HTTP routes (a chunk, a whole-track stream), the CLI, the warmer and whole-track warming
all ask :meth:`ChunkService.get` (or :meth:`~ChunkService.prefetch`) for a validated
:class:`~masterstream.service.request.ChunkRequest`. The service builds the cache key once,
asks the cache (tier1 → tier2 → one render per key) and returns a :class:`ChunkResult`
with the bytes, where they came from and how long each step took; callers record their
metrics from that result.

It also decides how urgent a render is. A request that continues a listener's sequence
(the previous chunk of the same track and variant was asked for recently) is due when the
previous chunk ends playing, one chunk duration from now; any other request — pressing
play, a seek — is due now. On-demand renders are then served earliest deadline first,
so a new listener's first chunk never queues behind others' next chunks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..audio.formats import parse_token
from ..cache import ChunkCache, ChunkKey, Lane, Priority
from ..cache.keys import TRACK_LOUDNESS
from ..library.catalog import TrackRecord
from .album_loudness import album_of, album_version, loudness_token
from .renderer import ensure_unchanged_on_disk
from .request import ChunkRequest
from .tracks import TrackLibrary

ChunkObserver = Callable[["ChunkResult"], None]
KEY_MEMO_SIZE = 65_536  # remembered keys (a few MB at most); all forgotten when full


@dataclass(frozen=True, slots=True)
class ChunkTimings:
    """Milliseconds spent finding the chunk in the tiers, rendering it (0 on a hit), in all."""

    lookup_ms: float
    render_ms: float

    @property
    def total_ms(self) -> float:
        return self.lookup_ms + self.render_ms


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """A chunk's encoded bytes and how they were served."""

    data: bytes
    source: str  # "tier1" | "tier2" | "miss"
    key: ChunkKey
    timings: ChunkTimings
    media_type: str


@dataclass(slots=True)
class _Recent:
    count: int
    last_s: float


@dataclass(slots=True)
class RecentRequests:
    """How often and when each chunk key was last requested, for the newest ``capacity``."""

    capacity: int = 100_000
    _keys: OrderedDict[ChunkKey, _Recent] = field(default_factory=OrderedDict)

    def hit(self, key: ChunkKey, now_s: float) -> None:
        entry = self._keys.pop(key, None)
        self._keys[key] = _Recent(1 if entry is None else entry.count + 1, now_s)
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)

    def count(self, key: ChunkKey) -> int:
        entry = self._keys.get(key)
        return 0 if entry is None else entry.count

    def last_s(self, key: ChunkKey) -> float | None:
        entry = self._keys.get(key)
        return None if entry is None else entry.last_s


class ChunkService:
    """Chunk requests in, :class:`ChunkResult` out, through the cache."""

    def __init__(
        self, cache: ChunkCache, library: TrackLibrary, *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.cache = cache
        self.library = library
        self.clock = clock
        self.recent = RecentRequests()
        self.observers: list[ChunkObserver] = []
        self._keys: dict[tuple[object, ...], tuple[ChunkKey, TrackRecord]] = {}

    def key(self, request: ChunkRequest) -> ChunkKey:
        """The cache key of ``request`` as the track is now (raises ``TrackNotFoundError``,
        ``ChunkOutOfRangeError``).

        Track-mode keys are remembered per request while the track's record is the same
        object (every catalog reload makes new records): a repeated request gets the very
        same key object, so the tiers' dictionaries find it by identity."""
        variant = request.variant
        memo = (request.track_id, request.chunk_index, variant.key_preset, variant.intensity,
                request.fmt)  # fmt: skip
        known = self._keys.get(memo)
        record = self.library.get(request.track_id)
        if known is not None and known[1] is record and variant.loudness == TRACK_LOUDNESS:
            return known[0]
        key = self.cache.make_key(request.track_id, request.chunk_index, variant.key_preset,
                                  variant.intensity, request.fmt)  # fmt: skip
        if variant.loudness == TRACK_LOUDNESS or key.preset is None:
            if len(self._keys) >= KEY_MEMO_SIZE:
                self._keys.clear()
            self._keys[memo] = (key, record)
            return key
        token = loudness_token(self.library, record, variant.loudness)
        return dataclasses.replace(key, loudness=token)

    async def get(self, request: ChunkRequest, key: ChunkKey | None = None) -> ChunkResult:
        """The chunk's bytes from the nearest tier, or rendered (urgency as described above).
        Pass ``key`` when the caller already built it with :meth:`key`."""
        key = self.key(request) if key is None else key
        started_s = time.perf_counter()
        now_s = self._count(key)
        data, source = await self.cache.lookup(key)
        looked_up_s = time.perf_counter()
        render_ms = 0.0
        if data is None:  # only a render needs its urgency
            data = await self.cache.render_missing(key, self._urgency(key, now_s))
            render_ms = (time.perf_counter() - looked_up_s) * 1000.0
        timings = ChunkTimings((looked_up_s - started_s) * 1000.0, render_ms)
        result = ChunkResult(data, source, key, timings, parse_token(key.fmt).media_type)
        for observe in self.observers:
            observe(result)
        return result

    async def prefetch(self, request: ChunkRequest, *, priority: Priority) -> None:
        """Render ``request`` into tier2 if no tier has it, without counting a request."""
        key = self.key(request)
        if not self.cache.cached_in(key, "tier2") and not self.cache.cached_in(key, "tier1"):
            await self.cache.prefetch(key, to_tier1=False, priority=priority)

    def cached_source(self, request: ChunkRequest) -> str:
        """Where ``request``'s chunk is now: "tier1", "tier2" or "miss" (nothing counted)."""
        key = self.key(request)
        if key in self.cache.tier1:
            return "tier1"
        return "tier2" if key in self.cache.tier2 else "miss"

    def check_source(self, track_id: int) -> None:
        """Raise ``SourceUnavailableError`` if the track's file is missing or changed since
        it was scanned (before a caller commits to a response that needs every chunk)."""
        ensure_unchanged_on_disk(self.library.get(track_id))

    def _priority(self, key: ChunkKey) -> Priority:
        """Count a request for ``key`` now and return its render urgency."""
        return self._urgency(key, self._count(key))

    def _count(self, key: ChunkKey) -> float:
        """Count a request for ``key``; returns the time it was counted at."""
        now_s = self.clock()
        self.recent.hit(key, now_s)
        return now_s

    def _urgency(self, key: ChunkKey, now_s: float) -> Priority:
        duration_s = self.library.chunk_duration_s
        if key.chunk_index > 0:
            previous = dataclasses.replace(key, chunk_index=key.chunk_index - 1)
            asked_s = self.recent.last_s(previous)
            if asked_s is not None and now_s - asked_s <= 2 * duration_s:
                return Priority(Lane.ONDEMAND, now_s + duration_s)
        return Priority(Lane.ONDEMAND, now_s)

    def version(self, track_id: int) -> str:
        """A token that changes whenever a track's chunk bytes can change (its content
        signature, its album's tracks for album mode, or the pipeline version): URLs
        carrying it may be cached for good."""
        record = self.library.get(track_id)
        album = album_version(album_of(self.library, record))
        text = f"{record.signature}:{album}:{self.cache.pipeline_version}"
        return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
