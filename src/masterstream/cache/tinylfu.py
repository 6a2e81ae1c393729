"""W-TinyLFU with a hill-climbed window (Einziger, Friedman, Manes; Caffeine), by bytes.

Design notes. New keys enter a small LRU *window*. A key pushed out of the window becomes
a *candidate* for the main region, a segmented LRU (*probation*, then *protected* once a
key is used again there; protected holds at most ``protected_ratio`` of main). When room
is needed, the oldest candidate is compared with main's victim (the probation LRU end):
the one seen less often is evicted, ties evict the candidate. "Seen" is a TinyLFU
frequency: every insert and access counts, counts saturate at 15 and are halved after a
sample of ``sample_factor`` x entries events, so old popularity fades. Counts of evicted
keys are kept until they fade, which is how a returning key wins admission. Counts are
exact (a dict bounded by the sample), not a count-min sketch: our tiers hold thousands of
entries, not millions.

The window's share adapts (Caffeine's hill climber): after each sample the hit rate
(``on_access`` over ``on_access`` + ``on_insert``) is compared with the previous one and
the window moves by a step (6.25 % of capacity, decaying by 0.98, reset when the hit
rate jumps by 5 points) in the direction that improved it. A large window behaves like
LRU (recency-friendly traces: whole albums replayed soon); a small one keeps frequent
keys through scans and one-off plays.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from .eviction import EvictionPolicy

MAX_FREQ = 15
STEP_RATIO = 0.0625
STEP_DECAY = 0.98
RESTART_THRESHOLD = 0.05
MIN_SAMPLE_EVENTS = 64


class WTinyLFUPolicy(EvictionPolicy):
    """Window LRU + TinyLFU admission + segmented-LRU main; the window size hill-climbs."""

    name = "wtinylfu"

    def __init__(
        self,
        window_ratio: float = 0.01,
        protected_ratio: float = 0.80,
        *,
        adaptive: bool = True,
        sample_factor: int = 10,
    ) -> None:
        if not 0.0 <= window_ratio <= 1.0 or not 0.0 <= protected_ratio <= 1.0:
            raise ValueError(f"bad ratios: window {window_ratio}, protected {protected_ratio}")
        if sample_factor < 1:
            raise ValueError(f"sample_factor must be >= 1, got {sample_factor}")
        self.window_ratio = window_ratio
        self.protected_ratio = protected_ratio
        self.adaptive = adaptive
        self.sample_factor = sample_factor
        self.capacity_bytes = 0
        self.window_target_bytes = 0.0
        self._step_bytes = 0.0
        self._regions: tuple[OrderedDict[Hashable, int], ...] = (
            OrderedDict(), OrderedDict(), OrderedDict()
        )  # fmt: skip
        self._window, self._probation, self._protected = self._regions
        self._bytes = [0, 0, 0]
        self._where: dict[Hashable, int] = {}
        self._candidates: list[Hashable] = []
        self._freq: dict[Hashable, int] = {}
        self._events = 0
        self._hits = self._misses = 0
        self._previous_hit_rate = 0.0
        self.adjustments = 0

    def configure(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self.window_target_bytes = self.window_ratio * capacity_bytes
        self._step_bytes = STEP_RATIO * capacity_bytes

    # --- events ------------------------------------------------------------------------

    def on_insert(self, key: Hashable, size_bytes: int) -> None:
        self.on_remove(key)
        self._count(key)
        self._misses += 1
        self._candidates.clear()  # the last eviction round is over: survivors are admitted
        self._put(0, key, size_bytes)
        self._drain_window()
        self._climb()

    def on_access(self, key: Hashable) -> None:
        region = self._where.get(key)
        if region is None:
            return
        self._count(key)
        self._hits += 1
        if region == 1:  # used again on probation: protect it
            self._put(2, key, self._take(key))
            self._balance_protected()
        else:
            self._regions[region].move_to_end(key)
        self._climb()

    def on_remove(self, key: Hashable) -> None:
        if key in self._where:
            self._take(key)

    def victim(self) -> Hashable:
        candidate = next((k for k in self._candidates if self._where.get(k) == 1), None)
        incumbent = self._main_victim()
        if candidate is None or incumbent is None:
            loser = incumbent if candidate is None else candidate
            if loser is None:
                raise KeyError("victim() on an empty W-TinyLFU policy")
        elif self._freq.get(candidate, 0) > self._freq.get(incumbent, 0):
            loser = incumbent  # the newcomer is seen more often: admit it
        else:
            loser = candidate
        if loser == candidate:
            self._candidates.remove(candidate)
        self._take(loser)
        return loser

    # --- regions -----------------------------------------------------------------------

    def _put(self, region: int, key: Hashable, size_bytes: int) -> None:
        self._regions[region][key] = size_bytes
        self._bytes[region] += size_bytes
        self._where[key] = region

    def _take(self, key: Hashable) -> int:
        region = self._where.pop(key)
        size = self._regions[region].pop(key)
        self._bytes[region] -= size
        return size

    def _drain_window(self) -> None:
        """Move the window's overflow to probation; those keys await admission."""
        while self._bytes[0] > self.window_target_bytes and self._window:
            key, size = next(iter(self._window.items()))
            self._take(key)
            self._put(1, key, size)
            self._candidates.append(key)

    def _balance_protected(self) -> None:
        main_bytes = self.capacity_bytes - self.window_target_bytes
        while self._bytes[2] > self.protected_ratio * main_bytes and len(self._protected) > 1:
            key, size = next(iter(self._protected.items()))
            self._take(key)
            self._put(1, key, size)

    def _main_victim(self) -> Hashable | None:
        """Probation's LRU end unless it awaits admission; else protected's; else window's."""
        head = next(iter(self._probation), None)
        if head is not None and head not in self._candidates:
            return head
        for region in (self._protected, self._window):
            if region:
                return next(iter(region))
        return None

    # --- frequency and the climber -----------------------------------------------------

    def _sample_events(self) -> int:
        return self.sample_factor * max(len(self._where), MIN_SAMPLE_EVENTS)

    def _count(self, key: Hashable) -> None:
        freq = self._freq.get(key, 0)
        if freq < MAX_FREQ:
            self._freq[key] = freq + 1
        self._events += 1
        if self._events >= self._sample_events():
            self._freq = {k: f // 2 for k, f in self._freq.items() if f > 1}
            self._events = 0

    def _climb(self) -> None:
        lookups = self._hits + self._misses
        if not self.adaptive or lookups < self._sample_events():
            return
        hit_rate = self._hits / lookups
        delta = hit_rate - self._previous_hit_rate
        amount = self._step_bytes if delta >= 0 else -self._step_bytes
        if abs(delta) >= RESTART_THRESHOLD:
            self._step_bytes = STEP_RATIO * self.capacity_bytes * (1 if amount >= 0 else -1)
        else:
            self._step_bytes = STEP_DECAY * amount
        target = self.window_target_bytes + amount
        self.window_target_bytes = min(float(self.capacity_bytes), max(0.0, target))
        self._previous_hit_rate = hit_rate
        self._hits = self._misses = 0
        self.adjustments += 1

    def clear(self) -> None:
        for region in self._regions:
            region.clear()
        self._bytes = [0, 0, 0]
        self._where.clear()
        self._candidates.clear()
        self._freq.clear()
        self._events = self._hits = self._misses = 0

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        return key in self._where
