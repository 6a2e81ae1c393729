"""Real-time listeners for ``bench_listeners.py``: each one a player pressing play.

A listener has its own variant (track, preset, intensity: no two listeners share a cache
entry), its own ``httpx.AsyncClient`` (keep-alive, like a player) and its own WebSocket.
It presses play at a staggered time and asks for chunk 0; time to first audio (TTFA) is
press -> chunk 0 fully received. Chunk k plays for the chunk duration from when it
arrived or when chunk k-1 ended, whichever is later; chunk k+1 is requested when chunk k
starts playing, and a stall is chunk k+1 not fully received when chunk k ends. While
playing, the listener sends ``playback_position`` over ``/ws`` every couple of seconds
and answers the server's ``ping``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

FETCH_ATTEMPTS = 3
RETRY_DELAY_S = 0.2
KEEPALIVE_EXPIRY_S = 60.0  # a player keeps its idle connection well past one chunk


@dataclass(frozen=True, slots=True)
class Variant:
    track_id: int
    preset: str
    intensity: float
    chunk_count: int


@dataclass(frozen=True, slots=True)
class Fetch:
    arrived_s: float
    latency_s: float
    source: str


@dataclass(slots=True)
class ListenerResult:
    variant: Variant
    ttfa_s: float | None = None
    deadlines: int = 0
    missed: int = 0
    stall_s: float = 0.0
    abandoned: bool = False
    fetches: list[Fetch] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    positions_sent: int = 0


def make_variants(tracks: list[dict], presets: list[str], count: int) -> list[Variant]:
    """``count`` distinct variants; consecutive listeners differ in track and in preset."""
    combos = len(tracks) * len(presets)
    if count > combos * 99:
        raise ValueError(f"at most {combos * 99} distinct variants on this library")
    cycle = math.lcm(len(tracks), len(presets))  # (j % tracks, j % presets) repeat after it
    variants = []
    for i in range(count):
        j = i % combos
        track = tracks[j % len(tracks)]
        preset = presets[(j + j // cycle) % len(presets)]
        intensity = round(0.99 - 0.01 * (i // combos), 2)
        variants.append(Variant(int(track["id"]), preset, intensity, int(track["chunk_count"])))
    return variants


class Listener:
    """One simulated player; :meth:`run` returns its :class:`ListenerResult`."""

    extra_params: tuple[tuple[str, str], ...] = ()  # e.g. (("format", "opus"),)

    def __init__(
        self,
        variant: Variant,
        base_url: str,
        ws_url: str,
        *,
        chunk_s: float,
        duration_s: float,
        timeout_s: float,
        position_every_s: float,
    ) -> None:
        self.variant = variant
        self.base_url = base_url
        self.ws_url = ws_url
        self.chunk_s = chunk_s
        self.timeout_s = timeout_s
        self.position_every_s = position_every_s
        self.chunks = min(variant.chunk_count, max(1, math.ceil(duration_s / chunk_s)))
        self.result = ListenerResult(variant)
        self._playing: tuple[int, float] | None = None  # (chunk, loop time it started)

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    async def run(self, press_at_s: float) -> ListenerResult:
        limits = httpx.Limits(max_connections=2, keepalive_expiry=KEEPALIVE_EXPIRY_S)
        async with httpx.AsyncClient(
            base_url=self.base_url, limits=limits, timeout=self.timeout_s
        ) as client:
            await asyncio.sleep(max(0.0, press_at_s - self.now()))
            feed = asyncio.create_task(self._feed())
            try:
                await self._play(client)
            finally:
                feed.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await feed
        return self.result

    async def _play(self, client: httpx.AsyncClient) -> None:
        pressed_s = self.now()
        first = await self._fetch(client, 0)
        if first is None:
            self.result.abandoned = True
            return
        self.result.ttfa_s = first.arrived_s - pressed_s
        start_s = first.arrived_s
        for k in range(self.chunks):
            await asyncio.sleep(max(0.0, start_s - self.now()))
            self._playing = (k, start_s)
            end_s = start_s + self.chunk_s
            if k + 1 == self.chunks:
                await asyncio.sleep(max(0.0, end_s - self.now()))  # play the last chunk out
                return
            fetched = await self._fetch(client, k + 1)
            self.result.deadlines += 1
            arrived_s = self.now() if fetched is None else fetched.arrived_s
            if arrived_s > end_s:
                self.result.missed += 1
                self.result.stall_s += arrived_s - end_s
            if fetched is None:
                self.result.abandoned = True
                return
            start_s = max(arrived_s, end_s)

    async def _fetch(self, client: httpx.AsyncClient, chunk: int) -> Fetch | None:
        v = self.variant
        url = f"/api/tracks/{v.track_id}/chunks/{chunk}"
        params = {"preset": v.preset, "intensity": f"{v.intensity:.2f}", **dict(self.extra_params)}
        for attempt in range(FETCH_ATTEMPTS):
            if attempt:
                await asyncio.sleep(RETRY_DELAY_S)
            sent_s = self.now()
            try:
                async with client.stream("GET", url, params=params) as response:
                    received = 0
                    async for part in response.aiter_raw():
                        received += len(part)
                    expected = int(response.headers.get("content-length", received))
                if response.status_code != 200:
                    self.result.errors.append(f"HTTP {response.status_code}")
                    continue
                if received != expected:
                    self.result.errors.append("truncated body")
                    continue
            except httpx.HTTPError as exc:
                self.result.errors.append(f"{type(exc).__name__}: {exc}"[:120])
                continue
            arrived_s = self.now()
            fetch = Fetch(
                arrived_s, arrived_s - sent_s, response.headers.get("x-cache-source", "?")
            )
            self.result.fetches.append(fetch)
            return fetch
        return None

    def _position_s(self) -> float | None:
        if self._playing is None:
            return None
        chunk, start_s = self._playing
        return chunk * self.chunk_s + min(max(0.0, self.now() - start_s), self.chunk_s)

    async def _feed(self) -> None:
        """Report the playback position over ``/ws`` and answer pings, until cancelled."""
        try:
            async with connect(self.ws_url, open_timeout=self.timeout_s) as ws:
                replies = asyncio.create_task(self._answer_pings(ws))
                try:
                    while True:
                        position_s = self._position_s()
                        if position_s is not None:
                            await ws.send(self._position_frame(position_s))
                            self.result.positions_sent += 1
                        await asyncio.sleep(self.position_every_s)
                finally:
                    replies.cancel()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broken feed is counted, playback goes on
            self.result.errors.append(f"ws {type(exc).__name__}: {exc}"[:120])

    def _position_frame(self, position_s: float) -> str:
        v = self.variant
        data = {
            "track_id": v.track_id,
            "position_s": round(position_s, 3),
            "preset": v.preset,
            "intensity": v.intensity,
        }
        return json.dumps({"type": "playback_position", "data": data})

    @staticmethod
    async def _answer_pings(ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                with contextlib.suppress(ValueError, AttributeError):
                    if json.loads(message).get("type") == "ping":
                        await ws.send(json.dumps({"type": "pong", "data": {}}))
