"""The background library scan: synthesise (demo) → index → purge → analyse → plan.

Design notes. The server listens before anything here runs. A scan indexes the folder
(or, for the watcher, only the changed paths) in a thread; tracks become listed and
playable as they are indexed, because the :class:`TrackLibrary` is reloaded every
``reload_interval_s`` on the way and at the end. Chunks and plans of updated and removed
tracks are purged before the index pass returns, so a changed file never serves old
chunks. Analysis then runs as one task. With plans on, the presets of ``plan_presets``
are planned for every new or changed track (:meth:`Engine.plan_in_background`), all of a
track's in one pass over its file; a track without a fingerprint has it measured in the
same pass, and the fingerprint is stored
through :meth:`LibraryScanner.fingerprint_measured` — as it is when a listener plays a
track before its analysis. What is still unmeasured after that (plans off, or a track
that could not be planned) is fingerprinted on its own. Every job runs in the scheduler's
BACKGROUND lane as a *long* job, so listeners always go first and analysis never holds
every worker. Index passes are serialised by a lock; one that arrives while analysis
runs is indexed at once and its tracks join the queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cache import Lane, Priority
from ..errors import AudioError, MasterstreamError, TrackNotFoundError
from .library_watch import index_paths, rescan_periodically, watch_folder
from .scan_status import ScanPhase, ScanStatus
from .tracks import fingerprint_file

if TYPE_CHECKING:
    from ..config import Settings
    from ..library.catalog import TrackRecord
    from ..library.scanner import ScanReport
    from .scheduler import WorkScheduler
    from .tracks import TrackLibrary

log = logging.getLogger("masterstream.library")
Purge = Callable[[Iterable[int]], Awaitable[int]]
Plan = Callable[[tuple[str, ...]], "asyncio.Task[int] | None"]
Listener = Callable[[dict[str, Any]], None]
COUNTS = ("added", "updated", "removed", "unchanged", "analysed")


def synthesise_demo(root: Path) -> list[Path]:
    """The demo library, synthesised in a child process (run in a thread: importing the
    synthesiser, scipy and PIL included, stays off the event loop and out of start-up)."""
    from ..library.demo import synthesize_in_child

    return synthesize_in_child(root)


class LibraryScanner:
    """Scans the library folder in the background and reports its progress."""

    def __init__(
        self, settings: Settings, library: TrackLibrary, scheduler: WorkScheduler, *,
        purge: Purge, plan: Plan, clock: Callable[[], float] = time.monotonic,
        publish_interval_s: float = 1.0, reload_interval_s: float = 1.0,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.root = settings.effective_library_dir
        self.library = library
        self.catalog = library.catalog
        self.scheduler = scheduler
        self.status = ScanStatus(clock=clock)
        self.listeners: list[Listener] = []  # progress, at most every publish_interval_s
        self.on_changed: list[Listener] = []  # an index pass added, updated or removed tracks
        self.plan_presets: tuple[str, ...] = ()  # planned for every new or changed track
        self._purge, self._plan, self._clock = purge, plan, clock
        self._publish_interval_s, self._reload_interval_s = publish_interval_s, reload_interval_s
        self._published_s = self._reloaded_s = float("-inf")
        self._index_lock = asyncio.Lock()
        self._analysis: asyncio.Task[None] | None = None
        self._plans: asyncio.Task[int] | None = None
        self._again = False
        self._failed: set[int] = set()
        self._totals = dict.fromkeys(COUNTS, 0)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self.watching = asyncio.Event()  # set once the folder watcher records changes
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- running ---------------------------------------------------------------------------

    def start(self, *, initial_scan: bool, plan_presets: tuple[str, ...], watch: bool) -> None:
        """Start the background work: a first scan (if asked), the watcher, the periodic
        rescan."""
        self.plan_presets = plan_presets
        first = None
        if initial_scan:
            first = self._spawn(self._guarded(lambda: self.scan(synthesise=True)), "scan")
        if watch:
            self._spawn(self._watch(first), "watch")
        if self.settings.rescan_interval_s > 0:
            self._spawn(rescan_periodically(self.scan, interval_s=self.settings.rescan_interval_s),
                        "rescan")  # fmt: skip

    async def _watch(self, first_scan: asyncio.Task[Any] | None) -> None:
        """Watch the folder; one that the first scan creates (the demo library) from then."""
        if first_scan is not None and not self.root.is_dir():
            await asyncio.wait([first_scan])
        await watch_folder(self.root, self.scan_paths, quiet_s=self.settings.watch_quiet_s,
                           stop=self._stop, ready=self.watching)  # fmt: skip

    @property
    def indexing(self) -> bool:
        """An index pass is running (a new one would wait for it)."""
        return self._index_lock.locked()

    async def scan_paths(self, paths: set[Path]) -> dict[str, Any]:
        """An incremental scan of the paths the watcher reported."""
        return await self.scan(paths)

    async def scan(
        self, paths: set[Path] | None = None, *, synthesise: bool = False
    ) -> dict[str, Any]:
        """Index the folder (or only ``paths``), purge what changed, and start analysis;
        returns the index pass's report once it is done (analysis goes on)."""
        async with self._index_lock:
            self._loop = asyncio.get_running_loop()
            if self.status.phase is ScanPhase.IDLE:
                self.status.begin_scan()
                self._totals = dict.fromkeys(COUNTS, 0)
            if synthesise and self.settings.library_dir is None:
                self._enter(ScanPhase.SYNTHESISING)
                await asyncio.to_thread(synthesise_demo, self.root)
            self._enter(ScanPhase.INDEXING)
            try:
                report = await asyncio.to_thread(self._index, paths)
            except BaseException:
                self._enter(ScanPhase.IDLE)
                self.status.finish()
                raise
            cleared = await self._purge([*report.updated, *report.removed])
            self._note(report, ScanPhase.INDEXING, paths)
            summary = {**report.to_dict(), "cleared_entries": cleared,
                       "tracks": len(self.library)}  # fmt: skip
            self.status.last_report = summary
            if report.added or report.updated or report.removed:
                for listener in list(self.on_changed):
                    listener(summary)
            if self.plan_presets and (synthesise or report.added or report.updated):
                self._plans = self._plan(self.plan_presets)  # measures fingerprints on the way
        self._analyse_in_background()
        return summary

    def _index(self, paths: set[Path] | None) -> ScanReport:
        try:
            with self.catalog.scan_lock():  # servers sharing a catalog take turns
                report = None if paths is None else index_paths(
                    self.catalog, self.root, paths, progress=self._indexing
                )  # fmt: skip
                if report is None:
                    from ..library.scanner import scan  # tag readers: in this thread

                    report = scan(self.catalog, self.root, progress=self._indexing)
        finally:
            self.library.reload()
            self._reloaded_s = self._clock()
        return report

    def _indexing(self, done: int, total: int, _path: Path) -> None:
        """Index progress, from the index thread."""
        self.status.indexing(done, total)
        now = self._clock()
        if now - self._reloaded_s >= self._reload_interval_s:
            self.library.reload()  # what is indexed so far is listed and playable
            self._reloaded_s = self._clock()
        if now - self._published_s >= self._publish_interval_s and self._loop is not None:
            self._published_s = now
            self._loop.call_soon_threadsafe(self._publish)

    def _note(self, report: ScanReport, phase: ScanPhase, paths: set[Path] | None) -> None:
        for name in COUNTS:
            self._totals[name] += len(getattr(report, name))
        reported = {path for path, _ in report.skipped}
        if phase is ScanPhase.INDEXING:
            for old in self.status.skipped:  # skipped before, fine now (or gone)
                covered = paths is None or Path(old.path) in paths
                if covered and old.phase == phase.value and old.path not in reported:
                    self.status.unskip(old.path)
        for path, reason in report.skipped:
            if self.status.skip(path, reason, phase):
                log.warning("skipped %s: %s", path, reason)

    # -- analysis --------------------------------------------------------------------------

    def _analyse_in_background(self) -> None:
        if self._analysis is not None and not self._analysis.done():
            self._again = True  # the running analysis looks at the queue once more
            self._enter(ScanPhase.ANALYSING)
            return
        self._analysis = self._spawn(self._guarded(self._analyse_all), "analysis")

    async def _analyse_all(self) -> None:
        try:
            self._again = True
            while self._again:
                self._again = False
                queued = await asyncio.to_thread(self._queue_size)
                if queued:
                    self._enter(ScanPhase.ANALYSING)
                    self.status.analysis_queued(queued)
                if self._plans is not None:  # fingerprint and plan in one pass per track
                    if not queued:
                        self._enter(ScanPhase.PLANNING)
                    plans, self._plans = self._plans, None
                    await asyncio.wait([plans])
                if queued:  # what planning left (plans off, or a track it could not plan)
                    await self._analyse_queue()
        except asyncio.CancelledError:
            raise
        except BaseException:
            self._finish()
            raise
        if not self._index_lock.locked():  # else the running index pass analyses again
            self._finish()

    def _queue_size(self) -> int:
        rows = self.catalog.read("SELECT COUNT(*) AS n FROM tracks WHERE fingerprint IS NULL")
        return max(0, int(rows[0]["n"]) - len(self._failed))

    async def _analyse_queue(self) -> None:
        """Analyse what has no fingerprint, a claimed batch at a time (servers sharing a
        catalog claim different tracks, so each is analysed once in the cluster)."""
        slots = asyncio.Semaphore(max(1, self.scheduler.long_slots))
        owner = self.settings.effective_server_id
        await asyncio.to_thread(self.catalog.release_claims, owner)  # left by a restart
        while batch := await asyncio.to_thread(self.catalog.claim_analysis, owner):
            await asyncio.gather(*(self._analyse_one(r, slots) for r in batch
                                   if r.id not in self._failed))  # fmt: skip
            if self._clock() - self._reloaded_s >= self._reload_interval_s:
                await asyncio.to_thread(self.library.reload)
                self._reloaded_s = self._clock()
        await asyncio.to_thread(self.library.reload)

    async def _analyse_one(self, record: TrackRecord, slots: asyncio.Semaphore) -> None:
        async with slots:
            try:
                current = await asyncio.to_thread(self.catalog.get_track, record.id)
            except TrackNotFoundError:
                return
            if current.fingerprint is not None or current.signature != record.signature:
                return  # measured on demand meanwhile, or changed (the index queues it again)
            priority = Priority(Lane.BACKGROUND, time.monotonic())
            try:
                fingerprint = await self.scheduler.run(
                    fingerprint_file, Path(record.path), priority=priority, long=True,
                    tag=("fingerprint", record.id, record.signature),
                )  # fmt: skip
            except AudioError as exc:  # undecodable after all: it leaves the catalog
                await asyncio.to_thread(self.catalog.remove_track, record.id)
                await self._purge([record.id])
                from ..library.scanner import ScanReport

                report = ScanReport(removed=[record.id], skipped=[(record.path, str(exc))])
                self._note(report, ScanPhase.ANALYSING, None)
                return
            except MasterstreamError as exc:
                self._failed.add(record.id)
                log.warning("cannot analyse %s: %s", record.path, exc)
                return
            if await asyncio.to_thread(self._store, record, fingerprint):
                self.status.analysed()
                self._totals["analysed"] += 1
                self._maybe_publish()

    def _store(self, record: TrackRecord, fingerprint: dict[str, Any]) -> bool:
        """Store a fingerprint if the track is still the one it was measured from."""
        try:
            current = self.catalog.get_track(record.id)
        except TrackNotFoundError:
            return False
        if current.signature != record.signature or current.fingerprint is not None:
            return False
        self.catalog.set_fingerprint(record.id, fingerprint)
        return True

    def fingerprint_measured(self, record: TrackRecord, fingerprint: dict[str, Any]) -> None:
        """The renderer measured a fingerprint while planning (a track played before its
        analysis, or the scan's planning), in a thread: keep it, so analysis skips it."""
        if self._store(record, fingerprint):
            self.status.analysed()
            self._totals["analysed"] += 1
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._maybe_publish)

    # -- progress ----------------------------------------------------------------------------

    def _enter(self, phase: ScanPhase) -> None:
        self.status.enter(phase)
        self._publish()

    def _finish(self) -> None:
        self.status.finish()
        totals = ", ".join(f"{name} {self._totals[name]}" for name in COUNTS)
        log.info("library scan finished: %s, skipped %d; %d tracks", totals,
                 len(self.status.skipped), len(self.library))  # fmt: skip
        self._publish()

    def _maybe_publish(self) -> None:
        if self._clock() - self._published_s >= self._publish_interval_s:
            self._publish()

    def _publish(self) -> None:
        self._published_s = self._clock()
        if self.listeners:
            data = self.status.to_dict()
            for listener in list(self.listeners):
                listener(data)

    # -- tasks -------------------------------------------------------------------------------

    async def _guarded(self, work: Callable[[], Awaitable[object]]) -> None:
        """``work()``, its failure logged (made only once the task runs: a task cancelled
        before it starts leaves no coroutine unawaited)."""
        try:
            await work()
        except MasterstreamError as exc:
            log.error("library scan failed: %s", exc)
        except Exception:
            log.exception("library scan failed")

    def _spawn(self, work: Awaitable[Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work, name=f"masterstream-library-{name}")  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def running(self) -> bool:
        return self.status.phase is not ScanPhase.IDLE

    async def aclose(self) -> None:
        """Stop watching, scanning and analysing."""
        self._stop.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
