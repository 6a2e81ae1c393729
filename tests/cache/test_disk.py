"""DiskTier specifics: verified reads, restart persistence, crash safety, degradation."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from masterstream.cache import DiskTier
from masterstream.cache.entry_file import HEADER

from .fakes import chunk_bytes, make_key

REPO_ROOT = Path(__file__).resolve().parents[2]


def filled_tier(directory: Path, count: int = 3, size_bytes: int = 4000) -> DiskTier:
    tier = DiskTier(directory, 1_000_000, fsync=False)
    for index in range(count):
        key = make_key(chunk_index=index)
        assert tier.put(key, chunk_bytes(key, size_bytes))
    return tier


def test_entry_files_are_named_by_digest_and_hold_header_key_payload(tmp_path: Path) -> None:
    tier = filled_tier(tmp_path, count=1)
    key = make_key()
    path = tier.path_for(key)
    assert path.name == f"{key.digest}.chunk"
    raw = path.read_bytes()
    assert len(raw) == HEADER.size + len(key.to_str()) + 4000
    assert raw.endswith(chunk_bytes(key, 4000))


@pytest.mark.parametrize("damage", ["flip_payload_byte", "flip_header_byte", "truncate", "append"])
def test_a_damaged_entry_is_never_served_and_is_counted(tmp_path: Path, damage: str) -> None:
    tier = filled_tier(tmp_path)
    key = make_key(chunk_index=1)
    path = tier.path_for(key)
    raw = bytearray(path.read_bytes())
    if damage == "flip_payload_byte":
        raw[-100] ^= 0x01
    elif damage == "flip_header_byte":
        raw[10] ^= 0xFF
    elif damage == "truncate":
        raw = raw[:-1]
    else:
        raw += b"\0"
    path.write_bytes(bytes(raw))
    assert tier.get(key) is None
    s = tier.stats()
    assert (s.corrupt_reads, s.misses, s.hits, s.chunks) == (1, 1, 0, 2)
    assert not path.exists()
    assert tier.get(make_key(chunk_index=0)) == chunk_bytes(make_key(chunk_index=0), 4000)


def test_an_entry_deleted_behind_the_tiers_back_is_a_plain_miss(tmp_path: Path) -> None:
    tier = filled_tier(tmp_path)
    key = make_key(chunk_index=2)
    tier.path_for(key).unlink()
    assert tier.get(key) is None
    s = tier.stats()
    assert (s.corrupt_reads, s.misses, s.chunks) == (0, 1, 2)


def test_entries_survive_a_restart_in_recency_order(tmp_path: Path) -> None:
    first = filled_tier(tmp_path, count=4)
    for index in range(4):  # make file ages distinct: chunk 0 oldest
        os.utime(first.path_for(make_key(chunk_index=index)), (1000 + index, 1000 + index))
    size = first.stats().size_bytes // 4
    second = DiskTier(tmp_path, capacity_bytes=4 * size, fsync=False, policy="lru")
    s = second.stats()
    assert (s.recovered, s.inserts, s.chunks) == (4, 0, 4)
    key = make_key(chunk_index=3)
    assert second.get(key) == chunk_bytes(key, 4000)
    second.put(make_key(chunk_index=9), chunk_bytes(make_key(chunk_index=9), 4000))
    assert make_key(chunk_index=0) not in second  # the oldest file was the LRU victim


def test_restart_deletes_temp_files_and_corrupt_entries_and_enforces_capacity(
    tmp_path: Path,
) -> None:
    first = filled_tier(tmp_path, count=5)
    size = first.stats().size_bytes // 5
    (tmp_path / ".leftover.chunk.abc.tmp").write_bytes(b"half a chunk")
    victim = first.path_for(make_key(chunk_index=4))
    victim.write_bytes(victim.read_bytes()[:50])
    (tmp_path / "notes.txt").write_text("not ours, left alone")
    second = DiskTier(tmp_path, capacity_bytes=2 * size, fsync=False)
    s = second.stats()
    assert s.chunks == 2 and s.size_bytes <= 2 * size
    assert s.corrupt_reads == 1 and s.evictions == 2
    assert not list(tmp_path.glob("*.tmp"))
    assert (tmp_path / "notes.txt").exists()
    assert len(list(tmp_path.glob("*.chunk"))) == 2


def test_an_unusable_directory_degrades_to_misses_without_raising(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache directory should be")
    tier = DiskTier(blocker / "cache", 1_000_000)
    key = make_key()
    assert tier.degraded
    assert tier.put(key, b"data") is False
    assert tier.get(key) is None
    s = tier.stats()
    assert s.degraded and s.write_errors == 2 and s.chunks == 0 and s.misses == 1


def test_a_failing_write_is_counted_and_not_stored(tmp_path: Path) -> None:
    tier = DiskTier(tmp_path / "cache", 1_000_000, fsync=False)
    (tmp_path / "cache").rename(tmp_path / "gone")  # the directory vanishes under the tier
    assert tier.put(make_key(), b"data") is False
    s = tier.stats()
    assert s.write_errors == 1 and s.chunks == 0 and s.inserts == 0


def test_killed_mid_write_restart_serves_nothing_corrupt(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    kills = torn_writes = rounds = 0
    while torn_writes < 3 and rounds < 15:  # until three kills landed mid-write
        round_index = rounds
        rounds += 1
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.cache.crash_writer", str(directory), str(round_index)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.02, 0.3))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
        kills += child.returncode == -signal.SIGKILL
        torn_writes += any(directory.glob("*.tmp"))
        tier = DiskTier(directory, capacity_bytes=3_000_000, fsync=False)
        assert not list(directory.glob("*.tmp")), "leftover temp files after restart"
        for key in tier.keys(track_id=None):
            value = tier.get(key)
            assert value is not None and value == chunk_bytes(key, len(value))
        s = tier.stats()
        assert s.corrupt_reads == 0 and s.size_bytes <= 3_000_000 and s.chunks > 0
    assert kills == rounds
    assert torn_writes >= 3, "no kill landed mid-write: the test did not test anything"
