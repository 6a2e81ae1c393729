"""Where a chunk lives: two exclusive tiers, a key in one of them at a time.

A new chunk goes to tier1 (or, for the warmer's fills and chunks tier1 cannot hold, to
tier2 behind the response); tier1's victims are written down to tier2's most recent end
(:class:`~.writeback.WriteBehind`, wired as tier1's ``on_evict``); a tier2 chunk in use
moves up (stored in tier1, deleted from tier2). With LRU in both tiers the pair behaves
as one LRU of the total bytes. A chunk hit while in tier1 is marked reused and tier2's
policy is told when it comes down (a tier2 policy would not see that reuse otherwise);
a tier2 policy that can be scored on requests (``score_requests``, the adaptive one)
observes every request of the pair, at the capacity of both tiers. tier2 may use the
bytes tier1 leaves free (up to :data:`BORROW_LIMIT_BYTES`): each tier rounds its bound
down to whole chunks, and borrowing makes the pair hold what one cache of the total would.
Epochs, one for everything and one per track, move on each clear, so bytes rendered or
scheduled for writing before a clear are never stored after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .memory import ENTRY_OVERHEAD_BYTES
from .writeback import Epoch, WriteBehind, call

if TYPE_CHECKING:
    from .keys import ChunkKey
    from .tier import Tier


BORROW_LIMIT_BYTES = 2_000_000
"""At most this much of tier1's free space goes to tier2: about one WAV chunk, the rounding
it makes up for (so a 240 MB tier2 stays below the monitor's 250 MB limit)."""


class ExclusiveTiers:
    """tier1 (memory, reports evictions) over tier2, holding disjoint keys."""

    def __init__(self, tier1: Tier, tier2: Tier) -> None:
        if getattr(tier1, "on_evict", False) is not None or tier1.blocking:
            raise TypeError("tier1 must be a non-blocking tier reporting evictions (on_evict)")
        self.tier1 = tier1
        self.tier2 = tier2
        self._epoch = 0
        self._epochs: dict[int, int] = {}
        self._tier2_bytes = tier2.capacity_bytes
        share = self.tier2_share if hasattr(tier2, "resize") else None
        self.writes = WriteBehind(tier1, tier2, self.epoch_of, share)
        self._reused: set[ChunkKey] = set()
        tier1.on_evict = self._demote  # type: ignore[attr-defined]
        policy = getattr(tier2, "policy", None)
        self._observe = getattr(policy, "observe", None)
        if self._observe is not None:
            policy.score_requests(tier1.capacity_bytes + tier2.capacity_bytes)  # type: ignore[union-attr]

    def tier2_share(self) -> int:
        """The bytes tier2 may hold now: its own bound plus what tier1 leaves free."""
        free = self.tier1.capacity_bytes - self.tier1.stats().size_bytes
        return self._tier2_bytes + min(max(0, free), BORROW_LIMIT_BYTES)

    def _put_tier1(self, key: ChunkKey, data: bytes) -> bool:
        demotions = self.writes.demotions
        if not self.tier1.put(key, data):
            return False
        if self.writes.demotions == demotions:  # tier1 grew into bytes tier2 may hold
            self.writes.shrink()
        return True

    def _demote(self, key: ChunkKey, data: bytes) -> None:
        reused = key in self._reused
        self._reused.discard(key)
        self.writes.demote(key, data, reused=reused)

    def observe(
        self,
        key: ChunkKey,
        size_bytes: int | None,
        *,
        counted: bool = True,
        hit: bool | None = None,
    ) -> None:
        """A request (``counted``; ``hit``: served from the tiers) or a prefetch of ``key``,
        for a tier2 policy scoring its experts on the pair's requests."""
        if self._observe is not None:
            size = None if size_bytes is None else size_bytes + ENTRY_OVERHEAD_BYTES
            self._observe(key, size, counted=counted, hit=hit)

    def epoch_of(self, key: ChunkKey) -> Epoch:
        return self._epoch, self._epochs.get(key.track_id, 0)

    async def get(self, key: ChunkKey) -> tuple[bytes | None, str]:
        """A counted lookup: ``(bytes, "tier1" | "tier2")`` (a tier2 hit moves up) or a miss."""
        data = self.tier1.get(key)
        if data is not None:
            self._reused.add(key)
            return data, "tier1"
        await self.writes.wait(key)  # on its way down to tier2: look once it is there
        tier2 = self.tier2
        data = await call(tier2, tier2.get, key)
        if data is None:
            return None, "miss"
        await self._move_up(key, data)  # type: ignore[arg-type]
        return data, "tier2"  # type: ignore[return-value]

    def pending(self, key: ChunkKey) -> bytes | None:
        """Bytes of ``key`` held in tier1 or on their way down (no lookup counted)."""
        data = self.writes.get(key)
        return self.tier1.peek(key) if data is None else data

    async def prefetch(self, key: ChunkKey, *, to_tier1: bool) -> bool:
        """Make a cached ``key`` present in tier1 (``to_tier1``) or anywhere, telling the
        policies it is in use; False if it is not cached here."""
        tier1, tier2 = self.tier1, self.tier2
        if tier1.touch(key) if to_tier1 else key in tier1:
            return True
        if key in tier2:
            data = await call(tier2, tier2.peek, key) if to_tier1 else None
            if data is not None:
                await self._move_up(key, data)  # type: ignore[arg-type]
            else:
                tier2.touch(key)  # in use: tell tier2's policy (no hit is counted)
            return True
        data = self.writes.get(key)
        if data is not None and to_tier1:
            await self.store(key, data, self.epoch_of(key), to_tier1=True)
        return data is not None

    async def _move_up(self, key: ChunkKey, data: bytes) -> None:
        if self._put_tier1(key, data):  # it stays in tier2 if tier1 refuses it
            self._reused.add(key)
            await call(self.tier2, self.tier2.delete, key)

    async def store(self, key: ChunkKey, data: bytes, epoch: Epoch, to_tier1: bool) -> None:
        """Cache new bytes: in tier1 (if asked and it takes them), else in tier2 behind;
        nothing if a clear moved ``epoch`` since they were asked for."""
        if epoch != self.epoch_of(key):
            return
        if to_tier1 and self._put_tier1(key, data):
            if key in self.tier2:  # a fill of it was written meanwhile
                await call(self.tier2, self.tier2.delete, key)
            return
        if key not in self.tier1 and key not in self.tier2 and key not in self.writes:
            self.writes.schedule(key, data, epoch)

    def cached_in(self, key: ChunkKey, tier: str) -> bool:
        """In ``tier`` ("tier1"), or cached at all ("tier2": tier1's keys go down there)."""
        if key in self.tier1:
            return True
        return tier != "tier1" and (key in self.writes or key in self.tier2)

    def keys(self, track_id: int) -> list[ChunkKey]:
        """Keys of ``track_id`` held here: in tier1, on their way down, in tier2."""
        return [*self.tier1.keys(track_id), *self.writes.keys(track_id),
                *self.tier2.keys(track_id)]  # fmt: skip

    async def drop(self, track_id: int | None) -> int:
        """Delete the chunks of ``track_id`` (None: all); returns entries removed.

        The epoch moves first, so nothing asked for earlier is stored later, and tier1 is
        emptied at once, so none of its chunks is demoted afterwards; tier2 writes already
        past their epoch check are awaited, then deleted with the rest."""
        if track_id is None:
            self._epoch += 1
            removed = self.tier1.clear()
            self._reused.clear()
        else:
            self._epochs[track_id] = self._epochs.get(track_id, 0) + 1
            removed = _delete_track(self.tier1, track_id)
            self._reused = {key for key in self._reused if key.track_id != track_id}
        self.writes.forget(track_id)
        await self.writes.flush()
        tier2 = self.tier2
        if track_id is None:
            return removed + await call(tier2, tier2.clear)  # type: ignore[operator]
        return removed + await call(tier2, _delete_track, tier2, track_id)  # type: ignore[operator]

    async def aclose(self) -> None:
        """Finish tier2 writes and write tier1 down (the disk tier survives a restart)."""
        await self.writes.write_down()
        self.tier1.on_evict = None  # type: ignore[attr-defined]


def _delete_track(tier: Tier, track_id: int) -> int:
    return sum(1 for key in tier.keys(track_id) if tier.delete(key))
