"""What the background library scan is doing: phase, counts, rate, ETA, skipped files.

:class:`ScanStatus` is written by :class:`~masterstream.service.library_scan.LibraryScanner`
(from the event loop and from its index thread, under a lock) and read by the API, the
``library_scan`` WebSocket topic and ``/api/health``. Times are injectable (``clock`` for
rates, ``wall`` for the started/finished timestamps) so tests can drive them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class ScanPhase(StrEnum):
    IDLE = "idle"
    SYNTHESISING = "synthesising"
    INDEXING = "indexing"
    ANALYSING = "analysing"
    PLANNING = "planning"


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str
    phase: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason, "phase": self.phase}


@dataclass(slots=True)
class _Counter:
    """Progress of one phase: done out of total since started_s."""

    total: int = 0
    done: int = 0
    started_s: float | None = None

    def rate_per_s(self, now_s: float) -> float | None:
        if self.started_s is None or self.done == 0 or now_s <= self.started_s:
            return None
        return self.done / (now_s - self.started_s)

    def eta_s(self, now_s: float) -> float | None:
        rate = self.rate_per_s(now_s)
        return None if rate is None else max(0, self.total - self.done) / rate


@dataclass(slots=True)
class ScanStatus:
    """Live progress of the library scan; every mutation goes through a method."""

    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    phase: ScanPhase = ScanPhase.IDLE
    scans: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    index: _Counter = field(default_factory=_Counter)
    analysis: _Counter = field(default_factory=_Counter)
    last_report: dict[str, Any] | None = None
    _skipped: dict[str, SkippedFile] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin_scan(self) -> None:
        with self._lock:
            self.scans += 1
            self.started_at, self.finished_at = self.wall(), None
            self.index, self.analysis = _Counter(), _Counter()

    def enter(self, phase: ScanPhase) -> None:
        with self._lock:
            self.phase = phase
            if phase is ScanPhase.INDEXING:
                self.index = _Counter(started_s=self.clock())
            elif phase is ScanPhase.ANALYSING and self.analysis.started_s is None:
                self.analysis = _Counter(started_s=self.clock())

    def finish(self) -> None:
        with self._lock:
            self.phase = ScanPhase.IDLE
            self.finished_at = self.wall()
            self.analysis = _Counter(total=self.analysis.total, done=self.analysis.done)

    def indexing(self, done: int, total: int) -> None:
        with self._lock:
            self.index.done, self.index.total = done, total

    def analysis_queued(self, count: int) -> None:
        with self._lock:
            self.analysis.total = self.analysis.done + count

    def analysed(self) -> None:
        with self._lock:
            self.analysis.done += 1

    def skip(self, path: str, reason: str, phase: ScanPhase) -> bool:
        """Note a skipped file; True if it is new (or its reason changed)."""
        with self._lock:
            old = self._skipped.get(path)
            self._skipped[path] = SkippedFile(path, reason, phase.value)
            return old is None or old.reason != reason

    def unskip(self, path: str) -> None:
        with self._lock:
            self._skipped.pop(path, None)

    @property
    def skipped(self) -> list[SkippedFile]:
        with self._lock:
            return sorted(self._skipped.values(), key=lambda s: s.path)

    def to_dict(self) -> dict[str, Any]:
        """The status as the API and the WebSocket topic show it."""
        now_s = self.clock()
        skipped = [s.to_dict() for s in self.skipped]
        with self._lock:
            counter = self.analysis if self.phase is ScanPhase.ANALYSING else self.index
            active = self.phase in (ScanPhase.INDEXING, ScanPhase.ANALYSING)
            rate = counter.rate_per_s(now_s) if active else None
            eta = counter.eta_s(now_s) if active else None
            return {
                "phase": self.phase.value,
                "scans": self.scans,
                "files_seen": self.index.total,
                "files_indexed": self.index.done,
                "files_analysed": self.analysis.done,
                "analysis_queued": self.analysis.total,
                "files_skipped": len(self._skipped),
                "rate_per_s": None if rate is None else round(rate, 3),
                "eta_s": None if eta is None else round(eta, 1),
                "started_at": _iso(self.started_at),
                "finished_at": _iso(self.finished_at),
                "skipped": skipped,
                "last_report": self.last_report,
            }

    def describe(self) -> str:
        """One line for ``/api/health``."""
        data = self.to_dict()
        if self.phase is ScanPhase.IDLE:
            return (f"library scan idle ({data['files_skipped']} files skipped)"
                    if self.scans else "no library scan yet")  # fmt: skip
        if self.phase is ScanPhase.INDEXING:
            done = f"{data['files_indexed']}/{data['files_seen']} files indexed"
        elif self.phase is ScanPhase.ANALYSING:
            done = f"{data['files_analysed']}/{data['analysis_queued']} tracks analysed"
        else:
            done = f"{self.phase.value}"
        eta = "" if data["eta_s"] is None else f", about {data['eta_s']:.0f} s left"
        return f"library scan {self.phase.value}: {done}{eta}"


def _iso(stamp: float | None) -> str | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat()
