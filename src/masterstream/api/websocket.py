"""The WebSocket feed (``/ws``): live cache stats, health, alerts and track progress.

Design notes. Every frame is ``{"type", "data", "seq", "ts"}`` (``seq`` counts frames per
connection, ``ts`` is Unix seconds). Each client has three tasks: a reader (parses,
rate-limits and answers client messages), a writer (the only task that sends) and a
heartbeat (``ping`` every ``ping_interval_s``; no ``pong`` within ``pong_timeout_s``
closes with 1001). The send side is bounded: event frames wait in a queue of
``ws_queue_frames`` (a client that lets it overflow is too slow and is closed with 1008),
while ``cache_stats`` frames are not queued at all — a single slot keeps only the newest,
so a slow reader costs one frame of memory and never delays anyone else. Malformed,
unknown, oversized or too-frequent messages get an ``error`` frame and the connection
stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import MasterstreamError
from ..service.request import PlaybackPosition
from ..users.errors import RenderBudgetError
from .options import ServerOptions

log = logging.getLogger("masterstream.api")

TOPICS = ("cache_stats", "health", "alerts", "tracks", "library_scan")
Snapshot = Callable[[set[str]], Awaitable[dict[str, Any]]]
PositionFn = Callable[[PlaybackPosition, str], None]
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008


async def _empty_snapshot(_topics: set[str]) -> dict[str, Any]:
    return {}


def frame(kind: str, data: Any, seq: int, ts: float) -> str:
    return json.dumps({"type": kind, "data": data, "seq": seq, "ts": ts}, default=str)


class ClientConnection:
    """One connected client: its topics, bounded send queue, rate budget and liveness."""

    def __init__(
        self,
        websocket: WebSocket,
        options: ServerOptions,
        clock: Callable[[], float],
        client_id: str = "ws-0",
    ) -> None:
        self.id = client_id
        self.websocket = websocket
        self.options = options
        self.clock = clock
        self.topics: set[str] = set()
        self.seq = 0
        self.sent_frames = 0
        self.dropped_stats_frames = 0
        self._events: deque[tuple[str, Any, float]] = deque()
        self._latest_stats: tuple[str, Any, float] | None = None
        self._wakeup = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        self.last_pong_s = clock()
        self._tokens = float(options.ws_burst_messages)
        self._refilled_s = clock()
        scope = getattr(websocket, "scope", {})
        self.principal = scope.get("state", {}).get("principal")  # who it connected as

    def enqueue(self, kind: str, data: Any) -> None:
        item = (kind, data, time.time())
        if kind == "cache_stats":
            if self._latest_stats is not None:
                self.dropped_stats_frames += 1
            self._latest_stats = item
        elif len(self._events) >= self.options.ws_queue_frames:
            self.request_close(CLOSE_POLICY, "send queue overflow: client reads too slowly")
            return
        else:
            self._events.append(item)
        self._wakeup.set()

    def error(self, code: str, message: str) -> None:
        self.enqueue("error", {"code": code, "message": message})

    def request_close(self, code: int, reason: str) -> None:
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self._wakeup.set()

    def allow_message(self) -> bool:
        """Token bucket: ``ws_messages_per_s`` sustained, ``ws_burst_messages`` burst."""
        now = self.clock()
        rate, burst = self.options.ws_messages_per_s, self.options.ws_burst_messages
        self._tokens = min(burst, self._tokens + (now - self._refilled_s) * rate)
        self._refilled_s = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    async def writer(self) -> None:
        """Send queued frames in order, then the newest stats frame; return on close."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self.close_code is None and (self._events or self._latest_stats):
                if self._events:
                    kind, data, ts = self._events.popleft()
                else:
                    kind, data, ts = self._latest_stats  # type: ignore[misc]
                    self._latest_stats = None
                self.seq += 1
                await self.websocket.send_text(frame(kind, data, self.seq, ts))
                self.sent_frames += 1
            if self.close_code is not None:
                return

    async def heartbeat(self) -> None:
        """Ping periodically; ask to close with 1001 when a pong does not come in time."""
        interval_s, timeout_s = self.options.ping_interval_s, self.options.pong_timeout_s
        while True:
            await asyncio.sleep(max(0.0, interval_s - timeout_s))
            sent_s = self.clock()
            self.enqueue("ping", {"timeout_s": timeout_s})
            await asyncio.sleep(timeout_s)
            if self.last_pong_s < sent_s:
                self.request_close(CLOSE_GOING_AWAY, "no pong received")
                return


class WebSocketHub:
    """All connected clients; topic broadcast; the client message protocol."""

    def __init__(
        self,
        options: ServerOptions,
        *,
        snapshot: Snapshot | None = None,
        on_position: PositionFn | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options
        self.snapshot: Snapshot = snapshot or _empty_snapshot
        self.on_position: PositionFn = on_position or (lambda _fields, _listener: None)
        self.clock = clock
        self.on_leave: Callable[[str], object] = lambda _client_id: None
        self.clients: set[ClientConnection] = set()
        self._by_id: dict[str, ClientConnection] = {}
        self.closing = False
        self.connections = 0

    def principal_of(self, client_id: str) -> Any:
        """Who the client ``client_id`` connected as (None if it is gone)."""
        client = self._by_id.get(client_id)
        return None if client is None else client.principal

    def has_subscribers(self, topic: str) -> bool:
        return any(topic in c.topics for c in self.clients)

    def publish(self, topic: str | None, kind: str, data: Any) -> None:
        """Queue a frame for every client subscribed to ``topic`` (every client if None)."""
        for client in list(self.clients):
            if topic is None or topic in client.topics:
                client.enqueue(kind, data)

    async def serve(self, websocket: WebSocket) -> None:
        """Run one connection until it closes."""
        await websocket.accept()
        self.connections += 1
        client = ClientConnection(websocket, self.options, self.clock, f"ws-{self.connections}")
        if self.closing:
            await websocket.close(CLOSE_GOING_AWAY, "server shutting down")
            return
        self.clients.add(client)
        self._by_id[client.id] = client
        tasks = [
            asyncio.ensure_future(self._reader(client)),
            asyncio.ensure_future(client.writer()),
            asyncio.ensure_future(client.heartbeat()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.clients.discard(client)
            self._by_id.pop(client.id, None)
            self.on_leave(client.id)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if client.close_code is not None:
            with contextlib.suppress(Exception):
                await websocket.close(client.close_code, client.close_reason)

    async def _reader(self, client: ClientConnection) -> None:
        websocket = client.websocket
        while True:
            try:
                message = await websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                client.error("unsupported_frame", "send JSON text frames, not binary")
                continue
            if len(text.encode()) > self.options.ws_max_message_bytes:
                client.error(
                    "message_too_large",
                    f"messages are limited to {self.options.ws_max_message_bytes} bytes",
                )
                continue
            if not client.allow_message():
                client.error("rate_limited", "too many messages; slow down")
                continue
            try:
                await self.handle(client, text)
            except Exception:  # a bug in one message must not take the connection down
                log.exception("websocket message failed: %.200s", text)
                client.error("internal_error", "the server could not process this message")

    async def handle(self, client: ClientConnection, text: str) -> None:
        """Act on one client message (errors become ``error`` frames)."""
        try:
            message = json.loads(text)
        except ValueError:
            client.error("malformed_json", "message is not valid JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            client.error("malformed_message", 'expected an object {"type": ..., "data": {...}}')
            return
        kind = message["type"]
        data = message.get("data")
        fields = data if isinstance(data, dict) else message
        if kind == "pong":
            client.last_pong_s = self.clock()
        elif kind == "ping":
            client.enqueue("pong", {})
        elif kind in ("subscribe", "unsubscribe"):
            await self._subscription(client, kind, fields)
        elif kind == "playback_position":
            self._position(client, fields)
        else:
            client.error("unknown_type", f"unknown message type {kind!r}")

    async def _subscription(self, client: ClientConnection, kind: str, fields: dict) -> None:
        topics = fields.get("topics", list(TOPICS) if kind == "unsubscribe" else None)
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            client.error("invalid_message", f"{kind} needs 'topics': a list of {list(TOPICS)}")
            return
        unknown = sorted(set(topics) - set(TOPICS))
        if unknown:
            client.error("unknown_topic", f"unknown topics {unknown}; valid: {list(TOPICS)}")
            return
        if kind == "unsubscribe":
            client.topics.difference_update(topics)
            client.enqueue("unsubscribed", {"topics": sorted(client.topics)})
            return
        client.topics.update(topics)
        snapshot = await self.snapshot(set(topics))
        client.enqueue("snapshot", {"topics": sorted(client.topics), **snapshot})

    def _position(self, client: ClientConnection, fields: dict) -> None:
        try:
            position = PlaybackPosition.parse(fields)
        except MasterstreamError as exc:
            client.error("invalid_message", f"playback_position: {exc}")
            return
        try:
            self.on_position(position, client.id)
        except RenderBudgetError as exc:
            client.enqueue("error", {"code": "render_budget_exhausted", "message": str(exc),
                                     "retry_after_s": round(exc.retry_after_s, 3)})  # fmt: skip
        except MasterstreamError as exc:
            client.error("invalid_position", str(exc))

    async def aclose(self) -> None:
        """Close every connection with 1001 (server going away)."""
        self.closing = True
        for client in list(self.clients):
            client.request_close(CLOSE_GOING_AWAY, "server shutting down")
