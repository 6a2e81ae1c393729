"""Eviction policies: objects that choose victims; storage keeps bytes and accounting.

As in cachetools (storage plus a ``popitem`` override) and Caffeine's simulator (one
small ``Policy`` interface replayed against traces), a policy only sees events:
``on_insert(key, size_bytes)``, ``on_access(key)``, ``on_remove(key)`` (the key left
storage for another reason: delete, clear, corruption) and ``victim()`` (choose the next
key to evict and forget it). A tier calls ``victim()`` until the new entry fits. Keys are
any hashable, so the hit-ratio benchmark replays traces through the very same classes.

Policies:

- ``lru``: least recently used.
- ``s3fifo``: S3-FIFO (Yang et al., SOSP 2023), byte-weighted. New keys enter a small
  FIFO (10 % of the byte budget); a key accessed while there moves to the main FIFO when
  it reaches the tail, others are evicted and remembered in a ghost FIFO (keys only, up
  to 90 % of the budget in bytes). A key re-inserted while remembered goes straight to
  main. Main is a FIFO with 2-bit frequency and reinsertion (CLOCK-like). One-hit
  wonders and scans (a listener skimming an album once) are kept out of main.

Defaults, chosen by measurement (``bench/cache_hit_ratio.py``, results in
``bench/results/cache_hit_ratio.md``, means over three seeded traces):

- ``make_policy("default")`` is S3-FIFO (:data:`DEFAULT_POLICY`), used by the disk tier.
  On demand-only playback traces it beats LRU at every size (5.1 % vs 1.6 % of requests
  at 240 MB, 11.6 % vs 6.0 % at 1 GB). Replaying both tiers with the warmer (its fill
  bounded by render throughput), 60 listeners get 75.6 % hits from the default 240 MB
  tier2 with S3-FIFO and 35.2 % with LRU: fills and one-off plays pass through its small
  FIFO instead of flushing reused chunks. For three listeners both give 95 %, S3-FIFO at
  the cost of ~47 % more (re-)renders; with look-ahead only LRU is 1.4 points ahead.
- The memory tier resolves ``"default"`` to LRU (:data:`DEFAULT_MEMORY_POLICY`): a
  12 MB tier1 holds about seven WAV chunks and mostly serves the warmer's look-ahead,
  which S3-FIFO's probationary FIFO (smaller than one chunk) evicts before it plays
  (tier1 serves 71 % of a household's requests with LRU, 53 % with S3-FIFO; overall
  hit ratios are equal because tier2 catches the rest).

An explicit ``"lru"`` or ``"s3fifo"`` applies to whichever tier it is given to.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Hashable

DEFAULT_POLICY = "s3fifo"
DEFAULT_MEMORY_POLICY = "lru"


class EvictionPolicy(ABC):
    """Chooses which stored key to evict next. Not thread-safe; the tier serialises calls."""

    name: str = "abstract"

    def configure(self, capacity_bytes: int) -> None:
        """Called once by the tier that owns this policy, before any event."""
        self.capacity_bytes = capacity_bytes

    @abstractmethod
    def on_insert(self, key: Hashable, size_bytes: int) -> None: ...

    @abstractmethod
    def on_access(self, key: Hashable) -> None: ...

    @abstractmethod
    def on_remove(self, key: Hashable) -> None: ...

    @abstractmethod
    def victim(self) -> Hashable:
        """The key to evict now (forgotten by the policy). ``KeyError`` when empty."""

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __contains__(self, key: object) -> bool: ...


class LRUPolicy(EvictionPolicy):
    """Evict the least recently inserted-or-accessed key."""

    name = "lru"

    def __init__(self) -> None:
        self._order: OrderedDict[Hashable, None] = OrderedDict()

    def on_insert(self, key: Hashable, size_bytes: int) -> None:
        self._order[key] = None
        self._order.move_to_end(key)

    def on_access(self, key: Hashable) -> None:
        if key in self._order:
            self._order.move_to_end(key)

    def on_remove(self, key: Hashable) -> None:
        self._order.pop(key, None)

    def victim(self) -> Hashable:
        if not self._order:
            raise KeyError("victim() on an empty LRU policy")
        return self._order.popitem(last=False)[0]

    def clear(self) -> None:
        self._order.clear()

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, key: object) -> bool:
        return key in self._order


class S3FIFOPolicy(EvictionPolicy):
    """Byte-weighted S3-FIFO: small probationary FIFO, main FIFO with reinsertion, ghost."""

    name = "s3fifo"
    MAX_FREQ = 3

    def __init__(self, small_ratio: float = 0.10, ghost_ratio: float = 0.90) -> None:
        if not 0.0 < small_ratio < 1.0 or ghost_ratio < 0.0:
            raise ValueError(f"bad S3-FIFO ratios small={small_ratio} ghost={ghost_ratio}")
        self.small_ratio = small_ratio
        self.ghost_ratio = ghost_ratio
        self.capacity_bytes = 0
        self._small: OrderedDict[Hashable, int] = OrderedDict()
        self._main: OrderedDict[Hashable, int] = OrderedDict()
        self._ghost: OrderedDict[Hashable, int] = OrderedDict()
        self._freq: dict[Hashable, int] = {}
        self._small_bytes = 0
        self._ghost_bytes = 0

    def on_insert(self, key: Hashable, size_bytes: int) -> None:
        self.on_remove(key)
        self._freq[key] = 0
        if key in self._ghost:
            self._ghost_bytes -= self._ghost.pop(key)
            self._main[key] = size_bytes
        else:
            self._small[key] = size_bytes
            self._small_bytes += size_bytes

    def on_access(self, key: Hashable) -> None:
        freq = self._freq.get(key)
        if freq is not None and freq < self.MAX_FREQ:
            self._freq[key] = freq + 1

    def on_remove(self, key: Hashable) -> None:
        if self._freq.pop(key, None) is None:
            return
        size = self._small.pop(key, None)
        if size is not None:
            self._small_bytes -= size
        else:
            self._main.pop(key, None)

    def victim(self) -> Hashable:
        small_target = self.small_ratio * self.capacity_bytes
        while True:
            if self._small and (self._small_bytes >= small_target or not self._main):
                key, size = self._small.popitem(last=False)
                self._small_bytes -= size
                if self._freq[key] > 0:
                    self._freq[key] = 0
                    self._main[key] = size
                    continue
                del self._freq[key]
                self._remember(key, size)
                return key
            if self._main:
                key, size = self._main.popitem(last=False)
                if self._freq[key] > 0:
                    self._freq[key] -= 1
                    self._main[key] = size
                    continue
                del self._freq[key]
                return key
            raise KeyError("victim() on an empty S3-FIFO policy")

    def _remember(self, key: Hashable, size_bytes: int) -> None:
        self._ghost[key] = size_bytes
        self._ghost_bytes += size_bytes
        ghost_capacity = self.ghost_ratio * self.capacity_bytes
        while self._ghost_bytes > ghost_capacity and self._ghost:
            self._ghost_bytes -= self._ghost.popitem(last=False)[1]

    def clear(self) -> None:
        for queue in (self._small, self._main, self._ghost):
            queue.clear()
        self._freq.clear()
        self._small_bytes = self._ghost_bytes = 0

    def __len__(self) -> int:
        return len(self._freq)

    def __contains__(self, key: object) -> bool:
        return key in self._freq


POLICIES: dict[str, Callable[[], EvictionPolicy]] = {
    LRUPolicy.name: LRUPolicy,
    S3FIFOPolicy.name: S3FIFOPolicy,
}


def make_policy(name: str = "default") -> EvictionPolicy:
    """A fresh policy by name: ``"lru"``, ``"s3fifo"`` or ``"default"`` (:data:`DEFAULT_POLICY`)."""
    resolved = DEFAULT_POLICY if name == "default" else name
    try:
        return POLICIES[resolved]()
    except KeyError:
        valid = ", ".join(["default", *sorted(POLICIES)])
        raise ValueError(f"unknown eviction policy {name!r}; valid: {valid}") from None
