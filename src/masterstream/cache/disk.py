"""Tier 2: chunks as files under a cache directory, bounded by bytes on disk.

Design notes. Every entry is one file named by its key's digest (``<digest>.chunk``,
format in :mod:`.entry_file`). A write goes to a uniquely named temp file in the same
directory, is fsynced and then ``os.replace``-d over the final name, so a reader (or a
process restarted after a crash) sees either the whole old state or the whole new entry.
Every read checks magic, exact length, key and CRC-32; a bad entry is deleted, counted in
``corrupt_reads`` and reported as a miss. On start-up the index is rebuilt from the
directory (oldest file first, so recency survives a restart), leftover temp files are
deleted and capacity is enforced.

All methods block (file I/O) and are thread-safe: the cache manager calls them through
``asyncio.to_thread``. One lock guards the index and the rename/unlink steps; payload
reads, writes and fsyncs happen outside it. If the directory cannot be created or
written, or ``failure_threshold`` writes in a row fail (a full disk, a read-only or
failing filesystem), the tier is *degraded* (:mod:`.write_health`): it keeps serving what it
holds, stores nothing and counts every write it skips in ``write_errors``; after
``probe_interval_s`` (doubling while probes fail) the next write, or :meth:`DiskTier.probe`,
tries again and recovers the tier when the filesystem is writable again. ``delete`` and
``clear`` count only files really unlinked; a file that could not be removed stays indexed
(it is still there) and is counted in ``delete_failures``. Nothing raises to the caller.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from .entry_file import (
    ENTRY_SUFFIX,
    TEMP_SUFFIX,
    CorruptEntryError,
    encode_header,
    entry_size_bytes,
    read_entry,
    scan_directory,
    write_new_file,
)
from .keys import ChunkKey
from .ledger import TierLedger
from .policies import EvictionPolicy
from .tier import TierStats
from .write_health import DEFAULT_FAILURE_THRESHOLD, DEFAULT_PROBE_AFTER_S, WriteHealth

log = logging.getLogger(__name__)

DEFAULT_TIER2_CAPACITY_BYTES = 240_000_000
PROBE_BYTES = b"\0" * 65_536


class DiskTier:
    """Byte-bounded, crash-safe, verified on-disk tier that survives restarts."""

    blocking = True

    def __init__(
        self,
        directory: str | os.PathLike[str],
        capacity_bytes: int = DEFAULT_TIER2_CAPACITY_BYTES,
        *,
        policy: EvictionPolicy | str = "default",
        fsync: bool = True,
        name: str = "tier2",
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        probe_interval_s: float = DEFAULT_PROBE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.directory = Path(directory)
        self.fsync = fsync
        self.health = WriteHealth(name, failure_threshold=failure_threshold,
                                  probe_after_s=probe_interval_s, clock=clock)  # fmt: skip
        self._ledger = TierLedger(name, capacity_bytes, policy)
        self._lock = threading.Lock()
        self._opened = False
        try:
            self._open()
        except OSError as exc:
            self._ledger.write_errors += 1
            self.health.trip(f"cache directory {self.directory} unusable: {exc}")

    @property
    def degraded(self) -> bool:
        """True while writes are skipped (until a probe write succeeds)."""
        return self.health.degraded

    @property
    def last_error(self) -> str | None:
        return self.health.reason

    @property
    def capacity_bytes(self) -> int:
        return self._ledger.capacity_bytes

    @property
    def policy(self) -> EvictionPolicy:
        """The policy choosing this tier's victims."""
        return self._ledger.policy

    def path_for(self, key: ChunkKey) -> Path:
        return self.directory / f"{key.digest}{ENTRY_SUFFIX}"

    # --- reads -------------------------------------------------------------------------

    def get(self, key: ChunkKey) -> bytes | None:
        return self._read(key, count=True)

    def peek(self, key: ChunkKey) -> bytes | None:
        return self._read(key, count=False)

    def _read(self, key: ChunkKey, *, count: bool) -> bytes | None:
        ledger = self._ledger
        with self._lock:
            present = key in ledger.sizes
            if not present and count:
                ledger.misses += 1
        if not present:
            return None
        try:
            payload = read_entry(self.path_for(key), key)
        except (OSError, CorruptEntryError) as exc:
            with self._lock:
                if not isinstance(exc, FileNotFoundError):
                    ledger.corrupt_reads += 1
                    self._unlink(self.path_for(key))
                ledger.remove(key)
                if count:
                    ledger.misses += 1
            return None
        with self._lock:
            if count:
                ledger.hit(key)
        return payload

    def touch(self, key: ChunkKey) -> bool:
        with self._lock:
            if key not in self._ledger.sizes:
                return False
            self._ledger.policy.on_access(key)
            return True

    # --- writes ------------------------------------------------------------------------

    def put(self, key: ChunkKey, value: bytes) -> bool:
        if type(value) is not bytes:
            raise TypeError(f"tiers store immutable bytes, got {type(value).__name__}")
        ledger = self._ledger
        size = entry_size_bytes(key, value)
        with self._lock:
            if not ledger.fits(size):
                ledger.rejected += 1
                return False
            if not self.health.allow():
                ledger.write_errors += 1  # degraded: not tried
                return False
            if not self._opened:  # degraded since start: this write probes the directory
                try:
                    self._open()
                except OSError as exc:
                    self._write_failed(f"cache directory {self.directory} unusable: {exc}")
                    return False
        final = self.path_for(key)
        temp = self.directory / f".{final.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}"
        try:
            write_new_file(temp, encode_header(key, value), value, fsync=self.fsync)
        except OSError as exc:
            self._unlink(temp)
            with self._lock:
                self._write_failed(f"write {temp}: {exc}")
            return False
        with self._lock:
            for victim, _ in ledger.make_room(size, replacing=key):
                if victim != key:
                    self._unlink(self.path_for(victim))
            try:
                os.replace(temp, final)
            except OSError as exc:
                self._unlink(temp)
                self._write_failed(f"rename {temp}: {exc}")
                if ledger.remove(key) is not None:  # the old file may be gone now
                    self._unlink(final)
                return False
            ledger.add(key, size)
            self.health.success()
        return True

    def resize(self, capacity_bytes: int) -> int:
        """A new byte bound, evicting down to it now; returns entries evicted."""
        with self._lock:
            victims = self._ledger.resize(capacity_bytes)
            for victim, _ in victims:
                self._unlink(self.path_for(victim))
        return len(victims)

    def _write_failed(self, reason: str) -> None:
        self._ledger.write_errors += 1
        self.health.failure(reason)

    def delete(self, key: ChunkKey) -> bool:
        """Unlink ``key``'s file; False if absent or if the file could not be removed."""
        with self._lock:
            return self._delete_locked([key] if key in self._ledger.sizes else [], "delete") == 1

    def clear(self) -> int:
        """Unlink every entry's file; returns how many were really removed."""
        with self._lock:
            return self._delete_locked(self._ledger.keys(), "clear")

    def _delete_locked(self, keys: list[ChunkKey], action: str) -> int:
        removed, failed, error = 0, 0, None
        for key in keys:
            try:
                os.unlink(self.path_for(key))
            except FileNotFoundError:
                pass  # already gone: the bytes are not on disk
            except OSError as exc:
                failed, error = failed + 1, exc
                continue
            self._ledger.remove(key)
            removed += 1
        if failed:
            self._ledger.delete_failures += failed
            log.warning("%s %s: %d of %d entries could not be removed from %s: %s",
                        self.name, action, failed, len(keys), self.directory, error)  # fmt: skip
        return removed

    # --- index -------------------------------------------------------------------------

    def keys(self, track_id: int | None = None) -> list[ChunkKey]:
        with self._lock:
            return self._ledger.keys(track_id)

    def track_ids(self) -> list[int]:
        with self._lock:
            return list(self._ledger.by_track)

    def __contains__(self, key: object) -> bool:
        return key in self._ledger.sizes

    def __len__(self) -> int:
        return len(self._ledger.sizes)

    def stats(self) -> TierStats:
        with self._lock:
            return self._ledger.stats(degraded=self.degraded)

    # --- start-up and probes -------------------------------------------------------------

    def probe(self) -> bool:
        """If degraded and a probe is due, try the directory with a small file (opening it
        first when it was unusable at start); True if the tier stores again."""
        with self._lock:
            if not self.degraded:
                return True
            if not self.health.allow():
                return False
            try:
                if self._opened:
                    self._probe_writable()
                else:
                    self._open()
            except OSError as exc:
                self.health.failure(f"probe of {self.directory}: {exc}")
                return False
            self.health.success(probe_file=True)
            return True

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._probe_writable()
        self._recover()
        self._opened = True

    def _probe_writable(self) -> None:
        """Write, sync and remove a small file (an empty one fits on a full disk)."""
        probe = self.directory / f".probe.{uuid.uuid4().hex}{TEMP_SUFFIX}"
        try:
            write_new_file(probe, PROBE_BYTES, b"", fsync=self.fsync)
        finally:
            self._unlink(probe)

    def _recover(self) -> None:
        """Rebuild the index from the directory: drop temp and corrupt files, keep order."""
        found = scan_directory(self.directory)
        for path in found.leftovers:
            self._unlink(path)
        for path in found.corrupt:
            self._ledger.corrupt_reads += 1
            self._unlink(path)
        ledger = self._ledger
        for key, size in found.entries:
            if not ledger.fits(size):
                self._unlink(self.path_for(key))
                continue
            for victim, _ in ledger.make_room(size):
                self._unlink(self.path_for(victim))
            ledger.add(key, size, recovered=True)

    @staticmethod
    def _unlink(path: Path) -> None:
        try:
            os.unlink(path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                log.debug("could not remove %s: %s", path, exc)
