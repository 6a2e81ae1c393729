"""Byte accounting shared by every tier: sizes, per-track index, policy and counters.

Both tiers keep their bytes elsewhere (a dict, files) and route every change through a
:class:`TierLedger`, so their counters are symmetric by construction and
``recovered + inserts - evictions - deletes == chunks`` always holds.
"""

from __future__ import annotations

from .keys import ChunkKey
from .policies import EvictionPolicy, make_policy
from .tier import TierStats


class TierLedger:
    """Sizes of stored keys, bounded by ``capacity_bytes``; the policy picks victims."""

    def __init__(self, name: str, capacity_bytes: int, policy: EvictionPolicy | str) -> None:
        if isinstance(capacity_bytes, bool) or not isinstance(capacity_bytes, int):
            raise ValueError(f"capacity_bytes must be an int, got {capacity_bytes!r}")
        if capacity_bytes < 0:
            raise ValueError(f"capacity_bytes must not be negative, got {capacity_bytes}")
        self.name = name
        self.capacity_bytes = capacity_bytes
        self.policy = make_policy(policy) if isinstance(policy, str) else policy
        self.policy.configure(capacity_bytes)
        self.sizes: dict[ChunkKey, int] = {}
        self.by_track: dict[int, set[ChunkKey]] = {}
        self.used_bytes = 0
        self.hits = self.misses = self.inserts = self.updates = 0
        self.evictions = self.evicted_bytes = self.deletes = self.rejected = 0
        self.recovered = self.corrupt_reads = self.write_errors = self.delete_failures = 0

    def fits(self, size_bytes: int) -> bool:
        return size_bytes <= self.capacity_bytes

    def hit(self, key: ChunkKey) -> None:
        self.hits += 1
        self.policy.on_access(key)

    def make_room(
        self, size_bytes: int, replacing: ChunkKey | None = None
    ) -> list[tuple[ChunkKey, int]]:
        """Evict (policy's choice) until an entry of ``size_bytes`` fits, counting the space
        of ``replacing`` (the key being overwritten) as free while it is stored."""
        victims: list[tuple[ChunkKey, int]] = []
        while self.sizes:
            freed = self.sizes.get(replacing, 0) if replacing is not None else 0
            if self.used_bytes - freed + size_bytes <= self.capacity_bytes:
                break
            key = self.policy.victim()
            size = self._forget(key)
            self.evictions += 1
            self.evicted_bytes += size
            victims.append((key, size))
        return victims

    def resize(self, capacity_bytes: int) -> list[tuple[ChunkKey, int]]:
        """Bound the ledger by ``capacity_bytes`` from now on; the victims evicted to fit."""
        if capacity_bytes < 0:
            raise ValueError(f"capacity_bytes must not be negative, got {capacity_bytes}")
        self.capacity_bytes = capacity_bytes
        return self.make_room(0)

    def add(self, key: ChunkKey, size_bytes: int, *, recovered: bool = False) -> None:
        """Record a new entry (call :meth:`make_room` first). Re-adding a key is an update."""
        if key in self.sizes:
            self.used_bytes += size_bytes - self.sizes[key]
            self.sizes[key] = size_bytes
            self.updates += 1
            self.policy.on_access(key)
            return
        self.sizes[key] = size_bytes
        self.used_bytes += size_bytes
        self.by_track.setdefault(key.track_id, set()).add(key)
        self.policy.on_insert(key, size_bytes)
        if recovered:
            self.recovered += 1
        else:
            self.inserts += 1

    def remove(self, key: ChunkKey) -> int | None:
        """Forget ``key`` (delete, clear or corruption); its size, or None if absent."""
        if key not in self.sizes:
            return None
        self.policy.on_remove(key)
        self.deletes += 1
        return self._forget(key)

    def clear(self) -> list[ChunkKey]:
        keys = list(self.sizes)
        self.deletes += len(keys)
        self.sizes.clear()
        self.by_track.clear()
        self.used_bytes = 0
        self.policy.clear()
        return keys

    def keys(self, track_id: int | None = None) -> list[ChunkKey]:
        if track_id is None:
            return list(self.sizes)
        return list(self.by_track.get(track_id, ()))

    def _forget(self, key: ChunkKey) -> int:
        size = self.sizes.pop(key)
        self.used_bytes -= size
        track_keys = self.by_track.get(key.track_id)
        if track_keys is not None:
            track_keys.discard(key)
            if not track_keys:
                del self.by_track[key.track_id]
        return size

    def stats(self, *, degraded: bool = False) -> TierStats:
        return TierStats(
            name=self.name,
            policy=self.policy.name,
            chunks=len(self.sizes),
            size_bytes=self.used_bytes,
            capacity_bytes=self.capacity_bytes,
            hits=self.hits,
            misses=self.misses,
            inserts=self.inserts,
            updates=self.updates,
            evictions=self.evictions,
            evicted_bytes=self.evicted_bytes,
            deletes=self.deletes,
            rejected=self.rejected,
            recovered=self.recovered,
            corrupt_reads=self.corrupt_reads,
            write_errors=self.write_errors,
            delete_failures=self.delete_failures,
            degraded=degraded,
        )
