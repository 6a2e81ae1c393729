"""Eviction policies by name, and the measured default of each tier.

Storage apart from policy, as in cachetools (storage plus a ``popitem`` override) and
Caffeine's simulator (one small ``Policy`` interface replayed against traces): a tier
keeps bytes and accounting, an :class:`~.eviction.EvictionPolicy` only chooses victims.

- ``lru``: least recently used (:mod:`.eviction`).
- ``s3fifo``: S3-FIFO, small probationary FIFO + main FIFO + ghost (:mod:`.s3fifo`).
- ``wtinylfu``: W-TinyLFU with a hill-climbed window (:mod:`.tinylfu`).
- ``arc``: the adaptive replacement cache (:mod:`.arc`).
- ``adaptive``: follows LRU or S3-FIFO, whichever hits more lately (:mod:`.adaptive`).

Defaults: the disk tier uses :data:`DEFAULT_POLICY` (S3-FIFO), the memory tier
:data:`DEFAULT_MEMORY_POLICY` (LRU: it mostly holds the warmer's look-ahead, which a
probationary FIFO smaller than one chunk would evict before it plays). Every policy is
replayed on recorded and generated traces by ``bench/cache_policy_replay.py``.

An explicit policy name applies to whichever tier it is given to.
"""

from __future__ import annotations

from collections.abc import Callable

from .adaptive import AdaptivePolicy
from .arc import ARCPolicy
from .eviction import EvictionPolicy, LRUPolicy
from .s3fifo import S3FIFOPolicy
from .tinylfu import WTinyLFUPolicy

DEFAULT_POLICY = "s3fifo"
DEFAULT_MEMORY_POLICY = "lru"


POLICIES: dict[str, Callable[[], EvictionPolicy]] = {
    AdaptivePolicy.name: AdaptivePolicy,
    ARCPolicy.name: ARCPolicy,
    LRUPolicy.name: LRUPolicy,
    S3FIFOPolicy.name: S3FIFOPolicy,
    WTinyLFUPolicy.name: WTinyLFUPolicy,
}


def make_policy(name: str = "default") -> EvictionPolicy:
    """A fresh policy by name (a key of :data:`POLICIES`) or ``"default"``
    (:data:`DEFAULT_POLICY`)."""
    resolved = DEFAULT_POLICY if name == "default" else name
    try:
        return POLICIES[resolved]()
    except KeyError:
        valid = ", ".join(["default", *sorted(POLICIES)])
        raise ValueError(f"unknown eviction policy {name!r}; valid: {valid}") from None


__all__ = [
    "DEFAULT_MEMORY_POLICY",
    "DEFAULT_POLICY",
    "POLICIES",
    "ARCPolicy",
    "AdaptivePolicy",
    "EvictionPolicy",
    "LRUPolicy",
    "S3FIFOPolicy",
    "WTinyLFUPolicy",
    "make_policy",
]
