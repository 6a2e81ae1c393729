"""The real ChunkCache against an LRU of the same total bytes, on generated listening traces.

Exclusive tiers with LRU in both are one LRU of the total bytes, hit for hit; the default
policies (LRU over adaptive) must do at least as well as that LRU. tier2 is a memory tier
here, which charges every entry the same overhead as the LRU model (a disk tier charges
its file header, which depends on the key's length).
"""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest

from masterstream.cache import DEFAULT_POLICY, ChunkCache, ChunkKey, MemoryTier
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES

from .fakes import FakeRender, FakeResolver

CHUNK_BYTES = 4000
ENTRY_BYTES = CHUNK_BYTES + ENTRY_OVERHEAD_BYTES
TRACKS, TRACK_CHUNKS = 60, 12


def listening_trace(seed: int, listeners: int = 8, listens: int = 160) -> list[tuple[int, int]]:
    """(track, chunk) requests: listeners take turns, each playing Zipf-popular tracks from
    the start (or from a seek) for a while, some skipping, some scanning unpopular tracks."""
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(TRACKS)]
    queues: list[list[tuple[int, int]]] = [[] for _ in range(listeners)]
    for n in range(listens):
        if rng.random() < 0.3:  # a scan: an unpopular track, a few chunks
            track = rng.randrange(TRACKS // 2, TRACKS)
            chunks = range(rng.randrange(3))
        else:
            track = rng.choices(range(TRACKS), weights)[0]
            start = 0 if rng.random() < 0.7 else rng.randrange(TRACK_CHUNKS)
            chunks = range(start, rng.randint(start + 1, TRACK_CHUNKS))
        queues[n % listeners].extend((track + 1, index) for index in chunks)
    trace: list[tuple[int, int]] = []
    while any(queues):
        for queue in queues:
            if queue:
                trace.append(queue.pop(0))
    return trace


def lru_hits(keys: list[ChunkKey], capacity_chunks: int) -> int:
    """Hits of one LRU holding ``capacity_chunks`` equal-sized chunks."""
    lru: OrderedDict[ChunkKey, None] = OrderedDict()
    hits = 0
    for key in keys:
        if key in lru:
            hits += 1
            lru.move_to_end(key)
            continue
        lru[key] = None
        if len(lru) > capacity_chunks:
            lru.popitem(last=False)
    return hits


async def cache_hits(cache: ChunkCache, trace: list[tuple[int, int]]) -> tuple[int, list]:
    hits, keys = 0, []
    for track_id, index in trace:
        key = cache.make_key(track_id, index)
        keys.append(key)
        hits += (await cache.fetch(key))[1] != "miss"
        await cache.flush()
    return hits, keys


@pytest.mark.parametrize("seed", [11, 12])
@pytest.mark.parametrize("tier2_policy", ["lru", DEFAULT_POLICY])
@pytest.mark.parametrize(
    "tier1_chunks, tier2_chunks",
    [(6, 54), (6.6, 54.6)],  # 6.6 + 54.6: 61 chunks in all, only if tier2 borrows tier1's 0.6
)
async def test_the_cache_hits_at_least_as_often_as_one_lru_of_its_bytes(
    seed: int, tier2_policy: str, tier1_chunks: float, tier2_chunks: float
) -> None:
    tier2 = MemoryTier(int(tier2_chunks * ENTRY_BYTES), policy=tier2_policy, name="tier2")
    cache = ChunkCache(
        MemoryTier(int(tier1_chunks * ENTRY_BYTES)),
        tier2,
        resolver=FakeResolver(dict.fromkeys(range(1, TRACKS + 1), TRACK_CHUNKS)),
        render=FakeRender(CHUNK_BYTES),
        pipeline_version="1",
    )
    try:
        trace = listening_trace(seed)
        hits, keys = await cache_hits(cache, trace)
    finally:
        await cache.aclose()
    lru = lru_hits(keys, int(tier1_chunks + tier2_chunks))
    assert 0 < lru < len(trace) - len(set(keys))  # a trace where eviction matters
    if tier2_policy == "lru":
        assert hits == lru  # one LRU of the total bytes, hit for hit
    else:
        assert hits >= lru
        # the adaptive tier2 is told each request's real outcome: its realised gain is
        # the cache's hits minus those of one LRU of the total bytes (its LRU shadow)
        assert tier2.policy.realised_gain == hits - lru
