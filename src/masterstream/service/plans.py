"""Mastering plans per (track, preset): computed once, kept in memory and in the catalog.

A plan holds the chain parameters and the per-track calibrated gain. Computing one
decodes the whole track and runs the chain over it, so it happens at most once per
(track, signature, pipeline version, preset): :meth:`PlanStore.cached` is the fast
memory → catalog lookup, :meth:`PlanStore.remember` keeps a plan the renderer computed
(on the scheduler's workers, once per key: see ``service/renderer.py``).
"""

from __future__ import annotations

import threading

from ..library.catalog import Catalog, TrackRecord
from ..mastering import PIPELINE_VERSION, MasteringPlan, get_preset

PlanKey = tuple[int, str, str]


def plan_name(preset: str, headroom_db: float = 0.0) -> str:
    """How a plan is filed: the preset, and the extra true-peak headroom of a plan for a
    lossy encoding (``warm``, ``warm@1dB``)."""
    return preset if headroom_db <= 0.0 else f"{preset}@{headroom_db:g}dB"


def plan_key(record: TrackRecord, preset: str, headroom_db: float = 0.0) -> PlanKey:
    return (record.id, record.signature, plan_name(preset, headroom_db))


class PlanStore:
    """Plans in memory, backed by the catalog."""

    def __init__(self, catalog: Catalog, *, pipeline_version: str = PIPELINE_VERSION) -> None:
        self.catalog = catalog
        self.pipeline_version = pipeline_version
        self._plans: dict[PlanKey, MasteringPlan] = {}
        self._guard = threading.Lock()
        self.computed = 0

    def cached(
        self, record: TrackRecord, preset: str, headroom_db: float = 0.0
    ) -> MasteringPlan | None:
        """The stored plan, from memory or the catalog, or None; never computes."""
        get_preset(preset)  # unknown preset -> UnknownPresetError before any work
        key = plan_key(record, preset, headroom_db)
        plan = self._plans.get(key)
        if plan is None:
            stored = self.catalog.get_plan(record.id, key[2], signature=record.signature,
                                           pipeline_version=self.pipeline_version)  # fmt: skip
            if stored is not None:
                plan = self._plans[key] = MasteringPlan.from_dict(stored)
        return plan

    def remember(
        self, record: TrackRecord, preset: str, plan: MasteringPlan, headroom_db: float = 0.0
    ) -> None:
        """Keep a freshly computed plan in memory and in the catalog."""
        self.computed += 1
        key = plan_key(record, preset, headroom_db)
        with self._guard:
            self._plans[key] = plan
        self.catalog.put_plan(record.id, key[2], plan.to_dict(), signature=record.signature,
                              pipeline_version=self.pipeline_version)  # fmt: skip

    def forget_track(self, track_id: int) -> None:
        with self._guard:
            for key in [k for k in self._plans if k[0] == track_id]:
                del self._plans[key]
