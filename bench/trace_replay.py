"""Replay a chunk-request trace through the real ChunkCache or through one policy.

Two targets behind one small interface (``demand``, ``hot``, ``fill``), so the warmer
model below drives both the same way:

- :class:`ServerTarget`: the real :class:`ChunkCache` with the real ``MemoryTier`` and,
  as tier2, a ``MemoryTier`` (default) or the real ``DiskTier`` (in a temporary
  directory): both keep their accounting in the same ``TierLedger`` with the same policy
  code, so file I/O changes the time a replay takes, not a decision. A render returns
  bytes of the key's size; the resolver is built from the trace. Requests go through
  ``get_or_render``; each request's tier2 write is awaited before the next one, so a
  replay is deterministic.
- :class:`PolicyTarget`: one byte-bounded level (the tiers' own ``TierLedger``) with
  one policy at the total byte budget, every entry charged ``ENTRY_OVERHEAD_BYTES``.

:class:`WarmerModel` emulates the server's warmer between requests, as the real one
works: after a request for chunk i of a track and variant (that listener is now the most
recent one) it makes chunks i+1..i+lookahead present in tier1 (touching them if they are
there, promoting them from tier2, or rendering them), then fills the next
``fill_chunks`` chunks (4, as ``cache/warmer.py``; None: the rest of the track) into
tier2 only (after the playhead, then before it). It renders one chunk at a time,
``render_s`` seconds each, only in the time left before the next request of the trace
(after that request's own render on a miss): the real warmer has one worker and yields
to on-demand renders.

Track geometry comes from the trace: a track has as many chunks as the highest index
requested in any variant, plus one; a chunk nobody requested costs a full chunk's size.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from masterstream.cache import ChunkCache, ChunkKey, DiskTier, MemoryTier, TrackCacheInfo
from masterstream.cache.ledger import TierLedger
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES
from masterstream.cache.policies import DEFAULT_POLICY
from masterstream.cache.protocols import Lane, Priority
from masterstream.cache.trace import TraceRecord
from masterstream.errors import TrackNotFoundError

SHM = Path("/dev/shm")
TIER1_BYTES = 12_000_000
RENDER_S = 0.05  # one warmer render (issue 8: ~50 ms a chunk; bench/results/server.md: 40 ms)


@dataclass(frozen=True)
class ServerConfig:
    """How the server's cache is built: the manager class and each tier's policy."""

    name: str
    tier1_policy: str = "default"
    tier2_policy: str = "default"
    tier1_bytes: int = TIER1_BYTES


class TraceGeometry:
    """Chunk counts and sizes of the trace's tracks; a :class:`TrackResolver`."""

    def __init__(self, records: list[TraceRecord]) -> None:
        self.keys = [ChunkKey.from_str(r.key) for r in records]
        self.sizes: dict[ChunkKey, int] = {}
        self.counts: dict[int, int] = {}
        self.full_bytes: dict[int, int] = {}
        self.signatures: dict[int, str] = {}
        for key, record in zip(self.keys, records, strict=True):
            self.sizes[key] = record.size_bytes
            tid = key.track_id
            self.counts[tid] = max(self.counts.get(tid, 0), key.chunk_index + 1)
            self.full_bytes[tid] = max(self.full_bytes.get(tid, 0), record.size_bytes)
            self.signatures[tid] = key.signature
        versions = {key.pipeline_version for key in self.keys}
        if len(versions) > 1:
            raise ValueError(f"a trace must use one pipeline version, found {sorted(versions)}")
        self.pipeline_version = versions.pop() if versions else "1"

    def size_bytes(self, key: ChunkKey) -> int:
        return self.sizes.get(key, self.full_bytes[key.track_id])

    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        if track_id not in self.counts:
            raise TrackNotFoundError(track_id)
        return TrackCacheInfo(self.signatures[track_id], self.counts[track_id], 10.0)

    def variant_key(self, key: ChunkKey, index: int) -> ChunkKey:
        return ChunkKey(key.track_id, key.signature, key.pipeline_version, key.preset,
                        key.intensity, index, key.fmt)  # fmt: skip


class WarmerModel:
    """The warmer's jobs after one request: look-ahead (hot) first, then the track's fill."""

    def __init__(self, geometry: TraceGeometry, *, lookahead: int = 2,
                 fill_chunks: int | None = 4, render_s: float = RENDER_S) -> None:  # fmt: skip
        self.geometry = geometry
        self.lookahead = lookahead
        self.fill_chunks = fill_chunks  # None: the whole track; 0: no fill
        self.render_s = render_s

    def renders_allowed(self, gap_s: float, missed: bool) -> int:
        return max(0, int((gap_s - (self.render_s if missed else 0.0)) / self.render_s))

    def jobs(self, key: ChunkKey) -> Iterator[tuple[ChunkKey, bool]]:
        count = self.geometry.counts[key.track_id]
        hot_end = min(count, key.chunk_index + self.lookahead + 1)
        for index in range(key.chunk_index + 1, hot_end):
            yield self.geometry.variant_key(key, index), True
        fill = [*range(hot_end, count), *range(key.chunk_index)]
        for index in fill if self.fill_chunks is None else fill[: self.fill_chunks]:
            yield self.geometry.variant_key(key, index), False


class ServerTarget:
    """The real ChunkCache (tier1 MemoryTier, tier2 MemoryTier or DiskTier), driven like
    the server; ``"default"`` policies are the server's defaults for each tier."""

    def __init__(
        self, geometry: TraceGeometry, config: ServerConfig, total_bytes: int, *, disk: bool = False
    ) -> None:
        self.geometry = geometry
        base = SHM if SHM.is_dir() else None
        self._tmp = tempfile.TemporaryDirectory(prefix="ms-replay-", dir=base)
        self.renders = 0
        self._blobs: dict[int, bytes] = {}
        tier2_bytes = total_bytes - config.tier1_bytes
        policy2 = DEFAULT_POLICY if config.tier2_policy == "default" else config.tier2_policy
        tier2 = (
            DiskTier(self._tmp.name, tier2_bytes, policy=policy2, fsync=False)
            if disk
            else MemoryTier(tier2_bytes, policy=policy2, name="tier2")
        )
        self.cache = ChunkCache(
            MemoryTier(config.tier1_bytes, policy=config.tier1_policy),
            tier2,
            resolver=geometry,
            render=self._render,
            pipeline_version=geometry.pipeline_version,
        )

    async def _render(self, key: ChunkKey, priority: Priority) -> bytes:
        self.renders += 1
        size = self.geometry.size_bytes(key)
        blob = self._blobs.get(size)
        if blob is None:
            blob = self._blobs[size] = bytes(size)
        return blob

    async def demand(self, key: ChunkKey) -> str:
        source = (await self.cache.fetch(key))[1]
        await self.cache.flush()
        return source

    async def hot(self, key: ChunkKey) -> bool:
        """What the warmer does for a look-ahead chunk; True if it rendered."""
        if self.cache.keep_hot(key) or self.cache.cached_in(key, "tier1"):
            return False
        return await self._prefetch(key, to_tier1=True, lane=Lane.LOOKAHEAD)

    async def fill(self, key: ChunkKey) -> bool:
        if self.cache.cached_in(key, "tier2"):
            return False
        return await self._prefetch(key, to_tier1=False, lane=Lane.WARM)

    async def _prefetch(self, key: ChunkKey, *, to_tier1: bool, lane: Lane) -> bool:
        renders = self.renders
        await self.cache.prefetch(key, to_tier1=to_tier1, priority=Priority(lane))
        await self.cache.flush()
        return self.renders > renders

    async def aclose(self) -> None:
        await self.cache.aclose()
        self._tmp.cleanup()


class PolicyTarget:
    """One byte-bounded level with one eviction policy at the total budget."""

    def __init__(self, geometry: TraceGeometry, capacity_bytes: int, policy: str) -> None:
        self.geometry = geometry
        self.ledger = TierLedger(policy, capacity_bytes, policy)
        self.renders = 0

    def _insert(self, key: ChunkKey) -> None:
        self.renders += 1
        size = self.geometry.size_bytes(key) + ENTRY_OVERHEAD_BYTES
        if self.ledger.fits(size):
            self.ledger.make_room(size)
            self.ledger.add(key, size)

    async def demand(self, key: ChunkKey) -> str:
        if key in self.ledger.sizes:
            self.ledger.hit(key)
            return "tier1"
        self.ledger.misses += 1
        self._insert(key)
        return "miss"

    async def hot(self, key: ChunkKey) -> bool:
        if key in self.ledger.sizes:
            self.ledger.policy.on_access(key)
            return False
        self._insert(key)
        return True

    async def fill(self, key: ChunkKey) -> bool:
        if key in self.ledger.sizes:
            return False
        self._insert(key)
        return True

    async def aclose(self) -> None:
        return None


async def replay(
    records: list[TraceRecord],
    geometry: TraceGeometry,
    target: ServerTarget | PolicyTarget,
    warmer: WarmerModel | None = None,
) -> Counter[str]:
    """Sources of every request (``tier1``/``tier2``/``miss``) and ``renders``."""
    sources: Counter[str] = Counter()
    try:
        for i, (record, key) in enumerate(zip(records, geometry.keys, strict=True)):
            source = await target.demand(key)
            sources[source] += 1
            if warmer is None:
                continue
            gap_s = records[i + 1].t_s - record.t_s if i + 1 < len(records) else 0.0
            budget = warmer.renders_allowed(gap_s, source == "miss")
            for job_key, is_hot in warmer.jobs(key):
                if budget <= 0:
                    break
                rendered = await (target.hot(job_key) if is_hot else target.fill(job_key))
                budget -= rendered
    finally:
        await target.aclose()
    sources["renders"] = target.renders
    return sources


def run(coro) -> Counter[str]:
    return asyncio.run(coro)
