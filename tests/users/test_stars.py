"""Stars over a real SQLite file: star, unstar, ordering, duplicates, cascade."""

from __future__ import annotations

import pytest

from masterstream.errors import InvalidParameterError
from masterstream.users import Role, UserStore
from tests.clock import FakeClock


def test_star_list_and_unstar(store: UserStore, clock: FakeClock) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    assert store.stars.star(alice.id, [("song", 7), ("album", 2)]) == 2
    clock.tick(60.0)
    assert store.stars.star(alice.id, [("artist", 3), ("song", 9)]) == 2
    listed = store.stars.list(alice.id)
    # the newest first; starred in the same second: the later one first
    assert [(s.kind, s.item_id) for s in listed] == [
        ("song", 9),
        ("artist", 3),
        ("album", 2),
        ("song", 7),
    ]
    assert [s.item_id for s in store.stars.list(alice.id, "song")] == [9, 7]
    assert store.stars.unstar(alice.id, [("song", 7), ("song", 12345)]) == 1
    assert [s.item_id for s in store.stars.list(alice.id, "song")] == [9]


def test_starring_again_keeps_the_first_time(store: UserStore, clock: FakeClock) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    store.stars.star(alice.id, [("song", 7)])
    first = store.stars.starred_at(alice.id)[("song", 7)]
    clock.tick(3600.0)
    assert store.stars.star(alice.id, [("song", 7), ("song", 7)]) == 0
    assert store.stars.starred_at(alice.id) == {("song", 7): first}
    assert first == "2023-11-14T22:13:20Z"  # the fake clock's start, 1_700_000_000 s


def test_stars_are_per_user_and_go_with_the_user(store: UserStore) -> None:
    admin = store.accounts.add("root", "pw-root-1", Role.ADMIN)
    bob = store.accounts.add("bob", "pw-bob-1")
    store.stars.star(admin.id, [("song", 1)])
    store.stars.star(bob.id, [("song", 2), ("album", 5)])
    assert list(store.stars.starred_at(admin.id)) == [("song", 1)]
    store.accounts.remove("bob")
    assert store.stars.list(bob.id) == []
    count = store.db.query("SELECT COUNT(*) AS n FROM user_stars")[0]["n"]
    assert count == 1


def test_unknown_kind_is_refused(store: UserStore) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    with pytest.raises(InvalidParameterError, match="kind"):
        store.stars.star(alice.id, [("playlist", 1)])
    assert store.stars.list(alice.id) == []
