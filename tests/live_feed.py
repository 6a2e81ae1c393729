"""Talking to the server's ``/ws`` live feed as a client would (asyncio ``websockets``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def send(ws: Any, kind: str, **data: Any) -> None:
    """One client message: ``{"type": kind, "data": data}``."""
    await ws.send(json.dumps({"type": kind, "data": data}))


async def receive_until(ws: Any, kind: str, limit: int = 300, timeout_s: float = 20.0) -> dict:
    """The next frame of type ``kind``. Frames of other types are skipped and pings met on
    the way are answered, as a player would; fails after ``limit`` frames, or when no frame
    comes within ``timeout_s``."""
    for _ in range(limit):
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout_s))
        if message["type"] == kind:
            return message
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
    raise AssertionError(f"no {kind!r} frame in {limit} frames")
