"""The two small protocols through which the cache talks to the rest of masterstream.

The cache knows nothing of audio or mastering. The service layer implements
:class:`TrackResolver` (what a track looks like to the cache) and a :data:`Render`
coroutine function (the bytes of one chunk; the service runs the CPU-bound DSP in its
own pool, never on the event loop).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from .keys import ChunkKey


@dataclass(frozen=True, slots=True)
class TrackCacheInfo:
    """What the cache needs to know about a track: its content signature and geometry."""

    signature: str
    chunk_count: int
    chunk_duration_s: float


class TrackResolver(Protocol):
    """Looks up a track for the cache. Called on every lookup, so it must be cheap."""

    def track_cache_info(self, track_id: int) -> TrackCacheInfo:
        """Raises :class:`masterstream.errors.TrackNotFoundError` for an unknown track."""
        ...


Render = Callable[[ChunkKey], Awaitable[bytes]]
"""Renders one chunk to its encoded bytes (async; may raise ``RenderError``)."""
