"""Replay a playback trace through both tiers and an idealised warmer.

The demand-only replay in ``cache_hit_ratio.py`` scores a policy on the requests alone.
The cache in masterstream also has the warmer, which inserts chunks before they are
asked for: the look-ahead into tier1 and whole tracks into tier2. A policy that keeps
frequently used chunks (S3-FIFO) may treat those prefetched, not-yet-used chunks very
differently from LRU, so the default is chosen on this replay too.

Model (per request, in trace order, with the tiers' real ``TierLedger`` accounting):
lookup tier1, then tier2 (a hit is promoted to tier1), else render into both. Then the
listener's warmer acts instantly (it keeps up with real time): *hot* makes chunks
``i..i+lookahead`` present in tier1 (touching present ones, promoting from tier2 and
touching them there, or rendering); on a new track, variant or seek, *fill* renders the
rest of the track into tier2. Modes: ``none`` (no warmer), ``hot``, ``hot+fill`` (the
whole track at once for every listener: an upper bound of the real warmer, whose fill
only uses render capacity left over by on-demand and hot work) and ``hot+fill/2`` (after
each request, at most :data:`FILL_BUDGET` fill renders for that listener's track: fill
bounded by render throughput, the closest model of masterstream's warmer).
"""

from __future__ import annotations

from dataclasses import dataclass

from cache_trace import Request, Track, chunk_size_bytes
from masterstream.cache import ChunkKey
from masterstream.cache.ledger import TierLedger
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES

MODES = ("none", "hot", "hot+fill/2", "hot+fill")
FILL_BUDGET = 2


@dataclass
class SimResult:
    requests: int = 0
    tier1_hits: int = 0
    tier2_hits: int = 0
    misses: int = 0
    renders: int = 0

    def as_dict(self) -> dict[str, float]:
        n = self.requests or 1
        return {
            "hit_ratio": round((self.tier1_hits + self.tier2_hits) / n, 4),
            "tier1_hit_ratio": round(self.tier1_hits / n, 4),
            "tier2_hit_ratio": round(self.tier2_hits / n, 4),
            "renders_per_request": round(self.renders / n, 3),
        }


class TwoTierSim:
    def __init__(self, catalogue: list[Track], tier1: TierLedger, tier2: TierLedger) -> None:
        self.catalogue = catalogue
        self.tier1 = tier1
        self.tier2 = tier2
        self.result = SimResult()

    def key(self, r: Request, index: int) -> tuple[ChunkKey, int]:
        size = chunk_size_bytes(self.catalogue[r.track_id], index, r.fmt) + ENTRY_OVERHEAD_BYTES
        key = ChunkKey(r.track_id, f"s{r.track_id}", "1", r.preset, r.intensity, index, r.fmt)
        return key, size

    @staticmethod
    def store(ledger: TierLedger, key: ChunkKey, size: int) -> None:
        if key not in ledger.sizes and ledger.fits(size):
            ledger.make_room(size)
            ledger.add(key, size)

    def demand(self, r: Request) -> None:
        key, size = self.key(r, r.chunk_index)
        self.result.requests += 1
        if key in self.tier1.sizes:
            self.tier1.hit(key)
            self.result.tier1_hits += 1
        elif key in self.tier2.sizes:
            self.tier2.hit(key)
            self.result.tier2_hits += 1
            self.store(self.tier1, key, size)
        else:
            self.result.misses += 1
            self.result.renders += 1
            self.store(self.tier1, key, size)
            self.store(self.tier2, key, size)

    def hot(self, r: Request, lookahead: int) -> None:
        count = self.catalogue[r.track_id].chunk_count
        for index in range(r.chunk_index, min(count, r.chunk_index + lookahead + 1)):
            key, size = self.key(r, index)
            if key in self.tier1.sizes:
                self.tier1.policy.on_access(key)
            elif key in self.tier2.sizes:
                self.tier2.policy.on_access(key)  # the warmer touches what it promotes
                self.store(self.tier1, key, size)
            else:
                self.result.renders += 1
                self.store(self.tier1, key, size)
                self.store(self.tier2, key, size)

    def fill(self, r: Request, lookahead: int, budget: int | None = None) -> None:
        """Render missing chunks of the track into tier2, at most ``budget`` of them."""
        count = self.catalogue[r.track_id].chunk_count
        start = min(count, r.chunk_index + lookahead + 1)
        for index in [*range(start, count), *range(r.chunk_index)]:
            if budget is not None and budget <= 0:
                return
            key, size = self.key(r, index)
            if key not in self.tier2.sizes:
                self.result.renders += 1
                self.store(self.tier2, key, size)
                if budget is not None:
                    budget -= 1


def simulate(
    trace: list[Request],
    catalogue: list[Track],
    *,
    tier1: tuple[int, str],
    tier2: tuple[int, str],
    mode: str,
    lookahead: int = 2,
) -> dict[str, float]:
    sim = TwoTierSim(catalogue, TierLedger("tier1", *tier1), TierLedger("tier2", *tier2))
    last: dict[int, tuple[int, str | None, float, str, int]] = {}
    for r in trace:
        sim.demand(r)
        if mode == "none":
            continue
        sim.hot(r, lookahead)
        previous = last.get(r.listener)
        last[r.listener] = (r.track_id, r.preset, r.intensity, r.fmt, r.chunk_index)
        sequential = previous is not None and previous[:4] == (
            r.track_id, r.preset, r.intensity, r.fmt,
        ) and r.chunk_index == previous[4] + 1  # fmt: skip
        if mode == "hot+fill" and not sequential:
            sim.fill(r, lookahead)
        elif mode == "hot+fill/2":
            sim.fill(r, lookahead, budget=FILL_BUDGET)
    return sim.result.as_dict()
