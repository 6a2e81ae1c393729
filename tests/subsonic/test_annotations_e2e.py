"""Stars, scrobbles, play counts and now playing through py-opensonic against a running
``masterstream serve`` with two users."""

from __future__ import annotations

import pytest
from libopensonic.errors import DataNotFoundError, ParameterError

from tests.subsonic.user_server import UserServer, connection_fixture, server_fixture, songs_fixture

pytestmark = pytest.mark.timeout(300)


server = server_fixture()
songs = songs_fixture
alice = connection_fixture("alice")


def test_star_unstar_and_starred2(server: UserServer, songs, alice) -> None:
    album_id = server.ok("alice", "getSong", id=songs["Groove"])["song"]["albumId"]
    artist_id = server.ok("alice", "getSong", id=songs["Low"])["song"]["artistId"]
    assert alice.star(sids=[songs["Groove"], songs["Low"]], album_ids=[album_id],
                      artist_ids=[artist_id])  # fmt: skip
    starred = alice.get_starred2()
    assert {s.id for s in starred.song} == {songs["Groove"], songs["Low"]}
    assert [a.id for a in starred.album] == [album_id]
    assert [a.id for a in starred.artist] == [artist_id]
    assert all(s.starred for s in starred.song)
    song = server.ok("alice", "getSong", id=songs["Groove"])["song"]
    assert song["starred"] == starred.song[0].starred
    albums = server.ok("alice", "getAlbumList2", type="starred")["albumList2"]["album"]
    assert [a["id"] for a in albums] == [album_id]
    assert not any(server.ok("bob", "getStarred2")["starred2"].values())  # per user
    assert alice.unstar(sids=[songs["Low"]], album_ids=[album_id])
    starred = alice.get_starred2()
    assert [s.id for s in starred.song] == [songs["Groove"]]
    assert not starred.album
    old_style = server.ok("alice", "getStarred")["starred"]
    assert [s["id"] for s in old_style["song"]] == [songs["Groove"]]


def test_starring_nothing_or_an_unknown_id_is_an_error(alice) -> None:
    with pytest.raises(DataNotFoundError):
        alice.star(sids=["987654"])
    with pytest.raises(ParameterError):
        alice.star()


def test_scrobbles_count_plays_and_order_album_lists(server: UserServer, songs, alice) -> None:
    first_album = server.ok("alice", "getSong", id=songs["Groove"])["song"]["albumId"]
    second_album = server.ok("alice", "getSong", id=songs["Low"])["song"]["albumId"]
    for _ in range(3):
        assert alice.scrobble(songs["Thin"])
    assert alice.scrobble(songs["Low"], listen_time=1_700_000_000)  # an old play, sent late
    assert server.ok("alice", "getSong", id=songs["Thin"])["song"]["playCount"] == 3
    assert server.ok("alice", "getSong", id=songs["Low"])["song"]["playCount"] == 1
    assert server.ok("bob", "getSong", id=songs["Thin"])["song"].get("playCount", 0) == 0
    frequent = alice.get_album_list2("frequent")
    assert [a.id for a in frequent] == [first_album, second_album]
    assert frequent[0].play_count in (None, 3)  # the album's count, if the entry shows one
    assert [a.id for a in alice.get_album_list2("recent")] == [first_album, second_album]
    assert alice.scrobble(songs["Low"])  # now the latest
    assert [a.id for a in alice.get_album_list2("recent")] == [second_album, first_album]
    assert [a.id for a in alice.get_album_list2("frequent", size=1)] == [first_album]
    assert not server.ok("bob", "getAlbumList2", type="recent")["albumList2"].get("album")


def test_now_playing_shows_what_each_user_plays(server: UserServer, songs, alice) -> None:
    assert alice.scrobble(songs["Groove"], submission=False)
    server.ok("bob", "scrobble", id=songs["Low"], submission="false", c="DSub")
    playing = {(e.username, e.id, e.player_name) for e in alice.get_now_playing()}
    assert playing == {("alice", songs["Groove"], "py-opensonic"), ("bob", songs["Low"], "DSub")}
    groove = server.ok("alice", "getSong", id=songs["Groove"])["song"]
    assert groove.get("playCount", 0) == 0  # now playing is not a play


def test_scrobbling_an_unknown_song_is_error_70(alice) -> None:
    with pytest.raises(DataNotFoundError):
        alice.scrobble("al-1")
