"""Album loudness mode in the service: the album's version in the cache key, its plans.

A request in album mode carries the album's version (:func:`loudness_token`), a digest of
its tracks' ids and content signatures: a track added, removed or changed gives the album a
new version, so chunks rendered with the old album gain are never served again. At render
time :class:`AlbumPlans` checks that the version still holds, measures the album's
loudness once per version (every track's gating blocks, on the workers) and calibrates the
track's plan to its place in the album (:mod:`masterstream.mastering.album`), once per
(track, preset, format headroom, album version); those plans are kept like any other.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..cache import SingleFlight
from ..cache.keys import ALBUM_LOUDNESS_PREFIX, TRACK_LOUDNESS
from ..errors import SourceUnavailableError
from ..mastering.loudness_modes import TRACK
from .jobs import compute_headroom_plan, measure_loudness_blocks
from .plans import PlanStore, plan_cost_s, plan_key

if TYPE_CHECKING:
    from ..cache import Priority
    from ..library.catalog import TrackRecord
    from ..mastering import MasteringPlan
    from .scheduler import WorkScheduler
    from .tracks import TrackLibrary

ALBUMS_KEPT = 256
"""Album versions whose track offsets are kept in memory."""


def album_version(tracks: tuple[TrackRecord, ...]) -> str:
    """A digest of the album's tracks (ids and content signatures)."""
    text = ",".join(f"{record.id}:{record.signature}" for record in tracks)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def album_of(library: TrackLibrary, record: TrackRecord) -> tuple[TrackRecord, ...]:
    """The tracks of ``record``'s album by id, itself included (just itself without one)."""
    tracks = () if record.album_id is None else library.album_tracks(record.album_id)
    return tracks if any(t.id == record.id for t in tracks) else (record,)


def loudness_token(library: TrackLibrary, record: TrackRecord, mode: str) -> str:
    """The cache key's loudness for ``mode``: ``track``, or ``album-<version>``. An album of
    one track is mastered as in track mode, so it shares track mode's chunks."""
    tracks = album_of(library, record)
    if mode == TRACK or len(tracks) < 2:
        return TRACK_LOUDNESS
    return ALBUM_LOUDNESS_PREFIX + album_version(tracks)


class AlbumPlans:
    """Album-mode plans: a track's plan calibrated to its offset from the album's loudness."""

    def __init__(
        self, library: TrackLibrary, plans: PlanStore, scheduler: WorkScheduler,
        check_source: Callable[[TrackRecord], None],
    ) -> None:  # fmt: skip
        self.library = library
        self.plans = plans
        self.scheduler = scheduler
        self.check_source = check_source
        self._offsets: OrderedDict[str, dict[int, float]] = OrderedDict()
        self._flights = SingleFlight()

    async def plan(
        self, record: TrackRecord, preset: str, headroom_db: float, token: str,
        priority: Priority, base: Callable[[], Awaitable[MasteringPlan]],
    ) -> MasteringPlan:  # fmt: skip
        """The track's plan for ``preset`` in the album of version ``token``, from its
        track-mode plan (``base()``): stored, or calibrated once on a worker."""
        stored = self.plans.cached(record, preset, headroom_db, token)
        if stored is not None:
            return stored
        tag = ("plan", plan_key(record, preset, headroom_db, token))
        return await self._flights.run(
            tag, lambda: self._calibrate(record, preset, headroom_db, token, priority, base, tag)
        )

    async def _calibrate(
        self, record: TrackRecord, preset: str, headroom_db: float, token: str,
        priority: Priority, base: Callable[[], Awaitable[MasteringPlan]], tag: object,
    ) -> MasteringPlan:  # fmt: skip
        offset_db = await self.offset_db(record, token, priority)
        plan = await base()
        if not plan.passthrough:
            plan = await self.scheduler.run(
                compute_headroom_plan, record.path, plan, headroom_db, offset_db,
                priority=priority, long=True, tag=tag,
                cost_s=plan_cost_s(record),
            )  # fmt: skip
        await asyncio.to_thread(self.plans.remember, record, preset, plan, headroom_db, token)
        return plan

    async def offset_db(self, record: TrackRecord, token: str, priority: Priority) -> float:
        """How far (LU) the track is from its album's loudness, the album being the one of
        version ``token`` (else ``SourceUnavailableError``)."""
        tracks = album_of(self.library, record)
        if token != ALBUM_LOUDNESS_PREFIX + album_version(tracks):
            raise SourceUnavailableError(
                f"the album of track {record.id} changed since this chunk was requested",
                path=record.path,
            )
        offsets = self._offsets.get(token)
        if offsets is None:
            offsets = await self._flights.run(
                ("album", token), lambda: self._measure(tracks, priority)
            )
            self._offsets[token] = offsets
            while len(self._offsets) > ALBUMS_KEPT:
                self._offsets.popitem(last=False)
        return offsets[record.id]

    async def _measure(
        self, tracks: tuple[TrackRecord, ...], priority: Priority
    ) -> dict[int, float]:
        await asyncio.to_thread(lambda: [self.check_source(track) for track in tracks])
        blocks = await asyncio.gather(*(
            self.scheduler.run(
                measure_loudness_blocks, track.path, priority=priority, long=True,
                cost_s=plan_cost_s(track),
            )
            for track in tracks
        ))  # fmt: skip
        from ..mastering.album import album_offsets_db  # numba and scipy: on first use

        return dict(zip((t.id for t in tracks), album_offsets_db(blocks), strict=True))
