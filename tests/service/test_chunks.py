"""The chunk service with real parts: one path for every caller, urgency by deadline,
on-demand chunks never behind plans, and the CLI's file render equal to the server's."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from masterstream.audio.encode import WAV_HEADER_BYTES
from masterstream.cache import Lane, Priority
from masterstream.config import Settings
from masterstream.service.engine import Engine
from masterstream.service.request import ChunkRequest, Variant
from tests.conftest import write_tone


@pytest.fixture
async def engine(tmp_path, demo_library_dir):
    library = tmp_path / "music"
    shutil.copytree(demo_library_dir, library)
    settings = Settings(data_dir=tmp_path / "data", library_dir=library, chunk_duration_s=4.0,
                        render_pool="thread", render_workers=2)  # fmt: skip
    engine = await Engine.open(settings)
    yield engine
    await engine.aclose()


async def test_get_reports_source_key_and_timings(engine):
    track = engine.library.records()[0]
    request = ChunkRequest(track.id, 1, Variant.of("warm", 0.5))
    seen = []
    engine.chunks.observers.append(seen.append)
    first = await engine.chunks.get(request)
    assert first.source == "miss" and first.timings.render_ms > 0
    assert first.key == engine.chunks.key(request) and first.media_type == "audio/wav"
    again = await engine.chunks.get(request)
    assert (again.source, again.data, again.timings.render_ms) == ("tier1", first.data, 0.0)
    assert [r.source for r in seen] == ["miss", "tier1"]


async def test_a_first_chunk_is_due_now_and_a_continuation_one_chunk_later(engine):
    track = engine.library.records()[0]
    service = engine.chunks
    service.clock = lambda: 100.0
    request = ChunkRequest(track.id, 1, Variant.of("bright"))
    assert service._priority(service.key(request)) == Priority(Lane.ONDEMAND, 100.0)  # a seek
    assert service._priority(service.key(request.at(2))) == Priority(Lane.ONDEMAND, 104.0)
    other = ChunkRequest(track.id, 2, Variant.of("warm"))  # another variant: a new start
    assert service._priority(service.key(other)) == Priority(Lane.ONDEMAND, 100.0)


async def test_an_original_chunk_does_not_wait_for_plans(engine):
    """Three presets planned at once for a long track (each plan a long job, too costly to
    take an idle worker) must not delay a chunk that needs no plan: such plans hold at most
    half the workers."""
    records = sorted(engine.library.records(), key=lambda r: r.duration_s)
    longest, other = records[-1], records[0]
    engine.scheduler.overflow_cost_s = 0.0  # as for a long track: no plan may overflow
    plans = [
        asyncio.ensure_future(engine.renderer.ensure_plan(longest, preset, Priority(Lane.ONDEMAND)))
        for preset in ("warm", "bright", "punchy")
    ]
    await asyncio.sleep(0.05)
    assert engine.scheduler.stats.long_running == 1
    result = await engine.chunks.get(ChunkRequest(other.id, 0, Variant.of("original")))
    assert result.source == "miss"
    assert not all(plan.done() for plan in plans)  # the chunk did not queue behind them
    await asyncio.gather(*plans)


async def test_whole_track_warming_goes_through_the_service_into_tier2(engine):
    track = engine.library.records()[1]
    job = ChunkRequest(track.id, 0, Variant.of("gentle", 0.3))
    progress = []

    async def on_progress(request, done, total):
        progress.append((request, done, total))

    engine.warming.on_progress = on_progress
    assert engine.warming.start(job) and not engine.warming.start(job.at(2))  # same job
    while engine.warming.active:
        await asyncio.sleep(0.02)
    await engine.cache.flush()
    count = engine.library.geometry(track).chunk_count
    assert [done for _, done, _ in progress] == list(range(1, count + 1))
    assert all(engine.chunks.cached_source(job.at(k)) != "miss" for k in range(count))
    assert engine.cache.requests == 0  # warming is not a request


def test_the_cli_renders_a_file_with_the_servers_samples(tmp_path):
    """A file rendered by path (an in-memory catalog, another track id) has exactly the
    samples the server streams for the same file from its catalog."""
    music = tmp_path / "music"
    music.mkdir()
    src = write_tone(music / "tone.wav", duration_s=25.0, frequency_hz=330.0)
    out = tmp_path / "c1.wav"
    subprocess.run(
        [sys.executable, "-m", "masterstream", "render", str(src), "--preset", "punchy",
         "--intensity", "0.7", "--chunk", "1", "--out", str(out), "--data-dir",
         str(tmp_path / "cli-data")], check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    cli_pcm, _ = sf.read(out, dtype="int16", always_2d=True)

    async def served() -> bytes:
        settings = Settings(data_dir=tmp_path / "data", library_dir=music, chunk_duration_s=10.0)
        engine = await Engine.open(settings)
        try:
            record = engine.library.records()[0]
            result = await engine.chunks.get(ChunkRequest(record.id, 1, Variant.of("punchy", 0.7)))
            return result.data
        finally:
            await engine.aclose()

    wav = asyncio.run(served())
    server_pcm = np.frombuffer(wav, dtype="<i2", offset=WAV_HEADER_BYTES).reshape(-1, 2)
    np.testing.assert_array_equal(cli_pcm, server_pcm)


async def test_a_repeated_request_gets_the_same_key_until_its_track_changes(engine):
    track = engine.library.records()[0]
    service = engine.chunks
    request = ChunkRequest(track.id, 1, Variant.of("warm", 0.5))
    key = service.key(request)
    assert service.key(ChunkRequest(track.id, 1, Variant.of("warm", 0.5))) is key
    album = ChunkRequest(track.id, 1, Variant.of("warm", 0.5, "album"))
    assert service.key(album).loudness != key.loudness  # album keys are never remembered
    # the file changes and is rescanned: a new record, so a new key with the new signature
    data, rate = sf.read(track.path)
    sf.write(track.path, data * 0.5, rate)
    await asyncio.to_thread(engine.library.scan, engine.settings.effective_library_dir)
    changed = service.key(request)
    assert changed is not key and changed.signature != key.signature
    assert changed.signature == engine.library.get(track.id).signature
