"""``/rest/stream`` under a used-up render budget: HTTP 429 with ``Retry-After`` around a
Subsonic error (Subsonic has no code for it; clients retry on 429), while a stream whose
chunks are cached still plays."""

from __future__ import annotations

import pytest

from tests.subsonic.user_server import UserServer, server_fixture, track_ids

pytestmark = pytest.mark.timeout(300)


server = server_fixture("--render-budget", "2")


def test_cold_streams_wait_for_the_budget_and_cached_ones_play(server: UserServer) -> None:
    low = track_ids(server)["Low"]  # 8 s: one chunk
    thin = track_ids(server)["Thin"]  # 12 s: two chunks
    for track in (low, thin):  # three renders: one over the budget of two a minute
        assert server.rest("bob", "stream", id=track, format="wav").status_code == 200
    refused = server.rest("bob", "stream", id=low, format="mp3")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    error = refused.json()["subsonic-response"]["error"]
    assert error["code"] == 0 and "render budget" in error["message"].lower()
    again = server.rest("bob", "stream", id=low, format="wav")  # cached: never limited
    assert again.status_code == 200 and again.headers["content-type"] == "audio/wav"
    assert server.rest("alice", "stream", id=low, format="mp3").status_code == 200  # per user
