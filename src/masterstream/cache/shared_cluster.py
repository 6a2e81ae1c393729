"""Everything one server needs to share a Redis/Valkey tier with others, built from a URL.

:class:`SharedCluster` holds the shared tier, the pub/sub events (invalidations,
finished renders) and the cross-server render lock, names this server (``server_id``)
and refreshes the tier's Redis figures in the background. The cache manager is its only
user: it looks chunks up in :attr:`tier`, renders through :attr:`renders` and
broadcasts clears through :attr:`events`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict

import redis.asyncio as aioredis

from .breaker import CircuitBreaker
from .shared import DEFAULT_TIMEOUT_S, FAILURES, SharedTier, connect
from .shared_events import SharedEvents
from .shared_renders import SharedRenders

REFRESH_S = 1.0


async def _ignore(track_id: int | None) -> None:
    return None


class SharedCluster:
    """The shared tier, its events and its render lock, for one server."""

    def __init__(
        self, client: aioredis.Redis, *, server_id: str, namespace: str = "ms",
        timeout_s: float = DEFAULT_TIMEOUT_S, lock_ttl_s: float = 3.0, poll_s: float = 0.1,
        breaker: CircuitBreaker | None = None,
    ) -> None:  # fmt: skip
        self.server_id = server_id
        self.tier = SharedTier(client, namespace=namespace, timeout_s=timeout_s, breaker=breaker)
        self.events = SharedEvents(self.tier, server_id=server_id, on_invalidate=_ignore)
        self.renders = SharedRenders(self.tier, self.events, lock_ttl_s=lock_ttl_s, poll_s=poll_s)
        self._refresher: asyncio.Task[None] | None = None

    @classmethod
    def from_url(
        cls, url: str, *, server_id: str, timeout_s: float = DEFAULT_TIMEOUT_S, **options: float
    ) -> SharedCluster:
        """A cluster member for ``redis://HOST:PORT/DB`` (nothing is connected yet)."""
        return cls(connect(url, timeout_s=timeout_s), server_id=server_id, timeout_s=timeout_s,
                   **options)  # type: ignore[arg-type]  # fmt: skip

    def on_invalidate(self, apply: Callable[[int | None], Awaitable[object]]) -> None:
        """Call ``apply(track_id | None)`` when another server clears a track (or all)."""
        self.events.on_invalidate = apply

    @property
    def available(self) -> bool:
        return self.tier.available and self.events.connected

    def start(self) -> None:
        """Subscribe to the events and refresh the tier's figures (needs a running loop)."""
        self.events.start()
        self._refresher = asyncio.get_running_loop().create_task(self._refresh(), name="shared")

    async def _refresh(self) -> None:
        while True:
            await self.tier.refresh()
            await asyncio.sleep(REFRESH_S)

    def status(self) -> dict[str, object]:
        """Connection, breaker and coordination figures (for stats and health)."""
        events, breaker = self.events, self.tier.breaker
        return {
            "server_id": self.server_id,
            "available": self.available,
            "events_connected": events.connected,
            "breaker": breaker.state.value,
            "breaker_opened": breaker.opened,
            "failures": self.tier.failures,
            "last_error": self.tier.last_error,
            "reconnects": events.reconnects,
            "invalidations_published": events.published,
            "invalidations_applied": events.applied,
            "renders": asdict(self.renders.stats),
            "maxmemory_bytes": self.tier.redis_figures.get("maxmemory"),
        }

    async def aclose(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError, *FAILURES):
                await self._refresher
        await self.events.aclose()
        await self.tier.aclose()
