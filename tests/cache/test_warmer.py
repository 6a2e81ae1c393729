"""The warmer on a simulated clock: real-time playback is all hits after the first chunk,
the look-ahead lands in tier1, the next chunks past it (or the whole track) in tier2, a
seek redirects it, its renders carry their lanes."""

from __future__ import annotations

import asyncio

import pytest

from masterstream.cache import ChunkCache, Lane, MemoryTier, Warmer
from masterstream.cache.memory import ENTRY_OVERHEAD_BYTES

from .fakes import FakeRender, FakeResolver, SimClock

CHUNK_BYTES = 10_000
CHUNK_S = 10.0
RENDER_S = 2.0  # simulated render time: five times faster than real time
TRACK_CHUNKS = 8


class Harness:
    """A cache and the warmer that follows its listeners, as the engine wires them."""

    def __init__(
        self, clock: SimClock, render: FakeRender, policy: str, tier1_chunks: int,
        fill_chunks: int | None = 4,
    ) -> None:  # fmt: skip
        tier1 = MemoryTier(tier1_chunks * (CHUNK_BYTES + ENTRY_OVERHEAD_BYTES), policy=policy)
        tier2 = MemoryTier(10_000_000, policy=policy, name="tier2")
        self.cache = ChunkCache(
            tier1, tier2, resolver=FakeResolver({1: TRACK_CHUNKS, 2: TRACK_CHUNKS}, CHUNK_S),
            render=render, pipeline_version="1", clock=clock,
        )  # fmt: skip
        self.warmer = Warmer(self.cache, clock=clock, sleep=clock.sleep, fill_chunks=fill_chunks)
        self.cache.warmer_stats = self.warmer.stats

    def play(self, track_id, position_s, preset=None, intensity=1.0, listener=None) -> None:
        self.warmer.update(track_id, position_s, preset, intensity, "wav", listener)

    async def aclose(self) -> None:
        await self.warmer.aclose()
        await self.cache.aclose()


def build(
    clock: SimClock, render: FakeRender, policy: str, tier1_chunks: int = 4,
    fill_chunks: int | None = 4,
) -> Harness:  # fmt: skip
    return Harness(clock, render, policy, tier1_chunks, fill_chunks)


@pytest.mark.parametrize(
    "policy, served_from",
    [
        ("lru", {"tier1"}),
        # S3-FIFO's probationary queue (10 % of 4 chunks) is smaller than one chunk, so a
        # prefetched chunk can be evicted before it plays; tier2 still has it.
        ("s3fifo", {"tier1", "tier2"}),
    ],
)
async def test_real_time_playback_is_all_hits_after_the_first_chunk(
    policy: str, served_from: set[str]
) -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=RENDER_S)
    h = build(clock, render, policy)
    try:
        h.play(1, 0.0, "warm", 0.5)  # reported once; the warmer extrapolates
        first = asyncio.ensure_future(h.cache.get_or_render(1, 0, "warm", 0.5))
        await clock.advance(RENDER_S)
        assert (await first)[1] == "miss"
        sources = []
        for index in range(1, TRACK_CHUNKS):
            await clock.advance(CHUNK_S)
            data, source = await h.cache.get_chunk(1, index, "warm", 0.5)
            sources.append(source)
            assert data is not None
        assert set(sources) <= served_from
        assert sum(render.calls.values()) == TRACK_CHUNKS  # every chunk rendered exactly once
        status = h.cache.track_status(1, "warm", 0.5)
        assert status["fully_cached"] and status["cached_processed"] == TRACK_CHUNKS
        cached = h.cache.cached_keys(1)  # each chunk in one tier (tier1's victims in tier2)
        assert len(cached) == len(set(cached)) == TRACK_CHUNKS
    finally:
        await h.aclose()


@pytest.mark.parametrize(
    "fill_chunks, expected",
    [
        (4, [3, 4, 5, 6, 7, 0, 1]),  # playhead and look-ahead, then 4 more (wrapping)
        (None, [3, 4, 5, 6, 7, 0, 1, 2]),  # the whole track
        (0, [3, 4, 5]),  # look-ahead only
    ],
)
async def test_the_warmer_fills_tier2_then_idles(fill_chunks, expected) -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=0.5)
    h = build(clock, render, "lru", tier1_chunks=3, fill_chunks=fill_chunks)
    try:
        h.play(1, 35.0)  # start in chunk 3; the renders end before the playhead leaves it
        await clock.advance(0.5 * TRACK_CHUNKS)
        assert h.warmer.idle
        rendered = [key.chunk_index for key in render.calls]
        assert rendered == expected  # playhead and look-ahead first
        assert sorted(k.chunk_index for k in h.cache.tier1.keys(1)) == expected[:3]
        assert sorted(k.chunk_index for k in h.cache.tier2.keys(1)) == sorted(expected[3:])
        assert h.cache.get_stats()["warmer"]["fill_jobs"] == len(expected) - 3
        await clock.advance(12.0)  # playback goes on into chunk 5: the window follows it
        playhead_chunk = int((35.0 + clock.now_s) // CHUNK_S)
        assert playhead_chunk == 5
        hot = sorted(k.chunk_index for k in h.cache.tier1.keys(1))
        assert hot == [playhead_chunk, playhead_chunk + 1, playhead_chunk + 2]
        if fill_chunks == 4:  # past the end it wraps to the start: chunk 2 is filled now
            assert [key.chunk_index for key in render.calls][len(expected) :] == [2]
    finally:
        await h.aclose()


async def test_a_seek_redirects_the_warmer_and_drops_stale_work() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=RENDER_S)
    h = build(clock, render, "lru")
    try:
        h.play(1, 0.0)
        await clock.advance(RENDER_S / 2)  # chunk 0 is rendering
        h.play(1, 60.0)  # seek to chunk 6
        await clock.advance(RENDER_S * 3)
        rendered = [key.chunk_index for key in render.calls]
        assert rendered[:3] == [0, 6, 7]  # in-flight chunk 0 completes, then the new playhead
        h.play(2, 0.0, "bright", 0.3)  # another track
        await clock.advance(RENDER_S * 2)
        assert [(k.track_id, k.chunk_index) for k in render.calls][-2:] == [(2, 0), (2, 1)]
        assert h.cache.get_stats()["warmer"]["generation"] == 3
    finally:
        await h.aclose()


async def test_look_ahead_and_fill_renders_carry_their_lanes_and_deadlines() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=0.1)
    h = build(clock, render, "lru")
    try:
        h.play(1, 25.0)  # in chunk 2, 5 s before chunk 3 starts
        await clock.advance(0.1 * TRACK_CHUNKS)
        by_index = {key.chunk_index: priority for key, priority in render.priorities.items()}
        assert {i for i, p in by_index.items() if p.lane == Lane.LOOKAHEAD} == {2, 3, 4}
        assert {i for i, p in by_index.items() if p.lane == Lane.WARM} == {5, 6, 7, 0}
        assert by_index[2].deadline_s == 0.0  # the chunk under the playhead is due now
        assert by_index[3].deadline_s == pytest.approx(5.0, abs=0.2)  # when the playhead gets there
    finally:
        await h.aclose()


async def test_a_listener_request_joining_a_queued_warmer_render_promotes_it() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES)
    render.gate = asyncio.Event()
    h = build(clock, render, "lru")
    try:
        h.play(1, 0.0)
        await clock.settle()
        key = h.cache.make_key(1, 0)
        assert render.priorities[key].lane == Lane.LOOKAHEAD
        on_demand = asyncio.ensure_future(h.cache.get_or_render(1, 0))
        await clock.settle()
        assert [(k, p.lane) for k, p in render.promotions] == [(key, Lane.ONDEMAND)]
        render.gate.set()
        assert (await on_demand)[1] == "miss"
        assert render.calls[key] == 1  # joined, not rendered twice
    finally:
        await h.aclose()


async def test_aclose_stops_the_warmer_cleanly() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=RENDER_S)
    h = build(clock, render, "lru")
    h.play(1, 0.0)
    await clock.settle()
    assert h.cache.get_stats()["warmer"]["running"]
    await h.aclose()
    assert not h.cache.get_stats()["warmer"]["running"]
    await clock.advance(100.0)
    assert sum(render.calls.values()) == 1  # nothing rendered after shutdown


async def test_two_listeners_each_get_their_next_chunks_hot() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=0.5)
    h = build(clock, render, "lru", tier1_chunks=8)
    try:
        h.play(1, 0.0, listener="ann")
        h.play(2, 20.0, "warm", 0.5, listener="bob")
        await clock.advance(0.5 * 6)  # six renders (three hot chunks each), no boundary crossed
        hot = sorted((k.track_id, k.chunk_index) for k in h.cache.tier1.keys(track_id=None))
        assert hot == [(1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (2, 4)]
        assert h.cache.get_stats()["warmer"]["streams"] == 2
        # bob's report came last, so his chunks were rendered first
        assert [k.track_id for k in render.calls][:3] == [2, 2, 2]
    finally:
        await h.aclose()


async def test_a_stream_ends_with_its_track() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=RENDER_S)
    h = build(clock, render, "lru")
    try:
        h.play(1, 0.0)
        await clock.advance(CHUNK_S * TRACK_CHUNKS + 1.0)
        assert h.cache.get_stats()["warmer"]["streams"] == 0
        assert h.warmer.idle
    finally:
        await h.aclose()


async def test_only_the_most_recent_stream_is_filled_into_tier2() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=0.5)
    h = build(clock, render, "lru", tier1_chunks=8)
    try:
        h.play(1, 0.0, listener="ann")
        h.play(2, 0.0, listener="bob")
        await clock.advance(0.5 * (3 + 7))  # ann's 3 hot chunks + bob's 3 hot and 4 filled
        assert h.warmer.idle
        assert sorted(k.chunk_index for k in h.cache.tier1.keys(2)) == [0, 1, 2]
        assert sorted(k.chunk_index for k in h.cache.tier2.keys(2)) == [3, 4, 5, 6]
        assert sorted(k.chunk_index for k in h.cache.tier1.keys(1)) == [0, 1, 2]
        assert h.cache.tier2.keys(1) == []  # look-ahead only: ann's stream is not the newest
    finally:
        await h.aclose()


async def test_a_listener_who_leaves_is_no_longer_warmed() -> None:
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=RENDER_S)
    h = build(clock, render, "lru")
    try:
        h.play(1, 0.0, "warm", 1.0, listener="alice")
        await clock.advance(RENDER_S)  # the first look-ahead chunk is rendered
        rendered_before = sum(render.calls.values())
        assert rendered_before >= 1
        h.warmer.forget("alice")
        await clock.advance(RENDER_S * TRACK_CHUNKS)
        assert sum(render.calls.values()) <= rendered_before + 1  # at most the one in flight
        assert h.warmer.idle and h.cache.get_stats()["warmer"]["streams"] == 0
        h.warmer.forget("nobody")  # unknown listeners are fine
    finally:
        await h.aclose()


@pytest.mark.parametrize(
    ("retention_s", "hot", "filled"),
    [
        (float("inf"), {2, 3, 4}, {5, 6, 7, 0}),  # nothing evicted: look-ahead and fill
        (60.0, {2, 3, 4}, {5}),  # chunks due within 30 s: 3 (5 s), 4 (15 s), 5 (25 s)
        (22.0, {2, 3}, set()),  # within 11 s: chunk 3 only; none to fill, none behind
        (6.0, {2}, set()),  # within 3 s: only the chunk under the playhead
    ],
)
async def test_the_warmer_renders_ahead_only_what_the_cache_will_still_hold(
    retention_s: float, hot: set[int], filled: set[int]
) -> None:
    """A chunk due later than half the cache's retention time would be evicted before
    its listener asks for it, and rendered twice: the warmer leaves it to the request."""
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=0.1)
    h = build(clock, render, "lru")
    h.cache.retention_s = lambda: retention_s  # type: ignore[method-assign]
    try:
        h.play(1, 25.0)  # in chunk 2, 5 s before chunk 3 starts
        await clock.advance(0.1 * TRACK_CHUNKS)
        assert h.warmer.idle
        by_index = {key.chunk_index: priority for key, priority in render.priorities.items()}
        assert {i for i, p in by_index.items() if p.lane == Lane.LOOKAHEAD} == hot
        assert {i for i, p in by_index.items() if p.lane == Lane.WARM} == filled
    finally:
        await h.aclose()


async def test_the_chunk_a_listener_is_playing_is_not_rendered_again() -> None:
    """Past the chunk where play was pressed, the chunk under the playhead is in the
    player's hands: if the cache let it go, the warmer does not render it again."""
    clock = SimClock()
    render = FakeRender(CHUNK_BYTES, sleep=clock.sleep, delay_s=0.1)
    h = build(clock, render, "lru", fill_chunks=0)
    try:
        h.play(1, 25.0)  # pressed play in chunk 2: chunk 2 and the next two are warmed
        await clock.advance(1.0)
        assert sorted(k.chunk_index for k in render.calls) == [2, 3, 4]
        for key in [k for k in h.cache.tier1.keys(1) if k.chunk_index in (2, 3)]:
            h.cache.tier1.delete(key)  # the cache let chunks 2 and 3 go
        await clock.advance(10.0)  # now playing chunk 3
        h.play(1, 36.0)
        await clock.advance(1.0)
        renders = {k.chunk_index: n for k, n in render.calls.items()}
        assert renders == {2: 1, 3: 1, 4: 1, 5: 1}  # 5, and not 3 again
        h.play(1, 12.0)  # a seek back into chunk 1: that chunk is needed now
        await clock.advance(1.0)
        renders = {k.chunk_index: n for k, n in render.calls.items()}
        assert renders == {1: 1, 2: 2, 3: 2, 4: 1, 5: 1}
    finally:
        await h.aclose()
