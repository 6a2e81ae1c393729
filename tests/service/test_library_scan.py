"""The background library scan with real parts: files on disk, SQLite, the real scheduler,
renderer and cache. Phases, skipped files, purges, and a track played before its analysis."""

from __future__ import annotations

import asyncio
import logging
import os

import numpy as np
import pytest

from masterstream.config import Settings
from masterstream.library.scanner import scan
from masterstream.service import library_scan
from masterstream.service.engine import Engine
from masterstream.service.scan_status import ScanPhase
from masterstream.service.tracks import fingerprint_file
from tests.conftest import write_tone

pytestmark = pytest.mark.timeout(120)


def make_library(root, count: int = 3):
    root.mkdir()
    for i in range(count):
        write_tone(root / f"tone-{i}.wav", duration_s=1.5 + i * 0.5, frequency_hz=220.0 * (i + 1))
    (root / "broken.wav").write_bytes(np.random.default_rng(1).bytes(3000))
    return root


@pytest.fixture
async def engine(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data", library_dir=make_library(tmp_path / "music"),
        cache_dir=tmp_path / "cache", chunk_duration_s=1.0, render_workers=2,
        render_pool="thread", watch_library=False, rescan_interval_s=0,
    )  # fmt: skip
    engine = await Engine.open(settings, prepare=False)
    yield engine
    await engine.aclose()


async def wait_idle(engine: Engine, timeout_s: float = 60.0) -> dict:
    for _ in range(int(timeout_s / 0.05)):
        status = engine.scanner.status
        if status.scans and status.phase is ScanPhase.IDLE:
            return status.to_dict()
        await asyncio.sleep(0.05)
    raise AssertionError(f"scan still running: {engine.scanner.status.to_dict()}")


async def test_a_scan_indexes_analyses_and_plans_reporting_every_phase(engine, caplog):
    caplog.set_level(logging.INFO, logger="masterstream.library")
    assert len(engine.library) == 0  # opened without scanning: nothing listed yet
    phases: list[str] = []
    engine.scanner.listeners.append(lambda data: phases.append(data["phase"]))
    engine.scanner.start(initial_scan=True, plan_presets=("adaptive", "warm"), watch=False)
    status = await wait_idle(engine)

    assert len(engine.library) == 3
    assert all(r.fingerprint is not None for r in engine.catalog.list_tracks())
    for preset in ("adaptive", "warm"):
        assert all(engine.plans.cached(r, preset) is not None for r in engine.library.records())
    assert status["files_seen"] == status["files_indexed"] == 4
    assert status["files_analysed"] == 3 and status["finished_at"] is not None
    assert [s["path"] for s in status["skipped"]] == [str(engine.scanner.root / "broken.wav")]
    assert status["skipped"][0]["reason"] and status["skipped"][0]["phase"] == "indexing"
    assert phases[0] == "indexing" and phases[-1] == "idle"
    assert "analysing" in phases
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == [
        f"skipped {engine.scanner.root / 'broken.wav'}"
    ]
    assert any("library scan finished: added 3" in r.getMessage() for r in caplog.records)

    await engine.scanner.scan()  # the same broken file again: reported, not logged twice
    await wait_idle(engine)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    assert engine.scanner.status.to_dict()["files_skipped"] == 1


async def test_a_changed_file_is_purged_and_a_fixed_one_is_no_longer_skipped(engine):
    await engine.scanner.scan()
    await wait_idle(engine)
    record = engine.library.records()[0]
    await engine.cache.get_or_render(record.id, 0, None)
    assert engine.cache.tier1.stats().chunks == 1
    root = engine.scanner.root
    write_tone(root / "tone-0.wav", duration_s=2.5, frequency_hz=500.0)
    os.utime(root / "tone-0.wav", ns=(1, 1))
    write_tone(root / "broken.wav", duration_s=1.0)
    summary = await engine.scanner.scan()
    assert (summary["updated"], summary["added"]) == (1, 1) and summary["cleared_entries"] >= 1
    assert engine.cache.tier1.stats().chunks == 0 and engine.cache.tier2.stats().chunks == 0
    assert engine.library.get(record.id).signature != record.signature
    status = await wait_idle(engine)
    assert status["skipped"] == [] and len(engine.library) == 4


async def test_a_track_played_before_its_analysis_is_measured_once_and_skipped(engine, monkeypatch):
    measured: list[str] = []

    def counting(path):
        measured.append(path.name)
        return fingerprint_file(path)

    monkeypatch.setattr(library_scan, "fingerprint_file", counting)
    await asyncio.to_thread(scan, engine.catalog, engine.scanner.root)  # index only
    engine.library.reload()
    played = next(r for r in engine.library.records() if r.path.endswith("tone-1.wav"))
    assert played.fingerprint is None
    await engine.cache.get_or_render(played.id, 0, "adaptive", 1.0)  # measured on demand
    stored = engine.catalog.get_track(played.id).fingerprint
    assert stored is not None
    expected = fingerprint_file(engine.scanner.root / "tone-1.wav")
    assert stored.keys() == expected.keys()
    for name, value in expected.items():
        assert stored[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name

    engine.scanner.plan_presets = ()  # analysis alone: fingerprints, no plans
    await engine.scanner.scan()
    status = await wait_idle(engine)
    assert sorted(measured) == ["tone-0.wav", "tone-2.wav"]  # the played one is skipped
    assert status["files_analysed"] == 2
    assert all(r.fingerprint is not None for r in engine.catalog.list_tracks())


async def test_a_folder_the_first_scan_creates_is_watched_once_it_exists(tmp_path, monkeypatch):
    """The demo library's folder is made by the first scan (synthesis): the watcher waits
    for that scan instead of finding no folder and giving up, and a file added afterwards
    is picked up without a rescan."""
    root = tmp_path / "not-yet"
    settings = Settings(
        data_dir=tmp_path / "data", library_dir=root, cache_dir=tmp_path / "cache",
        chunk_duration_s=1.0, render_workers=2, watch_quiet_s=0.05, rescan_interval_s=0,
    )  # fmt: skip
    engine = await Engine.open(settings, prepare=False)
    scanner = engine.scanner
    scan = scanner.scan

    async def first_scan(paths=None, *, synthesise=False):
        if synthesise:  # as the demo synthesis does: the folder appears during the scan
            await asyncio.sleep(0.2)
            make_library(root, count=1)
        return await scan(paths, synthesise=synthesise)

    monkeypatch.setattr(scanner, "scan", first_scan)
    try:
        scanner.start(initial_scan=True, plan_presets=(), watch=True)
        await asyncio.wait_for(scanner.watching.wait(), 30)
        assert len(engine.library) == 1
        write_tone(root / "late.wav", duration_s=1.0)
        for _ in range(400):
            if len(engine.library) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(engine.library) == 2
    finally:
        await engine.aclose()
