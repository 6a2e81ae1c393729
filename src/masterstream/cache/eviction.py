"""The eviction-policy interface every policy implements, and LRU, the baseline.

See :mod:`.policies` for the policies, their names and the measured defaults.

A policy only sees events: ``on_insert(key, size_bytes)``, ``on_access(key)``,
``on_remove(key)`` (the key left storage for another reason: delete, clear, corruption)
and ``victim()`` (choose the next key to evict and forget it). A tier calls ``victim()``
until the new entry fits, then ``on_insert`` for it. Keys are any hashable, so benches
replay traces through the very same classes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Hashable


class EvictionPolicy(ABC):
    """Chooses which stored key to evict next. Not thread-safe; the tier serialises calls."""

    name: str = "abstract"
    capacity_bytes: int = 0

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
