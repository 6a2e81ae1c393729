"""The protocols through which monitoring reads a cache (it never imports one).

A :class:`StatsSource` is the seed's contract: ``get_stats()`` returns a dict of the
seed's shape (or an awaitable of one). A :class:`SnapshotSource` also takes a typed
:class:`StatsSnapshot` with ``stats()`` — masterstream's ``ChunkCache`` does, from
counters alone — and monitoring prefers it: it costs the same however many chunks are
cached, where ``get_stats()`` reports per-track status and so visits every cached key.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


class TierCounters(Protocol):
    """One tier's counters (``masterstream.cache.TierStats``)."""

    @property
    def name(self) -> str: ...
    @property
    def chunks(self) -> int: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def capacity_bytes(self) -> int: ...
    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...
    @property
    def inserts(self) -> int: ...
    @property
    def evictions(self) -> int: ...
    @property
    def evicted_bytes(self) -> int: ...
    @property
    def corrupt_reads(self) -> int: ...
    @property
    def hit_rate(self) -> float: ...
    def as_dict(self) -> dict[str, object]: ...


class OverallCounters(Protocol):
    """Totals over the tiers."""

    @property
    def total_chunks(self) -> int: ...
    @property
    def total_size_bytes(self) -> int: ...
    @property
    def total_hits(self) -> int: ...
    @property
    def total_misses(self) -> int: ...
    @property
    def tracks_cached(self) -> int: ...
    def as_dict(self) -> dict[str, object]: ...


class RenderCounters(Protocol):
    def as_dict(self) -> dict[str, float | int]: ...


@runtime_checkable
class StatsSnapshot(Protocol):
    """A typed reading of every cache counter (``masterstream.cache.CacheStatsSnapshot``)."""

    @property
    def tier1(self) -> TierCounters: ...
    @property
    def tier2(self) -> TierCounters: ...
    @property
    def overall(self) -> OverallCounters: ...
    @property
    def render(self) -> RenderCounters: ...


@runtime_checkable
class StatsSource(Protocol):
    """What monitoring reads: the seed's ``get_stats()`` (a dict, or an awaitable of one)."""

    def get_stats(self) -> Any: ...


@runtime_checkable
class SnapshotSource(Protocol):
    """A cache that also takes a typed snapshot; monitoring reads it instead of the dict."""

    def stats(self) -> StatsSnapshot: ...
