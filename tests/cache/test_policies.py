"""The eviction-policy contract, run against every policy, then what each policy is for:
scan resistance (S3-FIFO, W-TinyLFU, ARC), adaptation to recency (W-TinyLFU's window,
ARC's target) and the adaptive policy following the expert that hits more."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterstream.cache import (
    DEFAULT_MEMORY_POLICY,
    DEFAULT_POLICY,
    DiskTier,
    EvictionPolicy,
    MemoryTier,
    make_policy,
)
from masterstream.cache.adaptive import _Shadow
from masterstream.cache.ledger import TierLedger
from masterstream.cache.policies import POLICIES, AdaptivePolicy, ARCPolicy, WTinyLFUPolicy

from .fakes import make_key

CHUNK = 500


def replay(policy: EvictionPolicy, indices: list[int], capacity_bytes: int) -> int:
    """Hits of ``policy`` behind the tiers' own accounting, one request per index."""
    ledger = TierLedger("test", capacity_bytes, policy)
    hits = 0
    for index in indices:
        key = make_key(chunk_index=index)
        if key in ledger.sizes:
            ledger.hit(key)
            hits += 1
        else:
            ledger.make_room(CHUNK)
            ledger.add(key, CHUNK)
        assert ledger.used_bytes <= capacity_bytes
    return hits


def hot_set_and_scans(rounds: int = 6) -> list[int]:
    """A working set of 8 chunks used over and over, with a one-off scan of 200 between."""
    out: list[int] = []
    fresh = 1000
    for _ in range(rounds):
        out += list(range(8)) * 3
        out += range(fresh, fresh + 200)
        fresh += 200
    return out


def reuse_at_distance(distance: int = 12, pairs: int = 400) -> list[int]:
    """Every chunk asked twice, ``distance`` requests apart: recency wins, frequency cannot
    tell (every chunk is seen once before its reuse)."""
    out: list[int] = []
    for start in range(0, pairs, distance):
        block = list(range(start, start + distance))
        out += block + block
    return out


@pytest.fixture(params=sorted(POLICIES))
def policy(request: pytest.FixtureRequest) -> EvictionPolicy:
    p = make_policy(request.param)
    p.configure(10_000)
    return p


def test_victims_are_inserted_keys_each_once(policy: EvictionPolicy) -> None:
    for key in range(10):
        policy.on_insert(key, 1000)
    policy.on_access(3)
    victims = [policy.victim() for _ in range(10)]
    assert sorted(victims) == list(range(10))
    assert len(policy) == 0
    with pytest.raises(KeyError):
        policy.victim()


def test_removed_keys_are_never_victims(policy: EvictionPolicy) -> None:
    for key in range(5):
        policy.on_insert(key, 1000)
    policy.on_remove(2)
    policy.on_remove(99)  # unknown keys are ignored
    assert 2 not in policy
    assert sorted(policy.victim() for _ in range(4)) == [0, 1, 3, 4]


def test_clear_forgets_everything(policy: EvictionPolicy) -> None:
    for key in range(5):
        policy.on_insert(key, 1000)
    policy.clear()
    assert len(policy) == 0 and 0 not in policy


def test_an_untouched_key_is_evicted_before_a_hot_one(policy: EvictionPolicy) -> None:
    policy.on_insert("hot", 1000)
    policy.on_insert("cold", 1000)
    policy.on_access("hot")
    assert policy.victim() == "cold"


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(POLICIES)),
    events=st.lists(st.tuples(st.sampled_from("iarv"), st.integers(0, 20)), max_size=80),
)
def test_policy_tracks_exactly_the_live_keys(name: str, events) -> None:
    policy = make_policy(name)
    policy.configure(5000)
    live: set[int] = set()
    for op, key in events:
        if op == "i" and key not in live:
            policy.on_insert(key, 500)
            live.add(key)
        elif op == "a":
            policy.on_access(key)
        elif op == "r":
            policy.on_remove(key)
            live.discard(key)
        elif op == "v" and live:
            victim = policy.victim()
            assert victim in live
            live.remove(victim)
        assert len(policy) == len(live)
        assert all(k in policy for k in live)


@pytest.mark.parametrize("name", ["s3fifo", "wtinylfu", "arc"])
def test_a_reused_working_set_survives_one_off_scans(name: str) -> None:
    trace = hot_set_and_scans()
    capacity = 20 * CHUNK  # the 8 hot chunks fit, a scan does not
    hits = replay(make_policy(name), trace, capacity)
    lru_hits = replay(make_policy("lru"), trace, capacity)
    assert lru_hits == 6 * 16  # LRU loses the hot set to every scan: 2 of 3 passes hit
    assert hits >= 6 * 24 - 2 * 8  # the hot set misses at most in its first two passes


def test_wtinylfu_grows_its_window_when_recency_pays() -> None:
    policy = WTinyLFUPolicy()
    capacity = 20 * CHUNK
    hits = replay(policy, reuse_at_distance(), capacity)
    assert policy.adjustments > 0
    # the first sample improved on nothing, so the climber took one full step up
    assert policy.window_target_bytes == pytest.approx((0.01 + 0.0625) * capacity)
    assert hits > 0


def test_arc_moves_its_target_towards_recency_on_ghost_hits() -> None:
    policy = ARCPolicy()
    trace = reuse_at_distance(distance=15)
    capacity = 20 * CHUNK
    hits = replay(policy, trace, capacity)
    assert policy.p_bytes > 0
    assert hits >= 0.9 * replay(make_policy("lru"), trace, capacity)


@pytest.mark.parametrize(
    ("trace", "winner"),
    [(reuse_at_distance(), "lru"), (hot_set_and_scans(12), "s3fifo")],
    ids=["recency", "scans"],
)
def test_adaptive_follows_the_expert_that_hits_more(trace: list[int], winner: str) -> None:
    capacity = 20 * CHUNK
    policy = AdaptivePolicy()
    hits = replay(policy, trace, capacity)
    alone = {name: replay(make_policy(name), trace, capacity) for name in ("lru", "s3fifo")}
    assert alone[winner] > max(alone.values()) - 1  # the trace does favour ``winner``
    assert policy.leader_name == winner
    assert hits >= 0.9 * alone[winner]
    assert hits > min(alone.values())


def score_on_requests(trace: list[int], real: str | None) -> AdaptivePolicy:
    """An adaptive policy scored on ``trace`` as a cache's requests; the real cache hits
    as ``real`` alone would (or never, with None)."""
    capacity = 20 * CHUNK
    policy = AdaptivePolicy()
    policy.configure(capacity)
    policy.score_requests(capacity)
    real_cache = None if real is None else _Shadow(make_policy(real), capacity)
    for index in trace:
        key = make_key(index)
        hit = False if real_cache is None else real_cache.request(key, CHUNK)
        policy.observe(key, CHUNK, hit=hit)
    return policy


def test_adaptive_leaves_lru_while_the_real_cache_gains_by_it() -> None:
    policy = score_on_requests(hot_set_and_scans(12), "s3fifo")
    assert policy.leader_name == "s3fifo"
    assert policy.realised_gain > policy.allowance


def test_adaptive_goes_back_to_lru_when_the_real_cache_falls_behind_it() -> None:
    trace = hot_set_and_scans(12)
    assert score_on_requests(trace, "lru").leader_name == "s3fifo"  # the shadows favour it
    policy = score_on_requests(trace, None)
    assert policy.leader_name == "lru"
    assert policy.realised_gain < -policy.allowance
    # one excursion at most: once behind by the allowance, it does not leave LRU again
    assert policy.switches <= 2


def test_adaptive_experts_agree_on_the_stored_keys() -> None:
    policy = AdaptivePolicy()
    replay(policy, hot_set_and_scans(3) + reuse_at_distance(pairs=100), 20 * CHUNK)
    stored = set(policy._sizes)
    assert stored and all(set(k for k in stored if k in live) == stored for live in policy._live)
    assert all(len(live) == len(stored) for live in policy._live)


def test_default_policy_and_unknown_names() -> None:
    assert make_policy("default").name == DEFAULT_POLICY
    with pytest.raises(ValueError, match="unknown eviction policy"):
        make_policy("mru")


def test_each_tier_resolves_default_to_its_measured_policy(tmp_path: Path) -> None:
    assert MemoryTier().stats().policy == DEFAULT_MEMORY_POLICY == "lru"
    assert DiskTier(tmp_path).stats().policy == DEFAULT_POLICY == "adaptive"
    assert MemoryTier(policy="s3fifo").stats().policy == "s3fifo"
