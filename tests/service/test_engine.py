"""The engine with real parts: a real library on disk, SQLite, the real renderer and cache."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import signal

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.encode import WAV_HEADER_BYTES
from masterstream.cache import Lane, Priority
from masterstream.config import Settings
from masterstream.errors import RenderError, SourceUnavailableError
from masterstream.service.engine import Engine
from masterstream.service.plans import PlanStore
from masterstream.service.request import ChunkRequest, PlaybackPosition, Variant


@pytest.fixture
async def engine(tmp_path, demo_library_dir):
    library = tmp_path / "music"
    shutil.copytree(demo_library_dir, library)
    settings = Settings(data_dir=tmp_path / "data", library_dir=library, chunk_duration_s=4.0,
                        render_pool="thread")  # fmt: skip
    engine = await Engine.open(settings)
    yield engine
    await engine.aclose()


async def test_engine_scans_the_library_and_serves_chunks_from_the_cache(engine):
    assert len(engine.library) == 6
    track = engine.library.records()[0]
    data, source = await engine.cache.get_or_render(track.id, 1, "warm", 0.5)
    assert source == "miss"
    again, source = await engine.cache.get_or_render(track.id, 1, "warm", 0.5)
    assert (again, source) == (data, "tier1")
    audio, rate = sf.read(io.BytesIO(data), dtype="int16", always_2d=True)
    assert rate == track.sample_rate and audio.shape == (4 * rate, 2)


async def test_original_chunk_is_the_source_pcm(engine):
    track = engine.library.records()[1]
    data, _ = await engine.cache.get_or_render(track.id, 0, None)
    source, _ = sf.read(track.path, dtype="int16", frames=4 * track.sample_rate, always_2d=True)
    np.testing.assert_array_equal(np.frombuffer(data, "<i2", offset=WAV_HEADER_BYTES)
                                  .reshape(-1, 2), source)  # fmt: skip


async def test_concurrent_first_requests_compute_one_plan_and_one_render(engine):
    track = engine.library.records()[2]
    results = await asyncio.gather(
        *(engine.cache.get_or_render(track.id, 0, "bright", 1.0) for _ in range(8))
    )
    assert len({data for data, _ in results}) == 1
    assert engine.plans.computed == 1
    assert engine.cache.get_stats()["render"]["count"] == 1


async def test_a_file_changed_on_disk_is_refused_and_nothing_is_cached(engine):
    track = engine.library.records()[3]
    with open(track.path, "ab") as f:
        f.write(b"\0")  # new bytes: the scanned signature no longer describes the file
    os.utime(track.path, ns=(1, 1))
    with pytest.raises(SourceUnavailableError, match="changed on disk"):
        await engine.cache.get_or_render(track.id, 0, "warm", 1.0)
    assert await engine.cache.get_chunk(track.id, 0, "warm", 1.0) == (None, "miss")


async def test_a_vanished_file_is_a_clear_error(engine):
    track = engine.library.records()[4]
    os.remove(track.path)
    with pytest.raises(SourceUnavailableError, match="missing or unreadable"):
        await engine.cache.get_or_render(track.id, 0, "punchy", 1.0)


async def test_plans_survive_a_restart_via_the_catalog(tmp_path, demo_library_dir):
    settings = Settings(data_dir=tmp_path / "data", library_dir=demo_library_dir)
    first = await Engine.open(settings)
    try:
        track = first.library.records()[0]
        await first.cache.get_or_render(track.id, 0, "gentle", 1.0)
        assert first.plans.computed == 1
    finally:
        await first.aclose()
    second = await Engine.open(settings)
    try:
        _, source = await second.cache.get_or_render(track.id, 0, "gentle", 1.0)
        assert source == "tier2"  # the disk tier survived the restart
        _, source = await second.cache.get_or_render(track.id, 1, "gentle", 1.0)
        assert source == "miss" and second.plans.computed == 0  # plan came from the catalog
    finally:
        await second.aclose()


async def test_process_pool_survives_a_dead_worker(tmp_path, demo_library_dir):
    settings = Settings(data_dir=tmp_path / "data", library_dir=demo_library_dir,
                        render_pool="process", render_workers=1)  # fmt: skip
    engine = await Engine.open(settings)
    try:
        track = engine.library.records()[0]
        first, _ = await engine.cache.get_or_render(track.id, 0, "warm", 1.0)
        for pid in list(engine.scheduler._pool._processes):  # the worker dies mid-service
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(RenderError, match="worker died"):
            await engine.cache.get_or_render(track.id, 1, "warm", 1.0)
        data, source = await engine.cache.get_or_render(track.id, 1, "warm", 1.0)
        assert source == "miss" and len(data) > 0  # a fresh pool rendered it
        assert (await engine.cache.get_or_render(track.id, 0, "warm", 1.0)) == (first, "tier1")
    finally:
        await engine.aclose()


async def test_prepare_plans_plans_every_track_once_and_skips_bad_files(engine):
    records = engine.library.records()
    os.remove(records[-1].path)  # one track's file vanished: the others are still planned
    presets = ("adaptive", "warm", "punchy")
    assert await engine.prepare_plans(presets) == 3 * (len(records) - 1)
    for preset in presets:
        assert all(engine.plans.cached(r, preset) is not None for r in records[:-1])
    assert await engine.prepare_plans(presets) == 0  # nothing left to do
    computed = engine.plans.computed
    _, source = await engine.cache.get_or_render(records[0].id, 0, "adaptive", 1.0)
    assert source == "miss" and engine.plans.computed == computed  # the plan was ready


async def test_the_warmer_follows_a_listener_in_album_loudness_mode(engine):
    """A listener reporting album mode is warmed with album-mode keys (the album's token is
    the chunk service's to make), not with the track-mode chunks nobody will ask for."""
    track = next(r for r in engine.library.records()
                 if len(engine.library.album_tracks(r.album_id)) > 1)  # fmt: skip
    album = Variant.of("warm", 1.0, "album")
    engine.follow("ann", PlaybackPosition(track.id, 0.0, album, "wav"))
    album_key = engine.chunks.key(ChunkRequest(track.id, 1, album, "wav"))
    assert album_key.loudness.startswith("album-")
    for _ in range(1200):  # the look-ahead chunk, rendered ahead of the playhead
        if engine.cache.keep_hot(album_key):
            break
        await asyncio.sleep(0.1)
    assert engine.cache.keep_hot(album_key)
    track_key = engine.chunks.key(ChunkRequest(track.id, 1, Variant.of("warm"), "wav"))
    assert not engine.cache.cached_in(track_key, "tier1")


async def test_a_background_batch_leaves_out_a_plan_a_listener_is_waiting_for(engine):
    """Each plan is computed once: a batch started while a listener's plan is in flight
    plans the other presets only (in one job), and both end up stored."""
    record = engine.library.records()[0]
    listener = asyncio.create_task(
        engine.renderer.ensure_plan(record, "warm", Priority(Lane.ONDEMAND, 0.0))
    )
    await asyncio.sleep(0)  # the listener's plan is in flight
    background = Priority(Lane.BACKGROUND, 0.0)
    presets = ("warm", "punchy", "bright")
    assert await engine.renderer.prepare_plans(record, presets, background) == 2
    await listener
    assert engine.plans.computed == 3
    assert all(engine.plans.cached(record, p) is not None for p in presets)
    assert await engine.renderer.prepare_plans(record, presets, background) == 0


async def test_a_listener_joins_the_background_batch_that_plans_its_preset(engine):
    """A listener asking for a plan that a background batch is computing waits for that
    batch (hurried up to its lane) rather than planning the preset a second time."""
    record = engine.library.records()[0]
    presets = ("gentle", "punchy", "bright")
    batch = asyncio.create_task(
        engine.renderer.prepare_plans(record, presets, Priority(Lane.BACKGROUND, 0.0))
    )
    for _ in range(5):
        await asyncio.sleep(0)  # the batch's flights are registered
    plan = await engine.renderer.ensure_plan(record, "punchy", Priority(Lane.ONDEMAND, 0.0))
    assert await batch == 3
    assert engine.plans.computed == 3  # each preset once: the listener's came from the batch
    assert engine.plans.cached(record, "punchy") == plan


async def test_background_batches_shrink_to_one_plan_while_listeners_are_active(
    engine, monkeypatch
):
    """A batch holds its worker until every plan in it is done, so while listeners are
    asking for chunks the background plans one preset per job."""
    record = engine.library.records()[0]
    jobs: list[tuple[str, ...]] = []
    run = engine.scheduler.run

    async def recording(fn, *args, **kwargs):
        if kwargs.get("long"):
            jobs.append(args[1])  # the presets planned by this job
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(engine.scheduler, "run", recording)
    background = Priority(Lane.BACKGROUND, 0.0)
    assert not engine.scheduler.listeners_active(2.0)
    await engine.renderer.prepare_plans(record, ("gentle", "warm"), background)
    assert jobs == [("gentle", "warm")]  # quiet: one job, one decode
    await engine.cache.get_or_render(record.id, 0, "gentle", 1.0)  # a listener
    assert engine.scheduler.listeners_active(2.0)
    await engine.renderer.prepare_plans(record, ("bright", "punchy"), background)
    assert jobs[1:] == [("bright",), ("punchy",)]


async def test_plans_in_memory_are_bounded_and_the_catalog_keeps_them_all(engine):
    """Every preset of every track is planned: memory holds the most recently used plans,
    the catalog all of them."""
    engine.plans.memory_plans = 2
    record = engine.library.records()[0]
    presets = ("gentle", "warm", "punchy")
    await engine.renderer.prepare_plans(record, presets, Priority(Lane.BACKGROUND, 0.0))
    assert len(engine.plans._plans) == 2
    planned = {p: engine.plans.cached(record, p) for p in presets}
    assert all(plan is not None for plan in planned.values())
    assert len(engine.plans._plans) == 2
    fresh = PlanStore(engine.catalog)  # a restart: every plan is read back from the catalog
    assert {p: fresh.cached(record, p) for p in presets} == planned


async def test_presets_after_the_first_wait_for_a_lull_in_listeners_requests(engine, monkeypatch):
    engine.scheduler.quiet_s = 0.4
    loop = asyncio.get_running_loop()
    started: dict[str, float] = {}
    run = engine.scheduler.run

    async def recording(fn, *args, **kwargs):
        if kwargs.get("long"):
            for preset in args[1]:
                started.setdefault(preset, loop.time())
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(engine.scheduler, "run", recording)
    track = engine.library.records()[0].id
    await engine.cache.get_or_render(track, 0, None, 1.0)  # a listener, just now
    asked_s = loop.time()
    assert await engine.prepare_plans(("adaptive", "warm")) == 2 * len(engine.library)
    assert started["adaptive"] - asked_s < 0.4  # the first preset does not wait
    assert started["warm"] - asked_s >= 0.4  # the others wait for the lull
