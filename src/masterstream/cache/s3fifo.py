"""S3-FIFO (Yang et al., SOSP 2023), byte-weighted.

New keys enter a small FIFO (10 % of the byte budget); a key accessed while there moves
to the main FIFO when it reaches the tail, others are evicted and remembered in a ghost
FIFO (keys only, up to 90 % of the budget in bytes). A key re-inserted while remembered
goes straight to main. Main is a FIFO with 2-bit frequency and reinsertion (CLOCK-like).
One-hit wonders and scans (a listener skimming an album once) are kept out of main.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from .eviction import EvictionPolicy


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
