"""Running CPU-bound work on a fixed set of workers, most urgent first.

Design notes. Rendering a chunk (tens of milliseconds) and planning a track (seconds, or
minutes for an hour-long file) run in an executor of ``workers`` threads or processes. An
executor's own queue is first-come first-served, so a listener's first chunk would wait
behind every look-ahead render and plan submitted before it. Here jobs wait in the
scheduler's priority queue instead and are handed to the executor only when a worker is
free, so the executor never holds a backlog and the job that starts is always the most
urgent one at that moment: by :class:`~masterstream.cache.Priority` (lane — on-demand,
look-ahead, warm, background — then nearest deadline), first come first served among equals.

*Long* jobs (plans) may occupy at most ``long_slots`` workers at once, so chunk renders
always have a worker even while hour-long tracks are analysed; a plan cannot be
pre-empted once started, which is why it is bounded instead. One exception keeps workers
from idling while listeners wait for plans: an on-demand long job whose estimated cost is
at most ``overflow_cost_s`` may take a further worker unless a listener's chunk (an
on-demand short job) is queued — look-ahead and warming wait for it, since a listener
waiting for a plan is waiting for audio, and a chunk arriving next waits at most that long.

A queued job can be promoted (an on-demand request joins a look-ahead render that has not
started) and is dropped if everyone awaiting it was cancelled. Workers are never left
idle while a job they may run is queued.

Memory: at most ``workers`` jobs hold their buffers at once (a queued job holds only its
arguments, a started one hands its result over and keeps nothing). Free heap pages are given
back to the system (:mod:`.allocator`) after every long job and whenever the last running
job ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import multiprocessing
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Literal

from ..cache import Lane, Priority
from ..errors import RenderError
from .allocator import release_free_memory
from .jobs import init_worker

PoolKind = Literal["process", "thread"]
TRIM_EVERY_S = 1.0
LISTENERS_QUIET_S = 2.0
"""Listeners count as active this long after they last asked for work (a render or a
plan, :meth:`WorkScheduler.listeners_active`); background planning holds back meanwhile."""


def make_pool(kind: PoolKind, workers: int) -> Executor:
    if kind == "thread":
        return ThreadPoolExecutor(workers, thread_name_prefix="masterstream-render")
    if kind == "process":
        # spawn, not fork: the server process has threads (event loop, disk I/O).
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker)
    raise ValueError(f"render pool must be 'process' or 'thread', got {kind!r}")


@dataclass(eq=False, slots=True)
class _Job:
    priority: Priority
    seq: int
    long: bool
    cost_s: float
    tag: Hashable | None
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    enqueued_s: float
    started: bool = False
    dropped: bool = False

    def entry(self) -> tuple[Priority, int, _Job]:
        return (self.priority, self.seq, self)


@dataclass(slots=True)
class LaneStats:
    queued: int = 0
    started: int = 0
    wait_s_total: float = 0.0


@dataclass(slots=True)
class SchedulerStats:
    running: int = 0
    long_running: int = 0
    lanes: dict[str, LaneStats] = field(
        default_factory=lambda: {lane.name.lower(): LaneStats() for lane in Lane}
    )


class WorkScheduler:
    """Priority queue in front of an executor of ``workers``; ``long_slots`` bounds plans."""

    def __init__(
        self, *, workers: int, pool: PoolKind = "thread", long_slots: int | None = None,
        overflow_cost_s: float = 1.5,
    ) -> None:  # fmt: skip
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = workers
        self.long_slots = max(1, workers // 2) if long_slots is None else long_slots
        self.overflow_cost_s = overflow_cost_s
        self.pool_kind = pool
        self._trimmed_s = float("-inf")
        self._pool = make_pool(pool, workers)
        self._queues: dict[bool, list[tuple[Priority, int, _Job]]] = {False: [], True: []}
        self._tagged: dict[Hashable, _Job] = {}
        self._seq = itertools.count()
        self.stats = SchedulerStats()
        self._ondemand_s = float("-inf")  # loop time a listener last asked for work
        self.quiet_s = LISTENERS_QUIET_S

    async def run(
        self, fn: Callable[..., Any], *args: Any, priority: Priority, long: bool = False,
        cost_s: float = 0.0, tag: Hashable | None = None,
    ) -> Any:  # fmt: skip
        """Run ``fn(*args)`` on a worker when it is the most urgent job; its result."""
        loop = asyncio.get_running_loop()
        job = _Job(priority, next(self._seq), long, cost_s, tag, fn, args, loop.create_future(),
                   loop.time())  # fmt: skip
        self._note_listener(priority)
        if tag is not None:
            self._tagged[tag] = job
        heapq.heappush(self._queues[long], job.entry())
        self._lane(priority).queued += 1
        self._pump()
        try:
            return await asyncio.shield(job.future)
        except asyncio.CancelledError:
            if not job.started:  # its only waiter left (callers share jobs via SingleFlight)
                self._drop(job)
            raise

    def promote(self, tag: Hashable, priority: Priority) -> bool:
        """Move the queued job tagged ``tag`` up to ``priority``; False if none is queued."""
        job = self._tagged.get(tag)
        if job is None or job.started or job.dropped or not priority < job.priority:
            return False
        self._lane(job.priority).queued -= 1
        job.priority = priority
        self._lane(priority).queued += 1
        self._note_listener(priority)
        heapq.heappush(self._queues[job.long], job.entry())  # the old entry is now stale
        self._pump()
        return True

    def _note_listener(self, priority: Priority) -> None:
        if priority.lane == Lane.ONDEMAND:
            self._ondemand_s = asyncio.get_running_loop().time()

    def listeners_active(self, within_s: float | None = None) -> bool:
        """Whether a listener asked for work (submitted or promoted an on-demand job) in the
        last ``within_s`` (default ``quiet_s``); requests served from the cache cause none."""
        within_s = self.quiet_s if within_s is None else within_s
        return asyncio.get_running_loop().time() - self._ondemand_s < within_s

    async def listeners_quiet(self) -> None:
        """Until listeners have asked for no work for ``quiet_s``."""
        while self.listeners_active():
            await asyncio.sleep(self.quiet_s / 4)

    @property
    def queued(self) -> int:
        return sum(lane.queued for lane in self.stats.lanes.values())

    def _lane(self, priority: Priority) -> LaneStats:
        return self.stats.lanes[priority.lane.name.lower()]

    def _top(self, long: bool) -> _Job | None:
        queue = self._queues[long]
        while queue:
            priority, _, job = queue[0]
            if job.started or job.dropped or priority != job.priority:
                heapq.heappop(queue)  # started, dropped or promoted since it was pushed
                continue
            return job
        return None

    def _pump(self) -> None:
        while self.stats.running < self.workers:
            short = self._top(False)
            long = self._top(True)
            if long is not None and self.stats.long_running >= self.long_slots:
                listener_waits = short is not None and short.priority.lane == Lane.ONDEMAND
                overflow = (long.priority.lane == Lane.ONDEMAND and not listener_waits
                            and long.cost_s <= self.overflow_cost_s)  # fmt: skip
                long = long if overflow else None
            if short is None and long is None:
                return
            if long is None or (short is not None and short.entry() < long.entry()):
                self._start(short)  # type: ignore[arg-type]
            else:
                self._start(long)

    def _start(self, job: _Job) -> None:
        job.started = True
        heapq.heappop(self._queues[job.long])
        lane = self._lane(job.priority)
        lane.queued -= 1
        lane.started += 1
        loop = asyncio.get_running_loop()
        lane.wait_s_total += loop.time() - job.enqueued_s
        self.stats.running += 1
        self.stats.long_running += job.long
        try:
            work = loop.run_in_executor(self._pool, job.fn, *job.args)
        except RuntimeError as exc:  # the pool is shut down
            work = loop.create_future()
            work.set_exception(RenderError(f"render pool unavailable: {exc}"))
        work.add_done_callback(lambda done, job=job: self._finished(job, done))

    def _finished(self, job: _Job, work: asyncio.Future[Any]) -> None:
        self.stats.running -= 1
        self.stats.long_running -= job.long
        if job.long:
            self._trimmed_s = float("-inf")
        if job.long or self.stats.running == 0:
            self._release_memory()
        if self._tagged.get(job.tag) is job:
            del self._tagged[job.tag]
        if not job.future.done():
            if work.cancelled():
                job.future.cancel()
            elif isinstance(work.exception(), BrokenProcessPool):
                self._pool = make_pool(self.pool_kind, self.workers)  # replace dead workers
                job.future.set_exception(
                    RenderError("a render worker died; the render pool was restarted")
                )
            elif work.exception() is not None:
                job.future.set_exception(work.exception())  # type: ignore[arg-type]
            else:
                job.future.set_result(work.result())
        elif not work.cancelled():
            work.exception()  # retrieved: its only waiter left
        self._pump()

    def _release_memory(self) -> None:
        """Trim the heap off the event loop (in-process workers only; at most once a second
        unless a long job just ended)."""
        loop = asyncio.get_running_loop()
        if self.pool_kind != "thread" or loop.time() - self._trimmed_s < TRIM_EVERY_S:
            return
        self._trimmed_s = loop.time()
        with contextlib.suppress(RuntimeError):  # the loop's executor is shutting down
            loop.run_in_executor(None, release_free_memory)

    def _drop(self, job: _Job) -> None:
        job.dropped = True
        job.future.cancel()
        self._lane(job.priority).queued -= 1
        if self._tagged.get(job.tag) is job:
            del self._tagged[job.tag]

    def close(self) -> None:
        """Cancel queued jobs and shut the pool down (running jobs finish)."""
        for queue in self._queues.values():
            for _, _, job in queue:
                if not job.started and not job.future.done():
                    job.future.cancel()
            queue.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
