"""The shared tier: encoded chunks in Redis/Valkey, read and written by every server.

Each entry is stored under ``{namespace}:c:{ChunkKey.to_str()}`` as a small frame: a
3-byte magic, a 16-byte blake2b checksum of the chunk, then the chunk. Reads verify the
frame; a bad entry is deleted, counted in ``corrupt_reads`` and never served.

The tier is bounded by bytes by Redis itself: it is meant for a dedicated Redis instance
(or Valkey) started with ``maxmemory`` and ``maxmemory-policy allkeys-lru``, so eviction
happens atomically with every write, for all servers at once, with no bookkeeping of ours
to race on. Its stats report Redis's own figures (``used_memory``, ``maxmemory``,
``evicted_keys``, keys in the database), refreshed in the background, beside this
server's hits, misses and writes.

Redis is never a single point of failure: every call has a short timeout and goes through
a :class:`~.breaker.CircuitBreaker`; a failed or refused call reads as a miss (or a
write not done), never as an error, and the client reconnects by itself on a later call.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .breaker import BreakerState, CircuitBreaker
from .keys import KEY_SCHEMA, ChunkKey
from .tier import TierStats

T = TypeVar("T")
MAGIC = b"ms1"
CHECKSUM_BYTES = 16
HEADER_BYTES = len(MAGIC) + CHECKSUM_BYTES
DEFAULT_TIMEOUT_S = 0.05
SCAN_BATCH = 500
MAX_CONNECTIONS = 32
CONNECT_TIMEOUTS = 4
FAILURES = (RedisError, OSError, TimeoutError)


def frame(data: bytes) -> bytes:
    """``data`` with its magic and checksum in front, as stored in Redis."""
    return MAGIC + hashlib.blake2b(data, digest_size=CHECKSUM_BYTES).digest() + data


def unframe(raw: bytes) -> bytes | None:
    """The chunk inside a stored frame, or None if the frame is not intact."""
    if len(raw) < HEADER_BYTES or not raw.startswith(MAGIC):
        return None
    data = raw[HEADER_BYTES:]
    digest = hashlib.blake2b(data, digest_size=CHECKSUM_BYTES).digest()
    return data if raw[len(MAGIC) : HEADER_BYTES] == digest else None


def connect(url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> aioredis.Redis:
    """A client for ``url``: commands time out after ``timeout_s``, connecting after
    :data:`CONNECT_TIMEOUTS` of it, no retries (the breaker decides), at most
    :data:`MAX_CONNECTIONS` connections (callers beyond wait for one, within the timeout)."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=timeout_s, socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s * CONNECT_TIMEOUTS, retry=Retry(NoBackoff(), 0),
    )  # fmt: skip
    return aioredis.Redis.from_pool(pool)


class SharedTier:
    """Chunks in Redis under one namespace; every call bounded in time, none ever raises."""

    name = "shared"

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        namespace: str = "ms",
        timeout_s: float = DEFAULT_TIMEOUT_S,
        breaker: CircuitBreaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.timeout_s = timeout_s
        self.breaker = (
            breaker if breaker is not None else CircuitBreaker(clock=clock, name="shared tier")
        )
        self.hits = self.misses = self.inserts = self.deletes = 0
        self.corrupt_reads = self.write_errors = self.failures = 0
        self.last_error = ""
        self.redis_figures: dict[str, Any] = {}
        """Redis's own figures as of the last :meth:`refresh` (empty before the first)."""

    def entry_key(self, key: ChunkKey) -> str:
        return f"{self.namespace}:c:{key.to_str()}"

    def _track_pattern(self, track_id: int | None) -> str:
        track = "*" if track_id is None else f"{track_id}:*"
        return f"{self.namespace}:c:{KEY_SCHEMA}:{track}"

    @property
    def available(self) -> bool:
        """False while the breaker keeps calls away from Redis."""
        return self.breaker.state is BreakerState.CLOSED

    async def call(self, make: Callable[[], Awaitable[T]], default: T) -> T:
        """``await make()`` within the timeout, through the breaker; ``default`` if Redis
        failed, was too slow or is being left alone."""
        if not self.breaker.allow():
            return default
        try:
            result = await asyncio.wait_for(make(), self.timeout_s * (CONNECT_TIMEOUTS + 1))
        except FAILURES as exc:
            self.failures += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.breaker.failure()
            return default
        except BaseException:
            self.breaker.abandon()
            raise
        self.breaker.success()
        return result

    async def peek(self, key: ChunkKey) -> bytes | None:
        """The verified chunk, counting neither hit nor miss (a bad entry is dropped)."""
        name = self.entry_key(key)
        raw = await self.call(lambda: self.client.get(name), None)
        if raw is None:
            return None
        data = unframe(raw)
        if data is None:
            self.corrupt_reads += 1
            await self.call(lambda: self.client.delete(name), 0)
        return data

    async def get(self, key: ChunkKey) -> bytes | None:
        """The verified chunk (a hit) or None (a miss, also when Redis is unavailable)."""
        data = await self.peek(key)
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    async def put(self, key: ChunkKey, data: bytes) -> bool:
        """Store ``data``; False if Redis refused it or could not be reached."""
        name, value = self.entry_key(key), frame(data)
        stored = await self.call(lambda: self.client.set(name, value), None)
        if stored:
            self.inserts += 1
            return True
        self.write_errors += 1
        return False

    async def delete_track(self, track_id: int | None) -> int:
        """Delete every entry of ``track_id`` (None: every entry); returns how many."""
        pattern, cursor, removed = self._track_pattern(track_id), 0, 0
        while True:
            cursor, names = await self.call(
                lambda c=cursor: self.client.scan(c, match=pattern, count=SCAN_BATCH), (0, [])
            )
            if names:
                removed += await self.call(lambda n=names: self.client.unlink(*n), 0)
            if not cursor:
                break
        self.deletes += removed
        return removed

    async def clear(self) -> int:
        return await self.delete_track(None)

    async def refresh(self) -> None:
        """Read Redis's memory, eviction and key figures for :meth:`stats`."""
        memory = await self.call(lambda: self.client.info("memory"), None)
        counters = await self.call(lambda: self.client.info("stats"), None)
        keys = await self.call(lambda: self.client.dbsize(), None)
        if memory is None or counters is None or keys is None:
            return
        self.redis_figures = {
            "used_memory": int(memory.get("used_memory", 0)),
            "maxmemory": int(memory.get("maxmemory", 0)),
            "maxmemory_policy": str(memory.get("maxmemory_policy", "noeviction")),
            "evicted_keys": int(counters.get("evicted_keys", 0)),
            "keys": int(keys),
        }

    def stats(self) -> TierStats:
        """This server's counters with Redis's figures of the last refresh."""
        figures = self.redis_figures
        return TierStats(
            name=self.name,
            policy=f"redis:{figures.get('maxmemory_policy', 'unknown')}",
            chunks=figures.get("keys", 0),
            size_bytes=figures.get("used_memory", 0),
            capacity_bytes=figures.get("maxmemory", 0),
            hits=self.hits,
            misses=self.misses,
            inserts=self.inserts,
            evictions=figures.get("evicted_keys", 0),
            deletes=self.deletes,
            corrupt_reads=self.corrupt_reads,
            write_errors=self.write_errors,
            degraded=not self.available,
        )

    async def aclose(self) -> None:
        with contextlib.suppress(*FAILURES):
            await self.client.aclose()
