"""Cold-render budgets: misses over budget get 429 with Retry-After and recover as time
passes; hits are never limited; budgets are per user (per address when anonymous on
loopback); a stream is checked before it starts; /ws positions spend the same budget."""

from __future__ import annotations

import json

from websockets.asyncio.client import connect

from masterstream.api import create_app
from tests.api.conftest import make_options, serve_in_process
from tests.clock import FakeClock
from tests.live_feed import receive_until, send
from tests.users.servers import LAN, add_users, bearer, client, running

BUDGET = 3  # renders a minute: one more every 20 s


def chunk(track_id: int, k: int, preset: str = "warm") -> str:
    return f"/api/tracks/{track_id}/chunks/{k}?preset={preset}"


async def track_ids(http) -> dict[str, int]:
    return {t["title"]: t["id"] for t in (await http.get("/api/tracks")).json()["items"]}


async def test_misses_over_budget_get_429_hits_never_and_it_recovers(settings):
    accounts = add_users(settings)
    clock = FakeClock()
    async with running(settings.with_overrides(render_budget_per_minute=BUDGET)) as app:
        app.state.auth.budget.buckets.clock = clock
        bob = client(app, LAN, headers=bearer(accounts.bob_key))
        alice = client(app, LAN, headers=bearer(accounts.alice_key))
        async with bob, alice:
            track = (await track_ids(bob))["a-stereo"]
            for k in range(BUDGET):
                assert (await bob.get(chunk(track, k))).headers["x-cache-source"] == "miss"
            refused = await bob.get(chunk(track, 3))
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "20"
            body = refused.json()
            assert body["type"].endswith("/render-budget-exhausted") and body["retry_after_s"] == 20
            for _ in range(3):  # cached chunks play on, however often
                for k in range(BUDGET):
                    hit = await bob.get(chunk(track, k))
                    assert hit.status_code == 200 and hit.headers["x-cache-source"] != "miss"
            other = await alice.get(chunk(track, 3))  # alice has her own budget
            assert other.status_code == 200 and other.headers["x-cache-source"] == "miss"
            assert (await bob.get(chunk(track, 0, "bright"))).status_code == 429
            clock.tick(19.0)
            assert (await bob.get(chunk(track, 0, "bright"))).status_code == 429
            clock.tick(1.0)
            recovered = await bob.get(chunk(track, 0, "bright"))
            assert recovered.status_code == 200 and recovered.headers["x-cache-source"] == "miss"
        assert app.state.auth.budget.refused == 3


async def test_anonymous_loopback_budgets_are_per_address(settings):
    async with running(settings.with_overrides(render_budget_per_minute=1)) as app:
        first, second = client(app, "127.0.0.1"), client(app, "127.0.0.2")
        async with first, second:
            track = (await track_ids(first))["b-mono"]
            assert (await first.get(chunk(track, 0))).status_code == 200
            assert (await first.get(chunk(track, 1))).status_code == 429
            assert (await second.get(chunk(track, 1))).status_code == 200


async def test_zero_means_no_budget(settings):
    unlimited = settings.with_overrides(render_budget_per_minute=0)
    async with running(unlimited) as app, client(app) as http:
        track = (await track_ids(http))["a-stereo"]
        for preset in ("warm", "bright", "punchy"):
            for k in range(4):
                assert (await http.get(chunk(track, k, preset))).status_code == 200


async def test_a_stream_is_checked_before_it_starts_and_never_cut(settings):
    two = settings.with_overrides(render_budget_per_minute=2)
    async with running(two) as app, client(app) as http:
        track = (await track_ids(http))["b-mono"]  # 3 chunks: one more than the budget
        whole = await http.get(f"/api/tracks/{track}/stream?preset=warm")
        assert whole.status_code == 200 and len(whole.content) > 44
        assert int(whole.headers["content-length"]) == len(whole.content)
        refused = await http.get(f"/api/tracks/{track}/stream?preset=bright")
        assert refused.status_code == 429 and "retry-after" in refused.headers
        again = await http.get(f"/api/tracks/{track}/stream?preset=warm")  # all hits
        assert again.status_code == 200 and again.content == whole.content


async def test_websocket_positions_spend_the_budget_and_stop_warming(settings):
    app = create_app(settings.with_overrides(render_budget_per_minute=BUDGET), make_options())
    async with serve_in_process(app) as server, connect(f"ws://{server}/ws") as ws:
        warmer = app.state.ms.engine.warmer
        track = 1
        await send(ws, "playback_position", track_id=track, position_s=0.0, preset="warm")
        await send(ws, "ping")
        await receive_until(ws, "pong")
        assert warmer.stats()["streams"] == 1  # followed: chunks 0, 1, 2 charged
        await send(ws, "playback_position", track_id=track, position_s=0.0, preset="bright")
        error = await receive_until(ws, "error")
        assert error["data"]["code"] == "render_budget_exhausted"
        assert error["data"]["retry_after_s"] > 0
        assert warmer.stats()["streams"] == 0  # no more warming for this listener
        await send(ws, "ping")
        assert json.loads(json.dumps(await receive_until(ws, "pong")))["type"] == "pong"
