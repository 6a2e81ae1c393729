"""The FastAPI application: ``create_app(settings)`` and its lifespan.

The lifespan opens the :class:`~masterstream.service.engine.Engine` (catalog, library,
scheduler and renderer, two-tier cache, chunk service, warmer and track warming), the
seed's ``CacheMonitor`` and ``EndpointMetrics``, a Prometheus registry of its own and the
WebSocket hub, keeps them on ``app.state.ms`` and closes them in reverse order on
shutdown (uvicorn turns SIGINT/SIGTERM into that shutdown): WebSocket clients get 1001,
warming and the warmer stop, in-flight renders are cancelled (nothing is stored for
them) and pending disk writes — atomic renames — finish.

The request path is declared here once: problem handlers, the request-metrics
middleware, then the routers (the chunk route among them, see ``routes/chunks.py``; the
app serves it through the same handlers and middleware with fewer framework layers, see
``direct_routes.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket

from ..cache.trace import TraceRecorder
from ..config import Settings
from ..db import Dialect
from ..monitoring import CacheMonitor, EndpointMetrics
from ..service.engine import Engine, preload_render_path
from .access import install_access, open_auth
from .direct_routes import DirectApp
from .feed import LiveFeed
from .http_metrics import build_registry
from .observation import RequestObserver
from .openapi import install_openapi, operation_id
from .problems import install_problem_handlers
from .recording import RequestRecorder
from .routes import (
    albums,
    artists,
    cache,
    chunks,
    covers,
    formats,
    health,
    history,
    library,
    mastering,
    me,
    metrics,
    search,
    session,
    stream,
    subsonic_access,
    tracks,
    users,
    web,
)
from .state import ServerOptions, ServerState
from .websocket import WebSocketHub

log = logging.getLogger("masterstream.api")
PRELOAD_DELAY_S = 1.0
MB = 1_000_000


def monitor_limits(settings: Settings) -> dict[str, float]:
    """Monitor size limits from the configured tier capacities (the tiers enforce them)."""
    tier1_mb = settings.tier1_capacity_bytes / MB
    tier2_mb = settings.tier2_capacity_bytes / MB
    return {
        "tier1_size_limit_mb": tier1_mb,
        "tier2_size_limit_mb": tier2_mb,
        "total_size_limit_mb": tier1_mb + tier2_mb,
    }


def create_app(settings: Settings, options: ServerOptions | None = None) -> FastAPI:
    """The masterstream HTTP/WebSocket app; nothing is opened until its lifespan starts."""
    options = options or ServerOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = await Engine.open(
            settings, prepare=options.prepare_library, progress=options.progress
        )
        trace = None if settings.trace_path is None else TraceRecorder(settings.trace_path)
        if trace is not None:
            engine.chunks.observers.append(
                lambda result: trace.record(result.key.to_str(), len(result.data), result.source)
            )
        try:
            state, feed = _build_state(settings, options, engine)
            app.state.ms = state
            app.state.auth = auth = await open_auth(settings, state)
            log.info(
                "started: %d tracks, tier1 %.0f MB, tier2 %.0f MB at %s, %d render workers",
                len(engine.library), settings.tier1_capacity_bytes / MB,
                settings.tier2_capacity_bytes / MB, settings.effective_cache_dir,
                engine.scheduler.workers,
            )  # fmt: skip
            ticker = asyncio.create_task(feed.run(), name="masterstream-feed")
            preload = asyncio.create_task(_preload_after(PRELOAD_DELAY_S),
                                          name="masterstream-preload")  # fmt: skip
            _start_library_scan(settings, options, state)
            try:
                yield
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
                preload.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await preload  # its thread finishes the imports it started
                await state.hub.aclose()
                await auth.aclose()
        finally:
            await engine.aclose()
            if trace is not None:
                trace.close()

    app = DirectApp(
        title="masterstream",
        summary="Music mastered on the fly, streamed from an observable two-tier chunk cache.",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    install_openapi(app)  # errors as problems, security, binaries, tags (see openapi.py)
    install_problem_handlers(app)
    install_access(app, settings)  # Host, cross-site, body limit, then who may do what
    app.add_middleware(
        RequestObserver, trusted_proxies=settings.trusted_proxies, log_access=options.access_log
    )
    # the chunk route first: each included router ahead of it costs every hit a match
    for module in (chunks, tracks, formats, stream, cache, library, health, metrics, session,
                   me, users, mastering, history, web, artists, albums, covers,
                   search, subsonic_access):  # fmt: skip
        app.include_router(module.router)
    app.include_router(_subsonic_router())

    @app.websocket("/ws")
    async def websocket_feed(websocket: WebSocket) -> None:
        await websocket.app.state.ms.hub.serve(websocket)

    return app


def _subsonic_router() -> APIRouter:
    """``/rest`` (imported here: the Subsonic package builds on this package's auth)."""
    from ..subsonic.router import router

    return router


def _start_library_scan(settings: Settings, options: ServerOptions, state: ServerState) -> None:
    """The library scan runs in the background (a first one unless the library was prepared
    before serving), its progress published on the ``library_scan`` topic."""
    engine, hub = state.engine, state.hub
    engine.scanner.listeners.append(lambda data: hub.publish("library_scan", "library_scan", data))
    engine.scanner.on_changed.append(lambda data: hub.publish("tracks", "library_changed", data))
    snapshot = hub.snapshot

    async def with_scan(topics: set[str]) -> dict[str, Any]:
        out = await snapshot(topics)
        if "library_scan" in topics:
            out["library_scan"] = engine.scanner.status.to_dict()
        return out

    hub.snapshot = with_scan
    # a catalog shared by several servers is analysed through claims, each track once;
    # plans are then made where a track is first played (and stored for every server)
    shared = engine.catalog.dialect is not Dialect.SQLITE
    presets = settings.effective_plan_presets if options.prepare_plans and not shared else ()
    engine.scanner.start(initial_scan=not options.prepare_library, plan_presets=presets,
                         watch=settings.watch_library)  # fmt: skip
    if options.prepare_library and presets:
        engine.plan_in_background(presets)


async def _preload_after(delay_s: float) -> None:
    """The render path's imports, once the server has been answering for ``delay_s`` (an
    import holds the interpreter lock, so it waits until the first probes are answered)."""
    await asyncio.sleep(delay_s)
    await asyncio.to_thread(preload_render_path)


def _build_state(
    settings: Settings, options: ServerOptions, engine: Engine
) -> tuple[ServerState, LiveFeed]:
    hub = WebSocketHub(options)
    monitor = CacheMonitor(
        engine.cache, **monitor_limits(settings),
        min_update_interval_s=options.monitor_interval_s * 0.9,
    )  # fmt: skip
    metrics = EndpointMetrics()
    state = ServerState(
        settings=settings, options=options, engine=engine, monitor=monitor, metrics=metrics,
        hub=hub, recorder=RequestRecorder(engine.cache, metrics, monitor),
    )  # fmt: skip
    state.registry, state.http_metrics = build_registry(engine, monitor, metrics, hub)
    feed = LiveFeed(state)
    hub.snapshot, hub.on_position, hub.on_leave = (
        feed.snapshot, feed.playback_position, feed.listener_left,
    )  # fmt: skip
    engine.warming.on_progress = feed.warming_progress
    return state, feed
