"""The warmer: renders ahead of the listener so that playing and seeking are hits.

Design notes. The warmer holds one *playback state* (track, variant, position and the
clock time it was reported) and extrapolates the playhead at real-time pace. It never
keeps a queue: each worker picks its next job from the current state right before it
runs, in priority order:

1. *hot*: the chunk under the playhead and the next ``lookahead_chunks`` into tier1
   (promoted from tier2 if they are there, rendered otherwise);
2. *fill*: the rest of the track (after the playhead, then before it) into tier2 only,
   so any seek is a hit without flushing tier1;
3. *idle*: sleep until the playhead crosses the next chunk boundary or the state changes.

A seek (position off the extrapolated playhead by more than one chunk) or a change of
track/preset/intensity/format starts a new *generation*: a job picked under an older
generation is dropped before it runs (counted in ``dropped_stale``). Each (key, tier) is tried
at most once per generation, so a tier too small for the look-ahead cannot make it spin.
Before each job the worker waits until no on-demand render is waiting, so on-demand
requests always jump ahead; ``concurrency`` bounds the warmer's own renders. Clock and
sleep are injected, so a test can play a track at real-time pace on a simulated clock.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import MasterstreamError
from .keys import ChunkKey

if TYPE_CHECKING:
    from .manager import ChunkCache


@dataclass(frozen=True, slots=True)
class PlaybackState:
    track_id: int
    preset: str | None
    intensity: float
    fmt: str
    position_s: float
    reported_at_s: float
    generation: int


class Warmer:
    """Background renderer driven by :meth:`update`; started lazily, stopped by ``aclose``."""

    def __init__(
        self,
        cache: ChunkCache,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
        lookahead_chunks: int = 2,
        concurrency: int = 1,
        enabled: bool = True,
    ) -> None:
        if lookahead_chunks < 0 or concurrency < 1:
            raise ValueError("lookahead_chunks must be >= 0 and concurrency >= 1")
        self._cache = cache
        self._clock = clock
        self._sleep = sleep
        self.lookahead_chunks = lookahead_chunks
        self.concurrency = concurrency
        self.enabled = enabled
        self._state: PlaybackState | None = None
        self._variants: dict[int, tuple[str | None, float, str]] = {}
        self._tried: set[tuple[ChunkKey, bool]] = set()
        self._claimed: set[ChunkKey] = set()
        self._changed = asyncio.Event()
        self._idle = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._closed = False
        self.hot_jobs = self.fill_jobs = self.failed_jobs = self.dropped_stale = 0

    # --- inputs ------------------------------------------------------------------------

    def update(
        self, track_id: int, position_s: float, preset: str | None, intensity: float, fmt: str
    ) -> None:
        now_s = self._clock()
        old = self._state
        generation = 0 if old is None else old.generation
        if old is None or (old.track_id, old.preset, old.intensity, old.fmt) != (
            track_id,
            preset,
            intensity,
            fmt,
        ):
            generation += 1
        else:
            info = self._cache._infos.get(track_id)
            chunk_s = info.chunk_duration_s if info is not None else 10.0
            if abs(position_s - self._playhead_s(old, now_s)) > chunk_s:
                generation += 1
        if old is None or generation != old.generation:
            self._tried.clear()
        self._state = PlaybackState(
            track_id, preset, intensity, fmt, max(0.0, position_s), now_s, generation
        )
        self._variants[track_id] = (preset, intensity, fmt)
        self._changed.set()
        self._start()

    def variant_for(self, track_id: int) -> tuple[str | None, float, str]:
        """The variant last played on ``track_id`` (original WAV if never played)."""
        return self._variants.get(track_id, (None, 1.0, "wav"))

    def _start(self) -> None:
        if self._workers or self._closed or not self.enabled:
            return
        loop = asyncio.get_running_loop()
        self._workers = [loop.create_task(self._work()) for _ in range(self.concurrency)]

    # --- planning ----------------------------------------------------------------------

    @staticmethod
    def _playhead_s(state: PlaybackState, now_s: float) -> float:
        return state.position_s + max(0.0, now_s - state.reported_at_s)

    def _next_job(self) -> tuple[ChunkKey, bool, int] | None:
        """(key, hot, generation) of the most urgent missing chunk, or None when done."""
        state = self._state
        if state is None:
            return None
        cache = self._cache
        try:
            info = cache.track_info(state.track_id)
        except MasterstreamError:
            return None
        count = info.chunk_count
        current = int(self._playhead_s(state, self._clock()) // info.chunk_duration_s)
        if current >= count:
            return None
        hot_end = min(count, current + self.lookahead_chunks + 1)
        order = [*range(current, count), *range(current)]
        for position, index in enumerate(order):
            hot = position < hot_end - current
            key = cache.make_key(
                state.track_id, index, state.preset, state.intensity, state.fmt, info
            )
            if hot and cache.tier1.touch(key):  # keep the look-ahead the most recent
                continue
            if (key, hot) in self._tried or key in self._claimed:
                continue
            if key not in (cache.tier1 if hot else cache.tier2):
                return key, hot, state.generation
        return None

    def _seconds_to_next_boundary(self) -> float | None:
        state = self._state
        info = None if state is None else self._cache._infos.get(state.track_id)
        if state is None or info is None:
            return None
        playhead_s = self._playhead_s(state, self._clock())
        chunk_s = info.chunk_duration_s
        if playhead_s >= info.chunk_count * chunk_s:
            return None
        return (int(playhead_s // chunk_s) + 1) * chunk_s - playhead_s

    # --- work --------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                await self._wait_for_change()
                continue
            key, hot, generation = job
            self._claimed.add(key)
            try:
                await self._cache.ondemand_idle()
                state = self._state
                if state is None or state.generation != generation:
                    self.dropped_stale += 1
                    continue
                self._tried.add((key, hot))
                await self._run(key, hot)
            finally:
                self._claimed.discard(key)

    async def _run(self, key: ChunkKey, hot: bool) -> None:
        cache = self._cache
        try:
            if hot:
                self.hot_jobs += 1
                data = None
                if key in cache.tier2:
                    tier2 = cache.tier2
                    data = (
                        await asyncio.to_thread(tier2.peek, key)
                        if tier2.blocking
                        else tier2.peek(key)
                    )
                if data is not None:
                    await cache._put(cache.tier1, key, data)
                else:
                    await cache.render_once(key, to_tier1=True)
            else:
                self.fill_jobs += 1
                await cache.render_once(key, to_tier1=False)
        except MasterstreamError:
            self.failed_jobs += 1

    async def _wait_for_change(self) -> None:
        self._idle.set()
        self._changed.clear()
        delay_s = self._seconds_to_next_boundary()
        waiters = [asyncio.ensure_future(self._changed.wait())]
        if delay_s is not None:
            waiters.append(asyncio.ensure_future(self._sleep(delay_s)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
            self._idle.clear()

    async def wait_idle(self) -> None:
        """Return once a worker has nothing left to do (for tests and the CLI)."""
        await self._idle.wait()

    @property
    def idle(self) -> bool:
        return self._idle.is_set()

    def stats(self) -> dict[str, object]:
        state = self._state
        return {
            "running": bool(self._workers) and not self._closed,
            "track_id": None if state is None else state.track_id,
            "generation": 0 if state is None else state.generation,
            "hot_jobs": self.hot_jobs,
            "fill_jobs": self.fill_jobs,
            "failed_jobs": self.failed_jobs,
            "dropped_stale": self.dropped_stale,
        }

    async def aclose(self) -> None:
        """Stop every worker and wait for them; in-flight renders are the cache's to cancel."""
        self._closed = True
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self._workers = []
