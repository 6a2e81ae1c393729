"""Measured loudness figures of mastered output, for the Mastering panel.

The first time the panel asks about a (track, content signature, preset, loudness token,
intensity) the whole output is measured as a background long job on the scheduler's
workers (:func:`~masterstream.mastering.measure_output.measure_output`, chunk by chunk);
the answer is remembered in a bounded LRU, and the panel is told it is being measured
until then. A measurement that fails is remembered as unmeasurable (``None``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

from ..cache import Lane, Priority
from ..cache.keys import TRACK_LOUDNESS
from ..errors import MasterstreamError
from .album_loudness import loudness_token
from .renderer import ensure_unchanged_on_disk

if TYPE_CHECKING:
    from ..library.catalog import TrackRecord
    from ..mastering import MasteringPlan
    from ..mastering.measure_output import OutputFigures
    from .renderer import ChunkRenderer
    from .request import Variant

log = logging.getLogger("masterstream.service")

FiguresKey = tuple[int, str, str, str, float]
KEPT = 1024
"""Measured variants remembered (a few floats each)."""
MEASURE_SPEED_X = 150.0
"""Times real time an output is rendered and measured at, roughly: its cost estimate."""


class MasteredFigures:
    """Measured figures per variant of a track: known, being measured, or unmeasurable."""

    def __init__(self, renderer: ChunkRenderer, *, kept: int = KEPT) -> None:
        self.renderer = renderer
        self.kept = kept
        self._known: OrderedDict[FiguresKey, OutputFigures | None] = OrderedDict()
        self._running: dict[FiguresKey, asyncio.Task[None]] = {}
        self.measured = 0

    def __len__(self) -> int:
        return len(self._known)

    def token(self, record: TrackRecord, variant: Variant) -> str:
        """The loudness token of ``variant``'s chunks (``track`` or the album's version)."""
        return loudness_token(self.renderer.library, record, variant.loudness)

    def key(self, record: TrackRecord, variant: Variant) -> FiguresKey:
        token = self.token(record, variant)
        return (record.id, record.signature, variant.preset, token, variant.intensity)

    def lookup(self, record: TrackRecord, variant: Variant) -> tuple[OutputFigures | None, bool]:
        """``(figures, measuring)``: the measured figures if known, else None and whether a
        measurement is under way (one is started if none is; call on the event loop)."""
        key = self.key(record, variant)
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key], False
        if key not in self._running:
            task = asyncio.get_running_loop().create_task(
                self._measure(key, record), name=f"masterstream-measure-{record.id}"
            )
            self._running[key] = task
            task.add_done_callback(lambda _, key=key: self._running.pop(key, None))
        return None, True

    async def wait(self) -> None:
        """Until every measurement under way has ended."""
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _measure(self, key: FiguresKey, record: TrackRecord) -> None:
        from ..mastering.measure_output import measure_output  # DSP: imported when used

        _, _, preset, token, intensity = key
        priority = Priority(Lane.BACKGROUND, time.monotonic())
        figures: OutputFigures | None = None
        try:
            await asyncio.to_thread(ensure_unchanged_on_disk, record)  # as a chunk's render
            plan = await self.plan(record, preset, token, priority)
            figures = await self.renderer.scheduler.run(
                measure_output, record.path, self.renderer.library.geometry(record), plan,
                intensity, record.channels, priority=priority, long=True,
                cost_s=record.duration_s / MEASURE_SPEED_X,
            )  # fmt: skip
            self.measured += 1
        except MasterstreamError as exc:
            log.warning("cannot measure track %s mastered with %s: %s", record.id, preset, exc)
        except Exception:  # a bug: remembered too, so the panel does not ask forever
            log.exception("measuring track %s mastered with %s failed", record.id, preset)
        self._known[key] = figures
        while len(self._known) > self.kept:
            self._known.popitem(last=False)

    def cached_plan(self, record: TrackRecord, variant: Variant) -> MasteringPlan | None:
        """The stored plan of ``variant``'s chunks (lossless formats), or None."""
        return self.renderer.plans.cached(record, variant.preset, 0.0, self.token(record, variant))

    async def plan(
        self, record: TrackRecord, preset: str, token: str, priority: Priority
    ) -> MasteringPlan:
        """The plan the chunks of ``preset`` in loudness ``token`` are rendered with
        (lossless formats; album mode: calibrated to the track's album)."""
        renderer = self.renderer
        if token == TRACK_LOUDNESS:
            return await renderer.ensure_plan(record, preset, priority)
        base = lambda: renderer.ensure_plan(record, preset, priority)  # noqa: E731
        return await renderer.albums.plan(record, preset, 0.0, token, priority, base)

    async def aclose(self) -> None:
        """Cancel the measurements under way."""
        for task in list(self._running.values()):
            task.cancel()
        await self.wait()
