"""An eviction policy that follows whichever of its experts has been hitting more lately.

Design notes. Neither recency nor frequency wins on every listening pattern: LRU keeps
what other listeners of the same album reach minutes later and what a seek goes back
to, S3-FIFO keeps the chunks replayed often through scans and through the warmer's
whole-track fills. This policy runs both, in the manner of set dueling (Qureshi et al.,
ISCA 2007) with whole shadow caches instead of sampled sets:

- every *live* expert sees every event of the real entries, so each always knows the
  exact set of stored keys and can name a victim among them;
- every expert also runs in a *shadow*: keys and sizes only (no bytes), at the same
  capacity, fed the same requests (an insert is a miss, an access a hit) but evicting by
  its own choice, so it shows how that expert alone would be doing;
- each shadow's hits are counted with exponential decay (a window of
  ``window_factor`` x the number of stored entries, at least 64 requests); the live
  expert whose shadow scores highest (by more than ``margin``, a share of the leader's
  score: hysteresis) picks the victims, and the others are told the victim left.

Under exclusive tiers a tier2 sees only the chunks tier1 lets go, never their reuse, so
the cache can score the shadows on every request instead (:meth:`score_requests`,
:meth:`observe`), at the capacity of both tiers: the expert is then chosen by how it would
do as the whole cache. Shadows at the total capacity are not the real tiers, so the cache
also sums its *realised* gain: each request's real hit minus the first expert's (LRU's)
shadow hit. It leaves LRU only while that sum is above ``-allowance`` hits and goes back
for good once it falls below, so a switch that the real tiers do not turn into hits
costs a bounded number of them, whatever the trace's length.

Shadows and experts cost metadata only: a key and a size per entry, per expert. The
tier serialises calls, so the policy keeps no lock of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence

from .eviction import EvictionPolicy, LRUPolicy
from .s3fifo import S3FIFOPolicy

MIN_WINDOW_REQUESTS = 64
REQUEST_MARGIN = 0.3
REQUEST_WINDOW_FACTOR = 32.0
REQUEST_EVIDENCE_Z = 2.0
"""Hysteresis and window when scored on the cache's requests (:meth:`score_requests`):
chosen on seed 1 of ``bench/cache_policy_replay.py`` (margins 0.1-0.5, windows 4-64);
smaller ones switch on noise and fall behind LRU by up to 3 points on some traces."""
REALISED_ALLOWANCE_HITS = 16.0
"""How far (in hits) the real cache may fall behind its first expert's shadow, summed
over all requests, before it goes back to that expert for good (see :meth:`observe`)."""


class _Shadow:
    """One expert replaying the requests alone: keys and sizes, no bytes."""

    __slots__ = ("capacity_bytes", "policy", "sizes", "used_bytes")

    def __init__(self, policy: EvictionPolicy, capacity_bytes: int) -> None:
        policy.configure(capacity_bytes)
        self.policy = policy
        self.capacity_bytes = capacity_bytes
        self.sizes: dict[Hashable, int] = {}
        self.used_bytes = 0

    def request(self, key: Hashable, size_bytes: int) -> bool:
        """Replay one request; True if this expert alone would have had ``key``."""
        if key in self.sizes:
            self.policy.on_access(key)
            return True
        if size_bytes > self.capacity_bytes:
            return False
        while self.used_bytes + size_bytes > self.capacity_bytes and self.sizes:
            self.used_bytes -= self.sizes.pop(self.policy.victim())
        self.policy.on_insert(key, size_bytes)
        self.sizes[key] = size_bytes
        self.used_bytes += size_bytes
        return False

    def clear(self) -> None:
        self.policy.clear()
        self.sizes.clear()
        self.used_bytes = 0


class AdaptivePolicy(EvictionPolicy):
    """Evicts as the expert (LRU or S3-FIFO by default) whose shadow hits most lately."""

    name = "adaptive"

    def __init__(
        self,
        experts: Sequence[Callable[[], EvictionPolicy]] = (LRUPolicy, S3FIFOPolicy),
        *,
        window_factor: float = 4.0,
        margin: float = 0.0,
    ) -> None:
        if len(experts) < 2 or window_factor <= 0 or margin < 0:
            raise ValueError("an adaptive policy needs two experts and a positive window")
        self.experts = tuple(experts)
        self.window_factor = window_factor
        self.margin = margin
        self.scored_outside = False
        self._last_size = 1
        self.capacity_bytes = 0
        self._live = [make() for make in self.experts]
        self._shadows: list[_Shadow] = []
        self.scores = [0.0] * len(self.experts)
        self.leader = 0
        self.switches = 0
        self._sizes: dict[Hashable, int] = {}
        self.realised_gain = 0
        self.allowance = REALISED_ALLOWANCE_HITS
        self._keep_entries = -1
        self._keep = 0.0

    def configure(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        for live in self._live:
            live.configure(capacity_bytes)
        self._shadows = [_Shadow(make(), capacity_bytes) for make in self.experts]

    @property
    def leader_name(self) -> str:
        return self._live[self.leader].name

    def score_requests(
        self,
        capacity_bytes: int,
        *,
        margin: float = REQUEST_MARGIN,
        window_factor: float = REQUEST_WINDOW_FACTOR,
        evidence_z: float = REQUEST_EVIDENCE_Z,
        allowance: float = REALISED_ALLOWANCE_HITS,
    ) -> None:
        """From now on score the experts only on :meth:`observe` (the whole cache's
        requests), with shadows of ``capacity_bytes``."""
        self.scored_outside = True
        self.margin = margin
        self.window_factor = window_factor
        self._keep_entries = -1
        self.evidence_z = evidence_z
        self.allowance = allowance
        self._shadows = [_Shadow(make(), capacity_bytes) for make in self.experts]

    def observe(
        self,
        key: Hashable,
        size_bytes: int | None = None,
        *,
        counted: bool = True,
        hit: bool | None = None,
    ) -> None:
        """One request of ``key`` (``counted``: scored; else a prefetch, replayed in the
        shadows without a score). Without a size, the last size seen.

        ``hit``: whether the real cache had ``key``. Its hits minus those of the first
        expert's shadow (LRU: what one LRU of the whole cache would have hit) are summed
        into :attr:`realised_gain`; the cache leaves that expert only while the sum is
        above ``-allowance`` and goes back to it when the sum falls below, so a switch
        that the shadows favour but the real tiers do not turn into hits costs a few."""
        size = self._last_size if size_bytes is None else size_bytes
        self._last_size = size
        shadows = self._shadows
        if not counted:
            for shadow in shadows:
                shadow.request(key, size)
            return
        self._observe(key, size, hit)

    def _observe(self, key: Hashable, size_bytes: int, hit: bool | None = None) -> None:
        entries = len(self._sizes)
        if entries != self._keep_entries:  # the decay changes only with the entry count
            self._keep_entries = entries
            self._keep = 1.0 - 1.0 / max(MIN_WINDOW_REQUESTS, self.window_factor * entries)
        keep = self._keep
        scores = self.scores
        shadows = self._shadows
        first = shadows[0].request(key, size_bytes)
        scores[0] = scores[0] * keep + first
        for i in range(1, len(shadows)):
            scores[i] = scores[i] * keep + shadows[i].request(key, size_bytes)
        leader = self.leader
        if hit is not None:
            self.realised_gain += hit - first
            if self.realised_gain < -self.allowance:
                if leader != 0:
                    self.leader = 0
                    self.switches += 1
                return
        best = leader
        for i, score in enumerate(scores):
            if score > scores[best]:
                best = i
        if best != leader and self._clearly_ahead(scores[best], scores[leader]):
            self.leader = best
            self.switches += 1

    def _clearly_ahead(self, best: float, leader: float) -> bool:
        """``best`` beats the leader by the margin and, when scored on requests, by more
        than chance (``evidence_z`` standard deviations of a count of hits)."""
        lead = best - leader
        if lead <= leader * self.margin:
            return False
        return not self.scored_outside or lead > self.evidence_z * math.sqrt(best + leader)

    def on_insert(self, key: Hashable, size_bytes: int) -> None:
        if not self.scored_outside:
            self._observe(key, size_bytes)
        self._sizes[key] = size_bytes
        for live in self._live:
            live.on_insert(key, size_bytes)

    def on_access(self, key: Hashable) -> None:
        size = self._sizes.get(key)
        if size is None:
            return
        if not self.scored_outside:
            self._observe(key, size)
        for live in self._live:
            live.on_access(key)

    def on_remove(self, key: Hashable) -> None:
        if self._sizes.pop(key, None) is not None:
            for live in self._live:
                live.on_remove(key)

    def victim(self) -> Hashable:
        if not self._sizes:
            raise KeyError("victim() on an empty adaptive policy")
        key = self._live[self.leader].victim()
        del self._sizes[key]
        for i, live in enumerate(self._live):
            if i != self.leader:
                live.on_remove(key)
        return key

    def clear(self) -> None:
        for live in self._live:
            live.clear()
        for shadow in self._shadows:
            shadow.clear()
        self._sizes.clear()
        self.scores = [0.0] * len(self.experts)

    def __len__(self) -> int:
        return len(self._sizes)

    def __contains__(self, key: object) -> bool:
        return key in self._sizes
