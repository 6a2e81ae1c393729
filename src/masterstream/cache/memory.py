"""Tier 1: chunks in process memory, bounded by bytes (payload plus a fixed overhead).

Its ``"default"`` policy is LRU (see :mod:`.policies` for the measurement).
Values are immutable ``bytes`` handed out as-is: a hit is one dict lookup and one policy
update, no copy, no I/O, no thread hop. Used from the event loop only (not thread-safe).
"""

from __future__ import annotations

from collections.abc import Callable

from .keys import ChunkKey
from .ledger import TierLedger
from .policies import DEFAULT_MEMORY_POLICY, EvictionPolicy
from .tier import TierStats

DEFAULT_TIER1_CAPACITY_BYTES = 12_000_000
ENTRY_OVERHEAD_BYTES = 256
"""Charged per entry on top of the payload: key object, dict slot, bytes header, policy node."""


class MemoryTier:
    """Byte-bounded in-memory tier."""

    blocking = False

    def __init__(
        self,
        capacity_bytes: int = DEFAULT_TIER1_CAPACITY_BYTES,
        *,
        policy: EvictionPolicy | str = "default",
        entry_overhead_bytes: int = ENTRY_OVERHEAD_BYTES,
        name: str = "tier1",
        on_evict: Callable[[ChunkKey, bytes], None] | None = None,
    ) -> None:
        self.name = name
        self.entry_overhead_bytes = entry_overhead_bytes
        self.on_evict = on_evict
        """Called with each entry the policy evicts to make room (not on delete or clear),
        e.g. to move it down to the next tier."""
        if policy == "default":
            policy = DEFAULT_MEMORY_POLICY
        self._ledger = TierLedger(name, capacity_bytes, policy)
        self._data: dict[ChunkKey, bytes] = {}

    @property
    def capacity_bytes(self) -> int:
        return self._ledger.capacity_bytes

    @property
    def policy(self) -> EvictionPolicy:
        """The policy choosing this tier's victims."""
        return self._ledger.policy

    def get(self, key: ChunkKey) -> bytes | None:
        value = self._data.get(key)
        if value is None:
            self._ledger.misses += 1
        else:
            self._ledger.hit(key)
        return value

    def peek(self, key: ChunkKey) -> bytes | None:
        return self._data.get(key)

    def touch(self, key: ChunkKey) -> bool:
        if key not in self._data:
            return False
        self._ledger.policy.on_access(key)
        return True

    def put(self, key: ChunkKey, value: bytes) -> bool:
        if type(value) is not bytes:
            raise TypeError(f"tiers store immutable bytes, got {type(value).__name__}")
        size = len(value) + self.entry_overhead_bytes
        ledger = self._ledger
        if not ledger.fits(size):
            ledger.rejected += 1
            return False
        for victim, _ in ledger.make_room(size, replacing=key):
            if victim != key:
                evicted = self._data.pop(victim)
                if self.on_evict is not None:
                    self.on_evict(victim, evicted)
        if key not in ledger.sizes and key in self._data:  # the key itself was evicted
            del self._data[key]
        ledger.add(key, size)
        self._data[key] = value
        return True

    def resize(self, capacity_bytes: int) -> int:
        """A new byte bound, evicting down to it now; returns entries evicted."""
        victims = self._ledger.resize(capacity_bytes)
        for victim, _ in victims:
            evicted = self._data.pop(victim)
            if self.on_evict is not None:
                self.on_evict(victim, evicted)
        return len(victims)

    def delete(self, key: ChunkKey) -> bool:
        if self._ledger.remove(key) is None:
            return False
        del self._data[key]
        return True

    def clear(self) -> int:
        removed = len(self._ledger.clear())
        self._data.clear()
        return removed

    def keys(self, track_id: int | None = None) -> list[ChunkKey]:
        return self._ledger.keys(track_id)

    def track_ids(self) -> list[int]:
        return list(self._ledger.by_track)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def stats(self) -> TierStats:
        return self._ledger.stats()
