"""Chunk-request traces: one JSON line per request, written while serving, replayed later.

A line is ``{"t": seconds, "key": ChunkKey.to_str(), "size_bytes": n, "source": s}`` with
``s`` one of ``tier1``, ``tier2`` or ``miss`` (``synthetic`` in traces written by a
generator rather than a server). ``t`` is the time of the request in
seconds (from the recorder's clock, relative to when recording started, unless the
caller passes its own). Replaying such a file through policies and tiers (see
``bench/cache_policy_replay.py``) scores them on the requests a server really saw.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import CacheError

TRACE_SOURCES = frozenset({"tier1", "tier2", "miss", "synthetic"})


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One recorded chunk request."""

    t_s: float
    key: str
    size_bytes: int
    source: str


class TraceRecorder:
    """Appends one line per chunk request to ``path``; lines are buffered, then written.

    ``record`` costs a ``json.dumps`` and a list append; every ``buffer_lines`` lines go
    to the operating system in one write. ``flush`` writes what is buffered; ``close`` flushes and
    closes. Thread-safe (one lock around the buffer and the file)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        buffer_lines: int = 64,
        append: bool = False,
    ) -> None:
        if buffer_lines < 1:
            raise ValueError(f"buffer_lines must be >= 1, got {buffer_lines}")
        self.path = Path(path)
        self.buffer_lines = buffer_lines
        self._clock = clock
        self._started_s = clock()
        self._lock = threading.Lock()
        self._buffer: list[str] = []
        self._file = open(self.path, "a" if append else "w", encoding="utf-8")  # noqa: SIM115
        self.recorded = 0

    def record(self, key_str: str, size_bytes: int, source: str, t_s: float | None = None) -> None:
        """Append one request: the key's text form, its size, its source (``tier1``,
        ``tier2``, ``miss``; ``synthetic``) and its time (default: now, since start)."""
        if source not in TRACE_SOURCES:
            raise ValueError(f"source must be one of {sorted(TRACE_SOURCES)}, got {source!r}")
        if isinstance(size_bytes, bool) or not isinstance(size_bytes, int) or size_bytes < 0:
            raise ValueError(f"size_bytes must be a non-negative int, got {size_bytes!r}")
        if t_s is None:
            t_s = self._clock() - self._started_s
        elif not math.isfinite(t_s):
            raise ValueError(f"t_s must be finite, got {t_s!r}")
        line = json.dumps(
            {"t": round(t_s, 6), "key": key_str, "size_bytes": size_bytes, "source": source}
        )
        with self._lock:
            if self._file.closed:
                raise ValueError(f"trace recorder for {self.path} is closed")
            self._buffer.append(line)
            self.recorded += 1
            if len(self._buffer) >= self.buffer_lines:
                self._write_buffer()
                self._file.flush()

    def flush(self) -> None:
        """Write buffered lines and flush them to the operating system."""
        with self._lock:
            if not self._file.closed:
                self._write_buffer()
                self._file.flush()

    def close(self) -> None:
        """Flush and close; further ``record`` calls raise, further closes do nothing."""
        with self._lock:
            if self._file.closed:
                return
            self._write_buffer()
            self._file.close()

    def _write_buffer(self) -> None:
        if self._buffer:
            self._file.write("\n".join(self._buffer) + "\n")
            self._buffer.clear()

    def __enter__(self) -> TraceRecorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def iter_trace(path: str | os.PathLike[str]) -> Iterator[TraceRecord]:
    """The records of a trace file in order; blank lines are skipped.

    Raises :class:`~masterstream.errors.CacheError` naming the file and line for a line
    that is not a trace record."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _parse(line, path, number)


def read_trace(path: str | os.PathLike[str]) -> list[TraceRecord]:
    """Every record of a trace file, in order (see :func:`iter_trace`)."""
    return list(iter_trace(path))


def _parse(line: str, path: str | os.PathLike[str], number: int) -> TraceRecord:
    try:
        raw = json.loads(line)
        t_s, key, size, source = raw["t"], raw["key"], raw["size_bytes"], raw["source"]
    except (ValueError, TypeError, KeyError) as exc:
        raise CacheError(f"{path}:{number}: not a trace record ({exc})") from exc
    valid = (
        isinstance(t_s, int | float)
        and not isinstance(t_s, bool)
        and math.isfinite(t_s)
        and isinstance(key, str)
        and key != ""
        and isinstance(size, int)
        and not isinstance(size, bool)
        and size >= 0
        and isinstance(source, str)
        and source in TRACE_SOURCES
    )
    if not valid:
        raise CacheError(f"{path}:{number}: bad trace record {line.strip()[:200]!r}")
    return TraceRecord(float(t_s), key, size, source)
