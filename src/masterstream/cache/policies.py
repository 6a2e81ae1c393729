"""Eviction policies by name, and the measured default of each tier.

Storage apart from policy, as in cachetools (storage plus a ``popitem`` override) and
Caffeine's simulator (one small ``Policy`` interface replayed against traces): a tier
keeps bytes and accounting, an :class:`~.eviction.EvictionPolicy` only chooses victims.

- ``lru``: least recently used (:mod:`.eviction`).
- ``s3fifo``: S3-FIFO, small probationary FIFO + main FIFO + ghost (:mod:`.s3fifo`).
- ``wtinylfu``: W-TinyLFU with a hill-climbed window (:mod:`.tinylfu`).
- ``arc``: the adaptive replacement cache (:mod:`.arc`).
- ``adaptive``: follows LRU or S3-FIFO, whichever hits more lately (:mod:`.adaptive`).

Defaults, chosen by replaying 18 listening traces (three families, two loads, three seeds)
at 64 MB, 252 MB and 1 GB, with and without the warmer (``bench/cache_policy_replay.py``;
``bench/results/cache_policy_replay.md``):

The tiers are exclusive (:mod:`.placement`): tier1's victims go down to tier2, a tier2
hit moves up, so with LRU in both the pair is one LRU of the total bytes.

- The memory tier uses :data:`DEFAULT_MEMORY_POLICY`, LRU: the top of that one LRU.
- The disk tier uses :data:`DEFAULT_POLICY`, ``adaptive``, scored on every request of
  the pair at its total capacity (with hysteresis): it evicts as LRU, which keeps what
  other listeners reach minutes later, until S3-FIFO (told which chunks were reused up in
  tier1) would clearly have hit more as the whole cache, as through scans and busy
  singles, where LRU loses most of its hits, and only while the real tiers do not fall
  16 hits behind their LRU shadow. Chosen on seed 1 of the replay; on the held-out seeds
  it is above LRU on average but below it in 4 of 36 cells without the warmer (by at most
  0.75 points) and 2 of 36 with it (by at most 0.2, as LRU in both tiers: the warmer's
  fill enters tier2 below tier1's chunks).

W-TinyLFU and ARC are measured beside them but lose more often: TinyLFU admission turns
away prefetched chunks (seen once, like the chunks they would replace) and its window
moves one step per ten times as many requests as the tier holds entries; ARC is behind
with the warmer.

An explicit policy name applies to whichever tier it is given to.
"""

from __future__ import annotations

from collections.abc import Callable

from .adaptive import AdaptivePolicy
from .arc import ARCPolicy
from .eviction import EvictionPolicy, LRUPolicy
from .s3fifo import S3FIFOPolicy
from .tinylfu import WTinyLFUPolicy

DEFAULT_POLICY = "adaptive"
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
