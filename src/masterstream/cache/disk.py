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
written, the tier is *degraded*: it serves misses, stores nothing and counts the error;
a failed write (e.g. a full disk) is counted and reported as not stored. Nothing raises
to the caller.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from pathlib import Path

from .entry_file import (
    ENTRY_SUFFIX,
    TEMP_SUFFIX,
    CorruptEntryError,
    encode_header,
    entry_size_bytes,
    read_entry,
    read_head,
)
from .keys import ChunkKey
from .ledger import TierLedger
from .policies import EvictionPolicy
from .tier import TierStats

DEFAULT_TIER2_CAPACITY_BYTES = 240_000_000


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
    ) -> None:
        self.name = name
        self.directory = Path(directory)
        self.fsync = fsync
        self.degraded = False
        self.last_error: str | None = None
        self._ledger = TierLedger(name, capacity_bytes, policy)
        self._lock = threading.Lock()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._probe_writable()
            self._recover()
        except OSError as exc:
            self._degrade(exc)

    @property
    def capacity_bytes(self) -> int:
        return self._ledger.capacity_bytes

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
            if self.degraded:
                ledger.write_errors += 1
                return False
            if not ledger.fits(size):
                ledger.rejected += 1
                return False
        final = self.path_for(key)
        temp = self.directory / f".{final.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}"
        try:
            self._write_temp(temp, encode_header(key, value), value)
        except OSError as exc:
            self._unlink(temp)
            with self._lock:
                ledger.write_errors += 1
                self.last_error = f"write {temp}: {exc}"
            return False
        with self._lock:
            for victim, _ in ledger.make_room(size, replacing=key):
                if victim != key:
                    self._unlink(self.path_for(victim))
            try:
                os.replace(temp, final)
            except OSError as exc:
                self._unlink(temp)
                ledger.write_errors += 1
                self.last_error = f"rename {temp}: {exc}"
                if ledger.remove(key) is not None:  # the old file may be gone now
                    self._unlink(final)
                return False
            ledger.add(key, size)
        return True

    def _write_temp(self, temp: Path, head: bytes, payload: bytes) -> None:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with open(fd, "wb", closefd=False) as handle:
                handle.write(head)
                handle.write(payload)
                handle.flush()
                if self.fsync:
                    os.fsync(fd)
        finally:
            os.close(fd)

    def delete(self, key: ChunkKey) -> bool:
        with self._lock:
            if self._ledger.remove(key) is None:
                return False
            self._unlink(self.path_for(key))
            return True

    def clear(self) -> int:
        with self._lock:
            keys = self._ledger.clear()
            for key in keys:
                self._unlink(self.path_for(key))
            return len(keys)

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

    # --- start-up ----------------------------------------------------------------------

    def _probe_writable(self) -> None:
        probe = self.directory / f".probe.{uuid.uuid4().hex}{TEMP_SUFFIX}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.close(fd)
        os.unlink(probe)

    def _recover(self) -> None:
        """Rebuild the index from the directory: drop temp and corrupt files, keep order."""
        found: list[tuple[float, ChunkKey, int]] = []
        for entry in os.scandir(self.directory):
            if not entry.is_file(follow_symlinks=False):
                continue
            path = Path(entry.path)
            if entry.name.endswith(TEMP_SUFFIX):
                self._unlink(path)
                continue
            if not entry.name.endswith(ENTRY_SUFFIX):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
                with open(path, "rb") as handle:
                    key = read_head(handle, stat.st_size)[0]
                if path.name != f"{key.digest}{ENTRY_SUFFIX}":
                    raise CorruptEntryError("file name does not match its key")
            except (OSError, CorruptEntryError):
                self._ledger.corrupt_reads += 1
                self._unlink(path)
                continue
            found.append((stat.st_mtime, key, stat.st_size))
        found.sort(key=lambda item: item[0])
        ledger = self._ledger
        for _, key, size in found:
            if not ledger.fits(size):
                self._unlink(self.path_for(key))
                continue
            for victim, _ in ledger.make_room(size):
                self._unlink(self.path_for(victim))
            ledger.add(key, size, recovered=True)

    def _degrade(self, exc: OSError) -> None:
        self.degraded = True
        self._ledger.write_errors += 1
        self.last_error = f"cache directory {self.directory} unusable: {exc}"

    @staticmethod
    def _unlink(path: Path) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)
