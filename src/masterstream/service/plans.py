"""Mastering plans per (track, preset): computed once, kept in memory and in the catalog.

A plan holds the chain parameters and the per-track calibrated gain. Computing one
decodes the whole track and runs the chain over it, so it happens at most once per
(track, signature, pipeline version, preset): :meth:`PlanStore.cached` is the fast
memory → catalog lookup, :meth:`PlanStore.remember` keeps a plan the renderer computed
(on the scheduler's workers, once per key: see ``service/renderer.py``). Every preset of
every track is planned in the background, so memory keeps only the ``memory_plans`` most
recently used (about 0.7 KB each: bench/plan_presets.py); the catalog keeps them all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..cache.keys import TRACK_LOUDNESS
from ..library.catalog import Catalog, TrackRecord
from ..mastering import PIPELINE_VERSION, MasteringPlan, get_preset

PlanKey = tuple[int, str, str]
MEMORY_PLANS = 8192
ANALYSIS_SPEED_X = 250.0
"""Times real time a plan (or a loudness measurement) is computed at, roughly
(bench/results/analysis.md)."""


def plan_cost_s(record: TrackRecord) -> float:
    """Seconds of a worker one plan of the track (one pass over it) takes, roughly."""
    return record.duration_s / ANALYSIS_SPEED_X


def plan_name(preset: str, headroom_db: float = 0.0, loudness: str = TRACK_LOUDNESS) -> str:
    """How a plan is filed: the preset, the extra true-peak headroom of a plan for a lossy
    encoding, and album mode (``warm``, ``warm@1dB``, ``warm@1dB#album``)."""
    name = preset if headroom_db <= 0.0 else f"{preset}@{headroom_db:g}dB"
    return name if loudness == TRACK_LOUDNESS else f"{name}#album"


def plan_key(
    record: TrackRecord, preset: str, headroom_db: float = 0.0, loudness: str = TRACK_LOUDNESS
) -> PlanKey:
    """``(track id, what the plan was made from, plan name)``: an album-mode plan is made
    from the track and its album's version (``loudness``), and a new album version
    replaces the old one's plan in the catalog."""
    made_from = record.signature
    if loudness != TRACK_LOUDNESS:
        made_from = f"{made_from}:{loudness}"
    return (record.id, made_from, plan_name(preset, headroom_db, loudness))


class PlanStore:
    """Plans in memory, backed by the catalog."""

    def __init__(
        self, catalog: Catalog, *, pipeline_version: str = PIPELINE_VERSION,
        memory_plans: int = MEMORY_PLANS,
    ) -> None:  # fmt: skip
        self.catalog = catalog
        self.pipeline_version = pipeline_version
        self.memory_plans = memory_plans
        self._plans: OrderedDict[PlanKey, MasteringPlan] = OrderedDict()
        self._guard = threading.Lock()
        self.computed = 0

    def cached(
        self, record: TrackRecord, preset: str, headroom_db: float = 0.0,
        loudness: str = TRACK_LOUDNESS,
    ) -> MasteringPlan | None:  # fmt: skip
        """The stored plan, from memory or the catalog, or None; never computes."""
        get_preset(preset)  # unknown preset -> UnknownPresetError before any work
        key = plan_key(record, preset, headroom_db, loudness)
        with self._guard:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        stored = self.catalog.get_plan(record.id, key[2], signature=key[1],
                                       pipeline_version=self.pipeline_version)  # fmt: skip
        if stored is None:
            return None
        plan = MasteringPlan.from_dict(stored)
        self._keep(key, plan)
        return plan

    def _keep(self, key: PlanKey, plan: MasteringPlan) -> None:
        with self._guard:
            self._plans[key] = plan
            self._plans.move_to_end(key)
            while len(self._plans) > self.memory_plans:
                self._plans.popitem(last=False)

    def remember(
        self, record: TrackRecord, preset: str, plan: MasteringPlan, headroom_db: float = 0.0,
        loudness: str = TRACK_LOUDNESS,
    ) -> None:  # fmt: skip
        """Keep a freshly computed plan in memory and in the catalog."""
        self.computed += 1
        key = plan_key(record, preset, headroom_db, loudness)
        self._keep(key, plan)
        self.catalog.put_plan(record.id, key[2], plan.to_dict(), signature=key[1],
                              pipeline_version=self.pipeline_version)  # fmt: skip

    def forget_track(self, track_id: int) -> None:
        with self._guard:
            for key in [k for k in self._plans if k[0] == track_id]:
                del self._plans[key]
