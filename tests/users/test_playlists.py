"""Playlists over a real SQLite file: order, duplicates, visibility, rights, cascade."""

from __future__ import annotations

import pytest

from masterstream.errors import InvalidParameterError
from masterstream.users import Role, UserStore
from masterstream.users.playlists import PlaylistAccessError, PlaylistNotFoundError
from tests.clock import FakeClock


def test_round_trip_keeps_order_and_duplicates(store: UserStore, clock: FakeClock) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    made = store.playlists.create(alice, "  Road trip ", [5, 3, 5, 9])
    assert (made.name, made.owner, made.public, made.track_ids) == (
        "Road trip",
        "alice",
        False,
        (5, 3, 5, 9),
    )
    clock.tick(60.0)
    changed = store.playlists.update(alice, made.id, remove_positions=[0, 2], add_track_ids=[1],
                                     name="Trip", comment="summer", public=True)  # fmt: skip
    assert (changed.name, changed.comment, changed.public) == ("Trip", "summer", True)
    assert changed.track_ids == (3, 9, 1)
    assert (changed.created_at, changed.changed_at) == (
        "2023-11-14T22:13:20Z",
        "2023-11-14T22:14:20Z",
    )
    replaced = store.playlists.update(alice, made.id, track_ids=[4, 4])
    assert replaced.track_ids == (4, 4) and replaced.name == "Trip"
    store.playlists.delete(alice, made.id)
    with pytest.raises(PlaylistNotFoundError):
        store.playlists.get(made.id)
    assert store.db.query("SELECT COUNT(*) AS n FROM user_playlist_tracks")[0]["n"] == 0


def test_others_see_public_playlists_but_cannot_change_them(store: UserStore) -> None:
    admin = store.accounts.add("root", "pw-root-1", Role.ADMIN)
    alice = store.accounts.add("alice", "pw-alice-1")
    bob = store.accounts.add("bob", "pw-bob-1")
    private = store.playlists.create(alice, "mine", [1])
    shared = store.playlists.update(alice, store.playlists.create(alice, "ours", [2]).id,
                                    public=True)  # fmt: skip
    store.playlists.create(bob, "Bob's", [3])
    assert [p.name for p in store.playlists.list(alice)] == ["mine", "ours"]
    assert [p.name for p in store.playlists.list(bob)] == ["Bob's", "ours"]
    assert [p.track_ids for p in store.playlists.list(bob)] == [(3,), (2,)]
    with pytest.raises(PlaylistNotFoundError):
        store.playlists.visible(bob, private.id)
    with pytest.raises(PlaylistAccessError):
        store.playlists.update(bob, shared.id, name="hijacked")
    with pytest.raises(PlaylistAccessError):
        store.playlists.delete(bob, shared.id)
    assert store.playlists.get(shared.id).name == "ours"
    assert store.playlists.update(admin, private.id, add_track_ids=[8]).track_ids == (1, 8)


def test_bad_changes_are_refused_and_change_nothing(store: UserStore) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    made = store.playlists.create(alice, "list", [1, 2])
    with pytest.raises(InvalidParameterError, match="songIndexToRemove"):
        store.playlists.update(alice, made.id, remove_positions=[2], name="other")
    with pytest.raises(InvalidParameterError, match="name"):
        store.playlists.update(alice, made.id, name="   ")
    with pytest.raises(InvalidParameterError, match="name"):
        store.playlists.create(alice, "x" * 201)
    with pytest.raises(InvalidParameterError, match="name"):
        store.playlists.update(alice, made.id, name="two\nlines")
    with pytest.raises(InvalidParameterError, match="comment"):
        store.playlists.update(alice, made.id, comment="bell\a")
    assert store.playlists.update(alice, made.id, comment="two\nlines").comment == "two\nlines"
    assert store.playlists.get(made.id).name == "list"
    assert store.playlists.get(made.id).track_ids == (1, 2)


def test_playlists_go_with_their_owner(store: UserStore) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    bob = store.accounts.add("bob", "pw-bob-1")
    store.playlists.create(alice, "a", [1, 2])
    kept = store.playlists.create(bob, "b", [3])
    store.accounts.remove("alice")
    assert store.db.query("SELECT COUNT(*) AS n FROM user_playlists")[0]["n"] == 1
    assert store.db.query("SELECT COUNT(*) AS n FROM user_playlist_tracks")[0]["n"] == 1
    assert store.playlists.get(kept.id).track_ids == (3,)
