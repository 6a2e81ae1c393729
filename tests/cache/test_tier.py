"""The tier contract, run against MemoryTier and DiskTier, plus property tests of the
invariants: bytes never exceed capacity and the counters add up."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterstream.cache import DiskTier, MemoryTier, Tier
from masterstream.cache.entry_file import entry_size_bytes
from masterstream.cache.policies import POLICIES

from .fakes import chunk_bytes, make_key

TierFactory = Callable[[int], Tier]


def entry_cost(tier: Tier, key, value: bytes) -> int:
    if isinstance(tier, MemoryTier):
        return len(value) + tier.entry_overhead_bytes
    return entry_size_bytes(key, value)


@pytest.fixture(params=["memory", "disk"])
def make_tier(request: pytest.FixtureRequest, tmp_path: Path) -> TierFactory:
    counter = iter(range(1000))

    def factory(capacity_bytes: int, policy: str = "lru") -> Tier:
        if request.param == "memory":
            return MemoryTier(capacity_bytes, policy=policy)
        return DiskTier(tmp_path / f"t{next(counter)}", capacity_bytes, policy=policy, fsync=False)

    return factory


def assert_counters_add_up(tier: Tier) -> None:
    s = tier.stats()
    assert s.recovered + s.inserts - s.evictions - s.deletes == s.chunks == len(tier)
    assert s.size_bytes <= s.capacity_bytes
    assert s.hit_rate == (s.hits / s.lookups if s.lookups else 0.0)


def test_put_get_returns_the_same_bytes_and_counts(make_tier: TierFactory) -> None:
    tier = make_tier(100_000)
    key = make_key()
    value = chunk_bytes(key, 5000)
    assert tier.get(key) is None
    assert tier.put(key, value)
    assert key in tier and len(tier) == 1
    assert tier.get(key) == value
    s = tier.stats()
    assert (s.hits, s.misses, s.inserts, s.chunks) == (1, 1, 1, 1)
    assert s.size_bytes == entry_cost(tier, key, value)
    assert s.hit_rate == 0.5
    assert_counters_add_up(tier)


def test_peek_and_contains_do_not_count(make_tier: TierFactory) -> None:
    tier = make_tier(100_000)
    key = make_key()
    tier.put(key, b"x" * 10)
    assert tier.peek(key) == b"x" * 10
    assert tier.peek(make_key(chunk_index=9)) is None
    s = tier.stats()
    assert (s.hits, s.misses) == (0, 0)


def test_only_bytes_are_accepted(make_tier: TierFactory) -> None:
    tier = make_tier(100_000)
    with pytest.raises(TypeError):
        tier.put(make_key(), bytearray(b"mutable"))  # type: ignore[arg-type]


def test_capacity_is_enforced_by_evicting_the_policys_victim(make_tier: TierFactory) -> None:
    key0 = make_key(chunk_index=0)
    cost = entry_cost(make_tier(1), key0, b"v" * 1000)
    tier = make_tier(3 * cost)
    keys = [make_key(chunk_index=i) for i in range(4)]
    for key in keys[:3]:
        assert tier.put(key, b"v" * 1000)
    tier.get(keys[0])  # LRU: keys[1] becomes the oldest
    tier.put(keys[3], b"v" * 1000)
    assert keys[1] not in tier
    assert all(k in tier for k in (keys[0], keys[2], keys[3]))
    s = tier.stats()
    assert (s.evictions, s.evicted_bytes) == (1, cost)
    assert_counters_add_up(tier)


def test_a_value_larger_than_the_tier_is_rejected(make_tier: TierFactory) -> None:
    tier = make_tier(1000)
    tier.put(make_key(chunk_index=1), b"small")
    assert not tier.put(make_key(), b"x" * 5000)
    s = tier.stats()
    assert s.rejected == 1 and s.chunks == 1 and s.evictions == 0


def test_overwriting_a_key_is_an_update_not_an_insert(make_tier: TierFactory) -> None:
    tier = make_tier(100_000)
    key = make_key()
    tier.put(key, b"a" * 100)
    tier.put(key, b"b" * 200)
    assert tier.get(key) == b"b" * 200
    s = tier.stats()
    assert (s.inserts, s.updates, s.chunks) == (1, 1, 1)
    assert s.size_bytes == entry_cost(tier, key, b"b" * 200)


def test_delete_clear_and_keys_by_track_are_exact(make_tier: TierFactory) -> None:
    tier = make_tier(1_000_000)
    for track_id in (1, 12, 21):
        for index in range(3):
            tier.put(make_key(track_id, index), b"z" * 100)
    assert sorted(tier.track_ids()) == [1, 12, 21]
    assert {k.track_id for k in tier.keys(1)} == {1} and len(tier.keys(1)) == 3
    assert tier.delete(make_key(1, 0))
    assert not tier.delete(make_key(1, 0))
    assert len(tier.keys(1)) == 2 and len(tier.keys(12)) == 3
    assert tier.clear() == 8
    assert len(tier) == 0 and tier.stats().size_bytes == 0
    assert tier.get(make_key(12, 0)) is None
    assert_counters_add_up(tier)


operations = st.lists(
    st.tuples(
        st.sampled_from(["put", "get", "delete"]),
        st.integers(0, 15),  # chunk index
        st.integers(0, 3000),  # payload bytes
    ),
    max_size=60,
)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations, capacity_bytes=st.integers(0, 12_000))
def test_invariants_hold_for_any_operation_sequence(
    make_tier: TierFactory, policy: str, ops, capacity_bytes: int
) -> None:
    tier = make_tier(capacity_bytes, policy)
    lookups = 0
    for op, index, size in ops:
        key = make_key(chunk_index=index)
        if op == "put":
            tier.put(key, chunk_bytes(key, size))
        elif op == "get":
            lookups += 1
            value = tier.get(key)
            assert value is None or value == chunk_bytes(key, len(value))
        else:
            tier.delete(key)
        s = tier.stats()
        assert s.size_bytes <= s.capacity_bytes
        assert s.hits + s.misses == lookups
        assert_counters_add_up(tier)
    stored = sum(entry_cost(tier, k, tier.peek(k)) for k in tier.keys(track_id=None))
    assert stored == tier.stats().size_bytes


def test_overwriting_in_a_full_tier_with_a_bigger_value_stays_within_capacity(
    make_tier: TierFactory,
) -> None:
    # regression found by the property test: the key itself can be the policy's victim
    a, b = make_key(chunk_index=0), make_key(chunk_index=1)
    cost = entry_cost(make_tier(1), a, b"x" * 100)
    tier = make_tier(2 * cost)
    tier.put(a, b"x" * 100)
    tier.put(b, b"y" * 100)
    assert tier.put(a, b"z" * 101)
    s = tier.stats()
    assert s.size_bytes <= s.capacity_bytes and tier.get(a) == b"z" * 101
    assert_counters_add_up(tier)


def test_touch_changes_recency_without_counting(make_tier: TierFactory) -> None:
    keys = [make_key(chunk_index=i) for i in range(3)]
    cost = entry_cost(make_tier(1), keys[0], b"v" * 100)
    tier = make_tier(2 * cost)
    tier.put(keys[0], b"v" * 100)
    tier.put(keys[1], b"v" * 100)
    assert tier.touch(keys[0]) and not tier.touch(keys[2])
    tier.put(keys[2], b"v" * 100)
    assert keys[0] in tier and keys[1] not in tier
    assert (tier.stats().hits, tier.stats().misses) == (0, 0)


def test_memory_tier_reports_each_eviction_with_its_bytes() -> None:
    keys = [make_key(chunk_index=i) for i in range(4)]
    evicted: list[tuple[object, bytes]] = []
    tier = MemoryTier(3 * (100 + 256), on_evict=lambda key, value: evicted.append((key, value)))
    for key in keys[:3]:
        tier.put(key, chunk_bytes(key, 100))
    tier.put(keys[0], chunk_bytes(keys[0], 100))  # an overwrite evicts nothing
    tier.delete(keys[1])  # a delete is not an eviction
    tier.put(keys[1], chunk_bytes(keys[1], 100))
    assert evicted == []
    tier.put(keys[3], chunk_bytes(keys[3], 100))  # full: the LRU entry (keys[2]) goes
    assert evicted == [(keys[2], chunk_bytes(keys[2], 100))]
    tier.clear()
    assert len(evicted) == 1
