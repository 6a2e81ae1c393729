"""The two-tier chunk cache: keys, byte-bounded tiers, eviction policies, the cache
manager with one render per key, the warmer, and the optional shared (Redis/Valkey) tier
several servers use together. Knows nothing of audio or mastering."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

_EXPORTS = {
    "DEFAULT_MEMORY_POLICY": "policies",
    "DEFAULT_POLICY": "policies",
    "DEFAULT_TIER1_CAPACITY_BYTES": "memory",
    "DEFAULT_TIER2_CAPACITY_BYTES": "disk",
    "ENTRY_OVERHEAD_BYTES": "memory",
    "INTENSITY_STEP": "keys",
    "ONDEMAND_NOW": "protocols",
    "ORIGINAL": "keys",
    "ChunkCache": "manager",
    "ChunkKey": "keys",
    "DiskTier": "disk",
    "EvictionPolicy": "policies",
    "LRUPolicy": "policies",
    "Lane": "protocols",
    "MemoryTier": "memory",
    "Priority": "protocols",
    "Renderer": "protocols",
    "S3FIFOPolicy": "policies",
    "SharedCluster": "shared_cluster",
    "SingleFlight": "singleflight",
    "Tier": "tier",
    "TierStats": "tier",
    "TrackCacheInfo": "protocols",
    "TrackResolver": "protocols",
    "WarmTarget": "warmer",
    "Warmer": "warmer",
    "make_policy": "policies",
    "quantize_intensity": "keys",
}
__all__ = [
    "DEFAULT_MEMORY_POLICY",
    "DEFAULT_POLICY",
    "DEFAULT_TIER1_CAPACITY_BYTES",
    "DEFAULT_TIER2_CAPACITY_BYTES",
    "ENTRY_OVERHEAD_BYTES",
    "INTENSITY_STEP",
    "ONDEMAND_NOW",
    "ORIGINAL",
    "ChunkCache",
    "ChunkKey",
    "DiskTier",
    "EvictionPolicy",
    "LRUPolicy",
    "Lane",
    "MemoryTier",
    "Priority",
    "Renderer",
    "S3FIFOPolicy",
    "SharedCluster",
    "SingleFlight",
    "Tier",
    "TierStats",
    "TrackCacheInfo",
    "TrackResolver",
    "WarmTarget",
    "Warmer",
    "make_policy",
    "quantize_intensity",
]
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

if TYPE_CHECKING:  # static analysers see the real objects
    from .disk import DEFAULT_TIER2_CAPACITY_BYTES, DiskTier
    from .keys import INTENSITY_STEP, ORIGINAL, ChunkKey, quantize_intensity
    from .manager import ChunkCache
    from .memory import DEFAULT_TIER1_CAPACITY_BYTES, ENTRY_OVERHEAD_BYTES, MemoryTier
    from .policies import (
        DEFAULT_MEMORY_POLICY,
        DEFAULT_POLICY,
        EvictionPolicy,
        LRUPolicy,
        S3FIFOPolicy,
        make_policy,
    )
    from .protocols import ONDEMAND_NOW, Lane, Priority, Renderer, TrackCacheInfo, TrackResolver
    from .shared_cluster import SharedCluster
    from .singleflight import SingleFlight
    from .tier import Tier, TierStats
    from .warmer import Warmer, WarmTarget
