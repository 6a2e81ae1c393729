"""Play counts, last played and now playing over a real SQLite file."""

from __future__ import annotations

from masterstream.users import UserStore
from tests.clock import FakeClock


def test_plays_count_for_song_album_and_artist(store: UserStore, clock: FakeClock) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    store.plays.record(alice.id, 1, album_id=10, artist_id=100)
    clock.tick(10.0)
    store.plays.record(alice.id, 2, album_id=10, artist_id=100)
    clock.tick(10.0)
    store.plays.record(alice.id, 3, album_id=20, artist_id=100)
    clock.tick(10.0)
    store.plays.record(alice.id, 1, album_id=10, artist_id=100)
    songs = store.plays.counts(alice.id)
    assert {k: v.play_count for k, v in songs.items()} == {1: 2, 2: 1, 3: 1}
    assert songs[1].last_played == "2023-11-14T22:13:50Z"
    assert [(p.item_id, p.play_count) for p in store.plays.most_played(alice.id, "album")] == [
        (10, 3),
        (20, 1),
    ]
    assert [p.item_id for p in store.plays.recently_played(alice.id, "song")] == [1, 3, 2]
    assert [p.item_id for p in store.plays.recently_played(alice.id, "album", limit=1)] == [10]
    assert store.plays.counts(alice.id, "artist")[100].play_count == 4


def test_a_late_scrobble_never_moves_last_played_back(store: UserStore, clock: FakeClock) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    store.plays.record(alice.id, 1)
    store.plays.record(alice.id, 1, played_at_s=clock() - 3600.0)  # an offline play sent late
    played = store.plays.counts(alice.id)[1]
    assert (played.play_count, played.last_played) == (2, "2023-11-14T22:13:20Z")


def test_now_playing_expires_and_is_per_player(store: UserStore, clock: FakeClock) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    bob = store.accounts.add("bob", "pw-bob-1")
    store.plays.now_playing(alice.id, "DSub", 5, ttl_s=100.0)
    clock.tick(1.0)
    store.plays.now_playing(bob.id, "Feishin", 6, ttl_s=300.0)
    clock.tick(1.0)
    store.plays.now_playing(alice.id, "DSub", 7, ttl_s=100.0)  # the next song replaces it
    playing = store.plays.playing_now()
    assert [(p.user_name, p.player, p.track_id) for p in playing] == [
        ("alice", "DSub", 7),
        ("bob", "Feishin", 6),
    ]
    clock.tick(150.0)
    assert [p.user_name for p in store.plays.playing_now()] == ["bob"]
    store.accounts.remove("bob")
    assert store.plays.playing_now() == []


def test_plays_go_with_the_user(store: UserStore) -> None:
    alice = store.accounts.add("alice", "pw-alice-1")
    bob = store.accounts.add("bob", "pw-bob-1")
    store.plays.record(alice.id, 1, album_id=2)
    store.plays.record(bob.id, 1, album_id=2)
    store.accounts.remove("alice")
    assert store.plays.counts(alice.id) == {}
    assert store.plays.counts(bob.id)[1].play_count == 1
