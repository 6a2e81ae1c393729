"""Cache-aware endpoint helpers: timing envelope, cache-then-fallback query, handler factory.

``CacheAwareEndpoint.track_request(handler)`` returns the handler wrapped, as the seed's
tests use it (``wrapped = endpoint.track_request(handler); result = await wrapped()``):
each call runs the handler, which returns ``(data, source)``, times it with a monotonic
clock, records it in :class:`EndpointMetrics`, updates the monitor and returns the seed's
envelope. A handler that raises is recorded as an error (source ``miss``) and its
exception propagates unchanged.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .endpoint_metrics import EndpointMetrics
from .stats import create_cache_aware_response

log = logging.getLogger("masterstream.monitoring")

Handler = Callable[..., Awaitable[tuple[Any, str]] | tuple[Any, str]]
Wrapped = Callable[..., Awaitable[dict[str, Any]]]


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class CacheAwareEndpoint:
    """Wraps handlers of one endpoint with timing, metrics and monitor updates."""

    def __init__(
        self,
        cache_manager: Any,
        monitor: Any = None,
        metrics: EndpointMetrics | None = None,
        *,
        endpoint: str = "cache",
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.cache_manager = cache_manager
        self.monitor = monitor
        self.metrics = metrics if metrics is not None else EndpointMetrics()
        self.endpoint = endpoint
        self.timer = timer

    def track_request(self, handler: Handler) -> Wrapped:
        """``handler`` (async or sync) wrapped: an async callable taking the handler's
        arguments and returning the envelope of its ``(data, source)``."""

        @functools.wraps(handler)
        async def wrapped(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return await self._run(handler, args, kwargs)

        return wrapped

    async def _run(
        self, handler: Handler, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        started_s = self.timer()
        try:
            data, source = await _maybe_await(handler(*args, **kwargs))
            elapsed_ms = (self.timer() - started_s) * 1000.0
            envelope = create_cache_aware_response(data, str(source), elapsed_ms)
        except Exception:
            elapsed_ms = (self.timer() - started_s) * 1000.0
            self.metrics.record(self.endpoint, "miss", elapsed_ms, success=False)
            raise
        self.metrics.record(self.endpoint, envelope["cache_source"], elapsed_ms)
        if self.monitor is not None:
            try:
                await _maybe_await(self.monitor.update_metrics())
            except Exception:  # monitoring must not fail the request it observed
                log.exception("cache monitor update failed")
        return envelope


class CacheQueryBuilder:
    """Ask the cache first; on a miss ask ``db_handler`` (the renderer) and store its bytes."""

    def __init__(
        self,
        cache_manager: Any,
        db_handler: Callable[[Any, Any, int], Awaitable[Any] | Any],
        *,
        store_misses: bool = True,
    ) -> None:
        self.cache_manager = cache_manager
        self.db_handler = db_handler
        self.store_misses = store_misses

    async def get_with_cache(
        self,
        cache_key: Any,
        track_id: Any,
        chunk_idx: int,
        preset: str | None = None,
        intensity: float = 1.0,
    ) -> tuple[Any, str]:
        """``(data, "tier1" | "tier2")`` from the cache, else ``(db_handler(...), "miss")``.

        Calls ``cache_manager.get_chunk(track_id=..., chunk_idx=..., preset=...,
        intensity=...)`` (and ``put_chunk`` likewise) with keyword arguments."""
        data, source = await _maybe_await(
            self.cache_manager.get_chunk(
                track_id=track_id, chunk_idx=chunk_idx, preset=preset, intensity=intensity
            )
        )
        if data is not None and source != "miss":
            log.debug("cache %s hit for %s", source, cache_key)
            return data, str(source)
        log.debug("cache miss for %s: calling the fallback handler", cache_key)
        data = await _maybe_await(self.db_handler(cache_key, track_id, chunk_idx))
        put_chunk = getattr(self.cache_manager, "put_chunk", None)
        if self.store_misses and isinstance(data, bytes) and callable(put_chunk):
            await _maybe_await(
                put_chunk(
                    track_id=track_id,
                    chunk_idx=chunk_idx,
                    data=data,
                    preset=preset,
                    intensity=intensity,
                )
            )
        return data, "miss"


def create_cache_aware_handler(
    cache_manager: Any,
    handler: Handler,
    metrics: EndpointMetrics | None = None,
    *,
    endpoint: str | None = None,
    monitor: Any = None,
) -> Wrapped:
    """``handler`` wrapped by a :class:`CacheAwareEndpoint` (same envelope, metrics recorded,
    errors recorded then re-raised). ``endpoint`` defaults to the handler's name."""
    name = endpoint if endpoint is not None else getattr(handler, "__name__", "handler")
    tracker = CacheAwareEndpoint(cache_manager, monitor, metrics, endpoint=name)
    wrapped = tracker.track_request(handler)
    wrapped.endpoint = tracker  # type: ignore[attr-defined]
    return wrapped
