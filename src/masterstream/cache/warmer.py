"""The warmer: renders ahead of listeners so that playing and seeking are hits.

Design notes. The warmer follows *playback streams* (:mod:`.playback`): one per listener
(``update_position(..., listener=...)``; without a listener id every report belongs to
one shared stream), each extrapolated at real-time pace. It never keeps a queue: each
worker picks its next job from the current streams right before it runs, in priority
order, most recently reported stream first:

1. *hot*: the chunk under each playhead and the next ``lookahead_chunks`` into tier1
   (promoted from tier2 if they are there, rendered otherwise; chunks already in tier1
   are touched so the look-ahead stays the most recently used), rendered in the
   ``LOOKAHEAD`` lane with the time the playhead reaches the chunk as deadline. The chunk
   under the playhead is rendered only in the chunk where the listener pressed play or
   seeked: past that the player is playing it, so it has it. Only chunks due within half
   the cache's retention time (:mod:`.retention`) are rendered ahead: a chunk the cache
   evicts before its listener asks would be rendered twice;
2. *fill*: the next ``fill_chunks`` chunks past the look-ahead (default 4; then the ones
   before the playhead; ``None``: the whole track) of the ``fill_streams`` most recent
   streams (default 1) into tier2 only, in the ``WARM`` lane, so a short skip ahead is a hit
   without flushing tier1. Filling more floods tier2 with chunks nobody asks for: replayed
   on listening traces at 252 MB, a bounded fill of 4 lifts the mean hit ratio from 84.5 %
   (whole track) to 90.1 % (``bench/results/cache_policy_replay.md``), and filling every
   listener's track is worse still (``bench/results/cache_hit_ratio.md``);
3. *idle*: sleep until a playhead crosses a chunk boundary or a report arrives.

A seek or a change of track or variant starts a new generation of that stream: the
next job is planned from the new playhead (a render already queued still completes and
is cached). Each (chunk, tier) is tried at most once per generation, and a chunk cached,
being rendered or being written is never planned again, so a tier too small for the
look-ahead cannot make the warmer spin. The warmer does not wait for on-demand renders
itself: its renders are queued in lower lanes than any listener's request (see
:mod:`masterstream.service.scheduler`), so they only use spare workers; ``concurrency``
bounds how many it has queued or running. Clock and sleep are injected, so a test can
play a track at real-time pace on a simulated clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Hashable
from typing import Protocol

from ..errors import MasterstreamError
from .keys import TRACK_LOUDNESS, ChunkKey
from .playback import PlaybackStream, PlaybackStreams
from .protocols import Lane, Priority, TrackCacheInfo

Job = tuple[ChunkKey, Priority, PlaybackStream]

RETENTION_SHARE = 0.5
"""A chunk is rendered ahead only if it is due within this share of the cache's retention
time (:mod:`.retention`), so the cache still holds it when its listener asks."""


class WarmTarget(Protocol):
    """What the warmer needs of a cache (:class:`~masterstream.cache.ChunkCache` is one)."""

    def track_info(self, track_id: int) -> TrackCacheInfo: ...

    def make_key(
        self, track_id: int, chunk_idx: int, preset: str | None, intensity: float, fmt: str,
        info: TrackCacheInfo | None = None, loudness: str = TRACK_LOUDNESS,
    ) -> ChunkKey: ...  # fmt: skip

    def keep_hot(self, key: ChunkKey) -> bool:
        """True if ``key`` is in tier1, which now counts it as just used."""
        ...

    def cached_in(self, key: ChunkKey, tier: str) -> bool:
        """Whether ``key`` is in ``tier`` ("tier1"/"tier2") or being rendered or written."""
        ...

    def retention_s(self) -> float:
        """Seconds a chunk nobody asks for stays cached now (inf: nothing is evicted)."""
        ...

    async def prefetch(self, key: ChunkKey, *, to_tier1: bool, priority: Priority) -> None: ...


class Warmer:
    """Background renderer driven by :meth:`update`; started lazily, stopped by ``aclose``."""

    def __init__(
        self,
        cache: WarmTarget,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
        lookahead_chunks: int = 2,
        concurrency: int = 1,
        enabled: bool = True,
        max_streams: int = 100_000,
        fill_streams: int = 1,
        fill_chunks: int | None = 4,
    ) -> None:
        if lookahead_chunks < 0 or concurrency < 1 or (fill_chunks is not None and fill_chunks < 0):
            raise ValueError("lookahead_chunks and fill_chunks must be >= 0 and concurrency >= 1")
        self._cache = cache
        self._clock = clock
        self._sleep = sleep
        self.lookahead_chunks = lookahead_chunks
        self.concurrency = concurrency
        self.enabled = enabled
        self.fill_streams = fill_streams
        self.fill_chunks = fill_chunks
        self._streams = PlaybackStreams(max_streams=max_streams)
        self._infos: dict[int, TrackCacheInfo] = {}
        self._claimed: set[ChunkKey] = set()
        self._changed = asyncio.Event()
        self._idle = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._closed = False
        self.hot_jobs = self.fill_jobs = self.failed_jobs = 0

    def update(
        self,
        track_id: int,
        position_s: float,
        preset: str | None,
        intensity: float,
        fmt: str,
        listener: Hashable = None,
        loudness: str = TRACK_LOUDNESS,
    ) -> None:
        """A listener reports its position (seconds into the track) and variant; raises
        ``TrackNotFoundError`` for an unknown track.

        Pass a listener/session id when several people listen at once; without one all
        reports belong to a single shared playback stream."""
        info = self._infos[track_id] = self._cache.track_info(track_id)
        self._streams.report(
            listener, track_id, position_s, preset, intensity, fmt,
            now_s=self._clock(), chunk_duration_s=info.chunk_duration_s, loudness=loudness,
        )  # fmt: skip
        self._changed.set()
        self._start()

    def forget(self, listener: Hashable) -> None:
        """Stop warming for ``listener`` (it disconnected or stopped playing)."""
        if self._streams.forget(listener):
            self._changed.set()

    def _start(self) -> None:
        if self._workers or self._closed or not self.enabled:
            return
        loop = asyncio.get_running_loop()
        self._workers = [loop.create_task(self._work()) for _ in range(self.concurrency)]

    # --- planning ----------------------------------------------------------------------

    def _live_streams(self) -> list[tuple[Hashable, PlaybackStream]]:
        ends = {
            track_id: info.chunk_count * info.chunk_duration_s
            for track_id, info in self._infos.items()
        }
        self._streams.expire(self._clock(), ends)
        streams = self._streams.most_recent_first()
        playing = {stream.track_id for _, stream in streams}
        for track_id in self._infos.keys() - playing:
            del self._infos[track_id]
        return streams

    def _next_job(self) -> Job | None:
        """The most urgent missing chunk over all streams, or None when there is none."""
        streams = self._live_streams()
        horizon_s = self._cache.retention_s() * RETENTION_SHARE if streams else 0.0
        for hot in (True, False):
            for _, stream in streams if hot else streams[: self.fill_streams]:
                job = self._job_for(stream, hot, horizon_s)
                if job is not None:
                    return job[0], job[1], stream
        return None

    def _job_for(
        self, stream: PlaybackStream, hot: bool, horizon_s: float
    ) -> tuple[ChunkKey, Priority] | None:
        cache = self._cache
        try:
            info = cache.track_info(stream.track_id)
        except MasterstreamError:
            return None
        count, chunk_s = info.chunk_count, info.chunk_duration_s
        now_s = self._clock()
        playhead_s = stream.playhead_s(now_s)
        current = int(playhead_s // chunk_s)
        if current >= count:
            return None
        started = int(stream.start_s // chunk_s)  # the chunk it pressed play or seeked into
        hot_end = min(count, current + self.lookahead_chunks + 1)
        # only what the cache will still hold when it is due; behind the playhead (for a
        # seek back) only while the cache evicts nothing
        reach_s = playhead_s + horizon_s
        ahead = count if reach_s >= count * chunk_s else int(reach_s // chunk_s) + 1
        if hot:
            indices: range | list[int] = range(current, min(hot_end, ahead))
        else:
            behind = range(current) if horizon_s == math.inf else range(0)
            indices = [*range(hot_end, ahead), *behind][: self.fill_chunks]
        for index in indices:
            key = cache.make_key(stream.track_id, index, stream.preset, stream.intensity,
                                 stream.fmt, info, stream.loudness)  # fmt: skip
            if hot and cache.keep_hot(key):  # keep the look-ahead the most recent
                continue
            if index == current and index != started:  # the player has it: it is playing it
                continue
            if (key, hot) in stream.tried or key in self._claimed:
                continue
            if not cache.cached_in(key, "tier1" if hot else "tier2"):
                due_s = now_s + max(0.0, index * chunk_s - playhead_s)
                return key, Priority(Lane.LOOKAHEAD if hot else Lane.WARM, due_s)
        return None

    def _seconds_to_next_boundary(self) -> float | None:
        delays = []
        now_s = self._clock()
        for _, stream in self._streams.most_recent_first():
            info = self._infos.get(stream.track_id)
            if info is None:
                continue
            playhead_s = stream.playhead_s(now_s)
            chunk_s = info.chunk_duration_s
            if playhead_s < info.chunk_count * chunk_s:
                delays.append((int(playhead_s // chunk_s) + 1) * chunk_s - playhead_s)
        return min(delays) if delays else None

    # --- work --------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            job = self._next_job()
            if job is None:
                await self._wait_for_change()
                continue
            key, priority, stream = job
            hot = priority.lane == Lane.LOOKAHEAD
            self._claimed.add(key)
            try:
                stream.tried.add((key, hot))
                if hot:
                    self.hot_jobs += 1
                else:
                    self.fill_jobs += 1
                await self._cache.prefetch(key, to_tier1=hot, priority=priority)
            except MasterstreamError:
                self.failed_jobs += 1
            finally:
                self._claimed.discard(key)

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

    @property
    def idle(self) -> bool:
        """True while every worker waits for a report or a chunk boundary."""
        return self._idle.is_set()

    def stats(self) -> dict[str, object]:
        streams = self._streams.most_recent_first()
        return {
            "running": bool(self._workers) and not self._closed,
            "streams": len(streams),
            "track_id": streams[0][1].track_id if streams else None,
            "generation": self._streams.generation,
            "hot_jobs": self.hot_jobs,
            "fill_jobs": self.fill_jobs,
            "failed_jobs": self.failed_jobs,
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
