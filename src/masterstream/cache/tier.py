"""The tier contract and the statistics every tier reports, symmetrically.

A tier stores immutable ``bytes`` under :class:`ChunkKey`, bounded by real bytes that
are enforced at insertion. ``get`` counts a hit or a miss; ``peek`` and ``in`` do not
(they are for the warmer and for bookkeeping). ``blocking`` tells the cache manager
whether calls do disk I/O and must run off the event loop.

Hit rate, defined identically for every tier: ``hits / (hits + misses)`` over the
``get`` calls that reached the tier (0.0 before the first lookup). The manager only asks
tier2 after a tier1 miss, so tier2's hit rate is conditional on a tier1 miss.

Counters add up: ``recovered + inserts - evictions - deletes == chunks`` where
``recovered`` counts entries found on start-up, ``evictions`` removals chosen by the
policy (capacity) and ``deletes`` explicit deletes, clears and corrupt entries dropped.
``write_errors`` counts writes that stored nothing because of the storage (failed, or
skipped while the tier is ``degraded``); ``delete_failures`` entries a delete or clear
could not remove (they stay stored and counted in ``chunks``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable

from .keys import ChunkKey

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class TierStats:
    """A snapshot of one tier's counters."""

    name: str
    policy: str
    chunks: int
    size_bytes: int
    capacity_bytes: int
    hits: int = 0
    misses: int = 0
    inserts: int = 0
    updates: int = 0
    evictions: int = 0
    evicted_bytes: int = 0
    deletes: int = 0
    rejected: int = 0
    recovered: int = 0
    corrupt_reads: int = 0
    write_errors: int = 0
    delete_failures: int = 0
    degraded: bool = False

    @property
    def lookups(self) -> int:
        return self.hits + self.misses

    @property
    def hit_rate(self) -> float:
        return self.hits / self.lookups if self.lookups else 0.0

    @property
    def size_mb(self) -> float:
        return self.size_bytes / MB

    def as_dict(self) -> dict[str, object]:
        """The shape ``get_stats()`` publishes for a tier (``size_mb`` and ``hit_rate`` added)."""
        out = asdict(self)
        out["size_mb"] = round(self.size_mb, 3)
        out["capacity_mb"] = round(self.capacity_bytes / MB, 3)
        out["hit_rate"] = round(self.hit_rate, 4)
        out["lookups"] = self.lookups
        return out


@runtime_checkable
class Tier(Protocol):
    """One storage tier: bytes under keys, bounded by bytes, with exact counters."""

    name: str
    blocking: bool
    capacity_bytes: int

    def get(self, key: ChunkKey) -> bytes | None:
        """The stored bytes (a hit) or None (a miss); never serves corrupt data."""
        ...

    def peek(self, key: ChunkKey) -> bytes | None:
        """Like ``get`` but counts neither hit nor miss and does not touch the policy."""
        ...

    def touch(self, key: ChunkKey) -> bool:
        """Tell the policy ``key`` is about to be used (no hit counted); False if absent."""
        ...

    def put(self, key: ChunkKey, value: bytes) -> bool:
        """Store ``value``; False if it was not stored (too large, or the tier is degraded)."""
        ...

    def delete(self, key: ChunkKey) -> bool: ...

    def clear(self) -> int:
        """Delete every entry's bytes; returns how many entries were really removed."""
        ...

    def keys(self, track_id: int | None = None) -> list[ChunkKey]:
        """Keys currently stored, all of them or exactly those of ``track_id``."""
        ...

    def track_ids(self) -> list[int]:
        """Ids of the tracks with at least one stored chunk."""
        ...

    def __contains__(self, key: object) -> bool: ...

    def __len__(self) -> int: ...

    def stats(self) -> TierStats: ...
