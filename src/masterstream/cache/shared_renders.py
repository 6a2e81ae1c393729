"""One render per chunk across every server that shares a Redis tier.

Before rendering a chunk that no tier holds, a server takes the chunk's lock in Redis
(``SET {namespace}:lock:KEY TOKEN NX PX ttl`` with a random token). The holder renders,
renews the lock while it works (compare-and-``PEXPIRE``), writes the chunk to the shared
tier, releases the lock (compare-and-``DEL``: never another server's lock) and announces
``done``. A server that finds the lock taken waits for that announcement, or at most one
short poll, and reads the chunk from the shared tier; when the lock is free and the chunk
is still absent (the holder died and its lock expired, or its render failed), it takes the
lock itself. The worst case is a duplicate render; a chunk is only ever read back whole
and verified, so no server serves a wrong or partial chunk.

When Redis cannot be reached, the render simply happens here (the local single-flight
still makes it one per server).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .keys import ChunkKey
    from .shared import SharedTier
    from .shared_events import SharedEvents

RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"  # noqa: E501
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"  # noqa: E501
HELD, UNAVAILABLE = "held", "unavailable"
MAX_RETRIES = 3


@dataclass(slots=True)
class SharedRenderStats:
    """How this server's misses were settled across servers."""

    rendered: int = 0  # rendered here while holding the lock
    from_others: int = 0  # read from the shared tier after another server rendered
    waits: int = 0  # polls or wake-ups while another server held the lock
    takeovers: int = 0  # locks taken after finding another's lock gone and no chunk
    local_fallbacks: int = 0  # rendered here because Redis could not be reached
    lost_locks: int = 0  # renewals that found the lock gone (expired or evicted)


class SharedRenders:
    """Cross-server single-flight over Redis locks."""

    def __init__(
        self, shared: SharedTier, events: SharedEvents, *, lock_ttl_s: float = 3.0,
        poll_s: float = 0.1,
    ) -> None:  # fmt: skip
        self.shared = shared
        self.events = events
        self.lock_ttl_ms = round(lock_ttl_s * 1000)
        self.poll_s = poll_s
        self.stats = SharedRenderStats()
        client = shared.client
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    def lock_key(self, key: ChunkKey) -> str:
        return f"{self.shared.namespace}:lock:{key.to_str()}"

    async def _acquire(self, name: str, token: str) -> str:
        """``token`` if this caller holds the lock now, else :data:`HELD` or
        :data:`UNAVAILABLE` (a timed-out ``SET`` that did succeed is found on the next try)."""
        client = self.shared.client
        got = await self.shared.call(
            lambda: client.set(name, token, nx=True, px=self.lock_ttl_ms), UNAVAILABLE
        )
        if got == UNAVAILABLE:
            return UNAVAILABLE
        if got:
            return token
        holder = await self.shared.call(lambda: client.get(name), None)
        return token if holder is not None and holder.decode() == token else HELD

    async def render(
        self, key: ChunkKey, render: Callable[[], Awaitable[bytes]],
        store: Callable[[], bool] = lambda: True,
    ) -> tuple[bytes, bool]:  # fmt: skip
        """``(bytes, rendered_here)``: the chunk from the one render across servers.
        ``store()`` says whether a chunk rendered here may still go to the shared tier.
        A failed Redis call is retried while the breaker stays closed; once it opens (Redis
        is away) the chunk is rendered here."""
        name, token, saw_holder, failed = self.lock_key(key), secrets.token_hex(16), False, 0
        while True:
            got = await self._acquire(name, token)
            if got == UNAVAILABLE:
                failed += 1
                if not self.shared.available or failed > MAX_RETRIES:
                    self.stats.local_fallbacks += 1
                    return await render(), True
            elif got != HELD:
                self.stats.takeovers += saw_holder
                return await self._render_holding(key, name, token, render, store)
            else:
                saw_holder = True
                self.stats.waits += 1
            await self.events.wait_done(key.to_str(), self.poll_s)
            data = await self.shared.peek(key)
            if data is not None:
                self.stats.from_others += 1
                return data, False

    async def _render_holding(
        self, key: ChunkKey, name: str, token: str, render: Callable[[], Awaitable[bytes]],
        store: Callable[[], bool],
    ) -> tuple[bytes, bool]:  # fmt: skip
        renewing = asyncio.get_running_loop().create_task(self._keep(name, token))
        try:
            data = await self.shared.peek(key)  # finished by another just before we locked
            if data is not None:
                self.stats.from_others += 1
                return data, False
            data = await render()
            self.stats.rendered += 1
            if store():
                await self.shared.put(key, data)
            return data, True
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await self.shared.call(lambda: self._release(keys=[name], args=[token]), 0)
            await self.events.announce_done(key.to_str())

    async def _keep(self, name: str, token: str) -> None:
        """Renew the lock every third of its lifetime while the render runs."""
        while True:
            await asyncio.sleep(self.lock_ttl_ms / 3000)
            renewed = await self.shared.call(
                lambda: self._renew(keys=[name], args=[token, self.lock_ttl_ms]), None
            )
            if renewed == 0:
                self.stats.lost_locks += 1
