"""The eviction-policy contract, run against every policy, plus S3-FIFO's scan resistance."""

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
    S3FIFOPolicy,
    make_policy,
)
from masterstream.cache.policies import POLICIES


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


def test_s3fifo_keeps_a_reused_working_set_through_a_scan() -> None:
    capacity, size = 10_000, 500
    policy = S3FIFOPolicy()
    policy.configure(capacity)
    stored: set[object] = set()
    used = 0

    def insert(key: object) -> None:
        nonlocal used
        while used + size > capacity:
            stored.remove(policy.victim())
            used -= size
        policy.on_insert(key, size)
        stored.add(key)
        used += size

    hot = [f"hot{i}" for i in range(8)]
    for _ in range(3):
        for key in hot:
            if key in stored:
                policy.on_access(key)
            else:
                insert(key)
    for i in range(200):  # one pass over a long album nobody replays
        insert(f"scan{i}")
    assert all(key in stored for key in hot)


def test_default_policy_and_unknown_names() -> None:
    assert make_policy("default").name == DEFAULT_POLICY
    with pytest.raises(ValueError, match="unknown eviction policy"):
        make_policy("mru")


def test_each_tier_resolves_default_to_its_measured_policy(tmp_path: Path) -> None:
    assert MemoryTier().stats().policy == DEFAULT_MEMORY_POLICY == "lru"
    assert DiskTier(tmp_path).stats().policy == DEFAULT_POLICY == "s3fifo"
    assert MemoryTier(policy="s3fifo").stats().policy == "s3fifo"
