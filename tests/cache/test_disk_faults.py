"""DiskTier on a real failing filesystem (a small tmpfs): full, read-only, then healed.

Failures are counted, the tier degrades after three in a row (logged once), skips writes
while degraded, probes again after its interval (with backoff) and recovers by itself;
delete and clear count only the files they really removed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from masterstream.cache import DiskTier

from ..clock import FakeClock
from ..tmpfs import fill, mounted_tmpfs, remount
from .fakes import chunk_bytes, make_key

CHUNK_BYTES = 200_000
PROBE_S = 30.0


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "mnt", 2_000_000) as path:
        yield path


def tier_on(directory: Path, clock: FakeClock) -> DiskTier:
    return DiskTier(directory, 50_000_000, fsync=True, probe_interval_s=PROBE_S, clock=clock)


def put(tier: DiskTier, index: int) -> bool:
    key = make_key(chunk_index=index)
    return tier.put(key, chunk_bytes(key, CHUNK_BYTES))


def test_a_full_disk_degrades_the_tier_and_freeing_space_recovers_it(
    disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    tier = tier_on(disk / "cache", clock)
    assert put(tier, 0)
    filler = fill(disk, leave_bytes=50_000)
    with caplog.at_level(logging.INFO, logger="masterstream.cache"):
        results = [put(tier, index) for index in range(1, 6)]
        assert results == [False] * 5
        s = tier.stats()
        assert s.degraded and tier.degraded and s.write_errors == 5 and s.chunks == 1
        assert "No space left" in (tier.last_error or "")
        assert not list((disk / "cache").glob("*.tmp")), "failed temp files are removed"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "No space left" in warnings[0].getMessage()

        filler.unlink()  # space is freed; the tier waits for its probe interval
        assert not put(tier, 6) and tier.degraded
        clock.tick(PROBE_S)
        assert put(tier, 7), "the first write after the interval probes and succeeds"
        assert not tier.degraded and tier.stats().chunks == 2
        infos = [r for r in caplog.records if r.levelno == logging.INFO]
        assert len(infos) == 1 and "writable again" in infos[0].getMessage()
    assert tier.get(make_key(chunk_index=7)) == chunk_bytes(make_key(chunk_index=7), CHUNK_BYTES)


def test_failed_probes_back_off_and_a_probe_file_recovery_is_on_probation(disk: Path) -> None:
    clock = FakeClock()
    tier = tier_on(disk / "cache", clock)
    filler = fill(disk, leave_bytes=0)
    for index in range(3):
        assert not put(tier, index)
    assert tier.degraded
    clock.tick(PROBE_S)
    assert tier.probe() is False  # still full: the next probe waits twice as long
    clock.tick(PROBE_S)
    assert tier.probe() is False and tier.degraded  # not due yet: nothing tried
    clock.tick(PROBE_S)
    assert tier.probe() is False
    filler.unlink()
    fill(disk, leave_bytes=100_000)  # room for the probe file, not for a chunk
    clock.tick(4 * PROBE_S)
    assert tier.probe() is True and not tier.degraded
    assert not put(tier, 9)
    assert tier.degraded, "one failed chunk write after a probe-file recovery degrades again"


def test_read_only_clear_reports_what_it_really_removed(
    disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    tier = tier_on(disk / "cache", clock)
    for index in range(3):
        assert put(tier, index)
    remount(disk, read_only=True)
    try:
        with caplog.at_level(logging.WARNING, logger="masterstream.cache"):
            assert tier.clear() == 0
            assert tier.delete(make_key(chunk_index=0)) is False
        assert len(list((disk / "cache").glob("*.chunk"))) == 3
        s = tier.stats()
        assert s.chunks == 3 and s.delete_failures == 4 and s.deletes == 0
        assert "3 of 3 entries could not be removed" in caplog.text
        assert "Read-only file system" in caplog.text
        assert tier.get(make_key(chunk_index=1)) is not None, "what stays on disk stays served"
        assert not put(tier, 5) and not put(tier, 6) and not put(tier, 7)
        assert tier.degraded and "Read-only" in (tier.last_error or "")
    finally:
        remount(disk, read_only=False)
    clock.tick(PROBE_S)
    assert tier.probe() is True and not tier.degraded
    assert tier.clear() == 3
    assert not list((disk / "cache").glob("*.chunk")) and tier.stats().chunks == 0


def test_a_tier_unusable_at_start_recovers_without_a_restart(disk: Path) -> None:
    clock = FakeClock()
    first = tier_on(disk / "cache", clock)
    assert put(first, 0) and put(first, 1)
    remount(disk, read_only=True)
    try:
        tier = tier_on(disk / "cache", clock)  # restarted on a read-only filesystem
        assert tier.degraded and tier.stats().write_errors == 1
        assert tier.get(make_key(chunk_index=0)) is None  # not indexed yet
        assert not put(tier, 2)
    finally:
        remount(disk, read_only=False)
    assert not put(tier, 2) and tier.degraded  # before the interval: not tried
    clock.tick(PROBE_S)
    assert put(tier, 2) and not tier.degraded
    s = tier.stats()
    assert s.recovered == 2 and s.chunks == 3, "the entries already on disk are indexed"
    assert tier.get(make_key(chunk_index=1)) is not None
