"""Messages between servers over Redis pub/sub: invalidations and finished renders.

One channel, ``{namespace}:events``, carries two kinds of text messages:

- ``inv SEQ ORIGIN TRACK`` — server ORIGIN cleared TRACK (``*``: the whole cache). Every
  other server drops its local copies. Each invalidation also gets a sequence number
  (``INCR {namespace}:inv:seq``) and a place in a short log (``{namespace}:inv:log``),
  so a server whose subscription dropped replays what it missed when it reconnects (or
  clears everything when the log no longer reaches back far enough). An invalidation
  that cannot be published while Redis is away waits in an outbox and is sent on
  reconnection.
- ``done KEY`` — a render of KEY finished and is in the shared tier (or failed): servers
  waiting for it look again now instead of at their next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from .shared import FAILURES

if TYPE_CHECKING:
    from .shared import SharedTier

log = logging.getLogger("masterstream.cache.shared")
LOG_LENGTH = 1000
OUTBOX_LIMIT = 1000
ALL = "*"
Invalidate = Callable[[int | None], Awaitable[object]]


class SharedEvents:
    """Publishes and applies invalidations; wakes local waiters on finished renders."""

    def __init__(
        self, shared: SharedTier, *, server_id: str, on_invalidate: Invalidate,
        reconnect_s: float = 0.25,
    ) -> None:  # fmt: skip
        self.shared = shared
        self.server_id = server_id.replace(" ", "_")
        self.on_invalidate = on_invalidate
        self.reconnect_s = reconnect_s
        ns = shared.namespace
        self.channel, self.seq_key, self.log_key = f"{ns}:events", f"{ns}:inv:seq", f"{ns}:inv:log"
        self.connected = False
        self.received = self.applied = self.published = self.reconnects = 0
        self._last_seq: int | None = None
        self._outbox: list[int | None] = []
        self._waiters: dict[str, asyncio.Event] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="shared-events")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # --- invalidations -----------------------------------------------------------------

    async def invalidate(self, track_id: int | None) -> bool:
        """Tell every other server to drop ``track_id`` (None: everything); queued for
        later when Redis cannot be reached now."""
        if await self._publish_invalidation(track_id):
            return True
        if len(self._outbox) >= OUTBOX_LIMIT:
            self._outbox = [None]
        self._outbox.append(track_id)
        return False

    async def _publish_invalidation(self, track_id: int | None) -> bool:
        client, track = self.shared.client, ALL if track_id is None else str(track_id)

        async def publish() -> bool:
            seq = await client.incr(self.seq_key)
            message = f"inv {seq} {self.server_id} {track}"
            async with client.pipeline(transaction=True) as pipe:
                pipe.lpush(self.log_key, message).ltrim(self.log_key, 0, LOG_LENGTH - 1)
                pipe.publish(self.channel, message)
                await pipe.execute()
            return True

        sent = await self.shared.call(publish, False)
        self.published += sent
        return sent

    async def _flush_outbox(self) -> None:
        while self._outbox:
            if not await self._publish_invalidation(self._outbox[0]):
                return
            self._outbox.pop(0)

    async def _apply(self, message: str) -> None:
        parts = message.split(" ")
        if len(parts) != 4 or parts[0] != "inv":
            return
        seq, origin, track = int(parts[1]), parts[2], parts[3]
        self._last_seq = seq if self._last_seq is None else max(self._last_seq, seq)
        if origin == self.server_id:
            return
        self.applied += 1
        await self.on_invalidate(None if track == ALL else int(track))

    async def _catch_up(self) -> None:
        """After (re)subscribing: apply the invalidations published while away."""
        client = self.shared.client
        seq = int(await client.get(self.seq_key) or 0)
        last = self._last_seq
        self._last_seq = seq
        if last is None or seq == last:
            return
        if seq < last:  # Redis restarted and lost its log: what it holds now is all new
            last = 0
        entries = [e.decode() for e in reversed(await client.lrange(self.log_key, 0, -1))]
        missed = [e for e in entries if int(e.split(" ")[1]) > last]
        if seq - last > len(missed):
            log.warning("missed invalidations beyond the log: clearing local tiers")
            await self.on_invalidate(None)
        for entry in missed:
            await self._apply(entry)
        self._last_seq = seq

    # --- finished renders --------------------------------------------------------------

    async def announce_done(self, key_text: str) -> None:
        client = self.shared.client
        await self.shared.call(lambda: client.publish(self.channel, f"done {key_text}"), 0)

    async def wait_done(self, key_text: str, timeout_s: float) -> None:
        """Return when a ``done`` for ``key_text`` arrives or after ``timeout_s``."""
        event = self._waiters.setdefault(key_text, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
        except TimeoutError:
            pass
        finally:
            if self._waiters.get(key_text) is event and event.is_set():
                del self._waiters[key_text]

    # --- the subscription ---------------------------------------------------------------

    async def _listen(self) -> None:
        while True:
            pubsub = self.shared.client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                await self._catch_up()
                await self._flush_outbox()
                self.connected = True
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None:
                        await self._handle(message["data"].decode())
                    elif self._outbox:
                        await self._flush_outbox()
            except FAILURES as exc:
                if self.connected:
                    log.warning("shared tier events lost (%s): reconnecting", exc)
                self.connected = False
                self.reconnects += 1
            finally:
                with contextlib.suppress(*FAILURES):
                    await pubsub.aclose()
            await asyncio.sleep(self.reconnect_s)

    async def _handle(self, text: str) -> None:
        self.received += 1
        if text.startswith("done "):
            event = self._waiters.pop(text[5:], None)
            if event is not None:
                event.set()
        else:
            await self._apply(text)
