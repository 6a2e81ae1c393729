"""One render per chunk key, timed, most urgent caller first, through the cluster's lock.

:class:`Renders` runs the cache's :class:`~.protocols.Renderer` under a
:class:`~.singleflight.SingleFlight`: callers asking for a key that is being rendered join
that render, and when a more urgent caller joins a render that is still queued (a listener
asks for a chunk the warmer scheduled) the renderer is told to promote it. With a
:class:`~.shared_cluster.SharedCluster` one server of the cluster renders and the others
read its bytes. A render that raises stores nothing and fails every waiter; a finished one
is handed to ``store`` with the epoch it started in (the cache drops it if a clear moved
the epoch since).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..errors import RenderError
from .render_stats import RenderStats
from .singleflight import SingleFlight
from .stats import RenderSnapshot

if TYPE_CHECKING:
    from .keys import ChunkKey
    from .protocols import Priority, Renderer
    from .shared_cluster import SharedCluster
    from .writeback import Epoch

Store = Callable[["ChunkKey", bytes, "Epoch", bool], Awaitable[None]]
"""Where a finished render goes: ``store(key, data, epoch_it_started_in, to_tier1)``."""


class Renders:
    """The renders in flight, their counters and the one path a render takes."""

    def __init__(
        self,
        render: Renderer,
        *,
        clock: Callable[[], float],
        epoch_of: Callable[[ChunkKey], Epoch],
        store: Store,
        shared: SharedCluster | None = None,
    ) -> None:
        self._render = render
        self._promote: Callable[[ChunkKey, Priority], object] | None = getattr(
            render, "promote", None
        )
        self._clock = clock
        self._epoch_of = epoch_of
        self._store = store
        self._shared = shared
        self.flights = SingleFlight()
        self.stats = RenderStats()
        self.ondemand_waiting = 0

    def __contains__(self, key: object) -> bool:
        return key in self.flights

    async def run(self, key: ChunkKey, *, to_tier1: bool, priority: Priority) -> bytes:
        """The bytes of the one render of ``key`` (joined, and promoted for this caller)."""
        if key in self.flights and self._promote is not None:
            self._promote(key, priority)
        return await self.flights.run(key, lambda: self._render_and_store(key, to_tier1, priority))

    async def _render_and_store(self, key: ChunkKey, to_tier1: bool, priority: Priority) -> bytes:
        epoch = self._epoch_of(key)
        if self._shared is None:
            data = await self._render_here(key, priority)
        else:
            data, _ = await self._shared.renders.render(
                key, lambda: self._render_here(key, priority),
                store=lambda: epoch == self._epoch_of(key),
            )  # fmt: skip
        await self._store(key, data, epoch, to_tier1)
        return data

    async def _render_here(self, key: ChunkKey, priority: Priority) -> bytes:
        started_s = self._clock()
        try:
            data = await self._render(key, priority)
            if type(data) is not bytes:
                raise RenderError(f"render returned {type(data).__name__}, not bytes for {key}")
        except Exception:
            self.stats.record_failure()
            raise
        self.stats.record(self._clock() - started_s)
        return data

    async def aclose(self) -> None:
        """Cancel the renders in flight."""
        await self.flights.aclose()

    def snapshot(self) -> RenderSnapshot:
        return RenderSnapshot.of(
            self.stats,
            coalesced_waiters=self.flights.coalesced_waiters,
            in_flight=len(self.flights),
            ondemand_waiting=self.ondemand_waiting,
        )
