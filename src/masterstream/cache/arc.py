"""ARC, the adaptive replacement cache (Megiddo and Modha, FAST 2003), by bytes.

Design notes. Resident keys live in two LRU lists: ``T1`` holds keys seen once since
they entered, ``T2`` keys used again while resident. Two ghost lists remember the keys
(and sizes, no data) recently evicted from each: ``B1`` from ``T1``, ``B2`` from ``T2``.
A target ``p`` (bytes) says how much of the capacity ``T1`` should get: a miss on a key
remembered in ``B1`` means recency would have hit, so ``p`` grows (by the key's size, more
when ``B2`` is the bigger ghost list); a miss remembered in ``B2`` shrinks it. The victim
is ``T1``'s LRU end while ``T1`` holds more than ``p``, else ``T2``'s. Ghosts are bounded
as in the paper: ``T1 + B1`` and ``T2 + B2`` at most the capacity each (in bytes).

It adapts on every ghost hit, with no sample period, so it settles within a few hundred
requests even when a tier holds only a hundred chunks; a key re-inserted from a ghost goes
straight to ``T2``, so a chunk played again soon after eviction is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from .eviction import EvictionPolicy


class ARCPolicy(EvictionPolicy):
    """Recency list + frequency list + their ghosts; the split between them adapts."""

    name = "arc"

    def __init__(self) -> None:
        self.capacity_bytes = 0
        self.p_bytes = 0.0
        self._t1: OrderedDict[Hashable, int] = OrderedDict()
        self._t2: OrderedDict[Hashable, int] = OrderedDict()
        self._b1: OrderedDict[Hashable, int] = OrderedDict()
        self._b2: OrderedDict[Hashable, int] = OrderedDict()
        self._t1_bytes = self._t2_bytes = self._b1_bytes = self._b2_bytes = 0

    def on_insert(self, key: Hashable, size_bytes: int) -> None:
        self.on_remove(key)
        if key in self._b1:
            ratio = self._b2_bytes / self._b1_bytes if self._b1_bytes else 1.0
            self.p_bytes = min(self.capacity_bytes, self.p_bytes + max(1.0, ratio) * size_bytes)
            self._b1_bytes -= self._b1.pop(key)
            self._t2[key] = size_bytes
            self._t2_bytes += size_bytes
        elif key in self._b2:
            ratio = self._b1_bytes / self._b2_bytes if self._b2_bytes else 1.0
            self.p_bytes = max(0.0, self.p_bytes - max(1.0, ratio) * size_bytes)
            self._b2_bytes -= self._b2.pop(key)
            self._t2[key] = size_bytes
            self._t2_bytes += size_bytes
        else:
            self._t1[key] = size_bytes
            self._t1_bytes += size_bytes
        self._trim_ghosts()

    def on_access(self, key: Hashable) -> None:
        size = self._t1.pop(key, None)
        if size is not None:
            self._t1_bytes -= size
            self._t2[key] = size
            self._t2_bytes += size
        elif key in self._t2:
            self._t2.move_to_end(key)

    def on_remove(self, key: Hashable) -> None:
        size = self._t1.pop(key, None)
        if size is not None:
            self._t1_bytes -= size
            return
        size = self._t2.pop(key, None)
        if size is not None:
            self._t2_bytes -= size

    def victim(self) -> Hashable:
        if self._t1 and (self._t1_bytes > self.p_bytes or not self._t2):
            key, size = self._t1.popitem(last=False)
            self._t1_bytes -= size
            self._b1[key] = size
            self._b1_bytes += size
        elif self._t2:
            key, size = self._t2.popitem(last=False)
            self._t2_bytes -= size
            self._b2[key] = size
            self._b2_bytes += size
        else:
            raise KeyError("victim() on an empty ARC policy")
        self._trim_ghosts()
        return key

    def _trim_ghosts(self) -> None:
        while self._b1 and self._t1_bytes + self._b1_bytes > self.capacity_bytes:
            self._b1_bytes -= self._b1.popitem(last=False)[1]
        while self._b2 and self._t2_bytes + self._b2_bytes > self.capacity_bytes:
            self._b2_bytes -= self._b2.popitem(last=False)[1]

    def clear(self) -> None:
        for queue in (self._t1, self._t2, self._b1, self._b2):
            queue.clear()
        self._t1_bytes = self._t2_bytes = self._b1_bytes = self._b2_bytes = 0
        self.p_bytes = 0.0

    def __len__(self) -> int:
        return len(self._t1) + len(self._t2)

    def __contains__(self, key: object) -> bool:
        return key in self._t1 or key in self._t2
